"""Work started after an ack: tracked, bounded, and in order for one message.

Every Slack listener acknowledges at once and leaves its work to `Background`,
which runs it in a few worker slots; whatever only waits (a users.info
lookup, a 429's Retry-After, the pacer's turn) lets its slot go meanwhile
(`adapters.slack.chat.waiting`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Hashable
from typing import Any, TypeVar

from adapters.slack.chat import WorkerSlot

__all__ = ["WORKERS", "Background"]

log = logging.getLogger(__name__)

WORKERS = 4  # pieces of work after acks that run at once
_T = TypeVar("_T")


class Background:
    """Work started after an ack: tracked, so that closing can wait for it, and bounded.

    At most `limit` pieces of work run at once; the rest wait their turn
    without taking the event loop from new requests, whose acks stay prompt
    even when the work falls behind. A piece that only waits (`chat.waiting`)
    gives its slot to the next meanwhile.
    """

    def __init__(self, limit: int = WORKERS) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._slots = asyncio.Semaphore(limit)
        self._latest: dict[Hashable, asyncio.Task[None]] = {}  # per key, the last spawned

    def spawn(self, work: Coroutine[Any, Any, None], name: str, key: Hashable = None) -> None:
        """Run `work` in the background, in a worker slot, logging (not losing) a failure.

        Work spawned with the same `key` (a message: its post, edit, deletion and
        reactions) runs one piece after the other, in the order spawned.
        """
        previous = self._latest.get(key) if key is not None else None
        task = self._track(self._guard(work, name, previous), name)
        if key is not None:
            self._latest[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))

    def start(self, work: Coroutine[Any, Any, _T], name: str) -> asyncio.Task[_T]:
        """Run `work` at once, without waiting for a slot (it must not wait for one); tracked."""
        return self._track(work, name)

    def _track(self, work: Coroutine[Any, Any, _T], name: str) -> asyncio.Task[_T]:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _forget(self, key: Hashable, done: asyncio.Task[None]) -> None:
        if self._latest.get(key) is done:
            del self._latest[key]

    async def _guard(
        self, work: Coroutine[Any, Any, None], name: str, previous: asyncio.Task[None] | None
    ) -> None:
        if previous is not None:  # its end is what matters: a failure of its own was logged
            await asyncio.wait([previous])
        async with WorkerSlot(self._slots):
            try:
                await work
            except Exception:
                log.exception("slack: %s failed", name)

    async def drain(self) -> None:
        """Wait until every task started so far (and those they start) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
