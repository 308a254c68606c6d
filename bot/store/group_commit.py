"""Group commit: many concurrent writers share one transaction.

Each caller awaits its own result, which is set only after the transaction that
wrote its item has committed, so "stored before acknowledged" holds; while one
batch is being written, the next one gathers.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["GroupCommit"]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """Batches items for a writer that stores a list of items in one transaction."""

    def __init__(
        self, write: Callable[[Sequence[T]], Awaitable[Sequence[R]]], max_batch: int = 400
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Store one item with others that arrive meanwhile; return its result."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._drainer is None or self._drainer.done():
            # A batch serves many callers: it must not log with the first one's context.
            self._drainer = asyncio.create_task(self._drain(), context=contextvars.Context())
        # The write goes on even if this caller is cancelled: it is already queued.
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            await self._write_batch(batch)

    async def _write_batch(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._write([item for item, _ in batch])
        except Exception as exc:
            if len(batch) == 1 or isinstance(exc, ConnectionError):
                # A lost database fails every item alike: no point in trying one by one.
                self._settle(batch, exc)
                return
            # One bad item must not fail the others: write them one by one.
            log.warning("a batch of %d writes failed (%s); retrying one by one", len(batch), exc)
            for single in batch:
                await self._write_batch([single])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    @staticmethod
    def _settle(batch: list[tuple[T, asyncio.Future[R]]], exc: Exception) -> None:
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)

    async def drain(self) -> None:
        """Wait until every submitted item has been written."""
        while self._drainer is not None and not self._drainer.done():
            await self._drainer
