"""What every area of the SQL store shares: the database, the clock, the owner, the caches."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar, overload

from bot.clock import Clock
from bot.model import Group
from bot.store.database import Database, Params, Row

__all__ = ["StoreBase"]

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
E = TypeVar("E")


class StoreBase:
    """The state the store's areas (the record classes combined in SqlStore) work on."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        group_cache_seconds: float = 5.0,
        owner: str = "local",
    ) -> None:
        self.db = db
        self.owner = owner  # this process, as named in the leases it takes on rounds
        self._clock = clock
        # (platform, user id) -> (member id, display name on record)
        self._members: dict[tuple[str, str], tuple[int, str]] = {}
        # Every event looks its channel's group up; settings change rarely. Changes made
        # here are seen at once, changes made by another replica within a few seconds.
        self._groups: dict[tuple[str, str, str], tuple[float, Group | None]] = {}
        self._group_cache_seconds = group_cache_seconds
        self._group_lookups: dict[tuple[str, str, str], asyncio.Future[Group | None]] = {}

    # -- independent reads -----------------------------------------------------

    @overload
    async def together(self, a: Awaitable[A], b: Awaitable[B], /) -> tuple[A, B]: ...

    @overload
    async def together(
        self, a: Awaitable[A], b: Awaitable[B], c: Awaitable[C], /
    ) -> tuple[A, B, C]: ...

    @overload
    async def together(
        self,
        a: Awaitable[A],
        b: Awaitable[B],
        c: Awaitable[C],
        d: Awaitable[D],
        e: Awaitable[E],
        /,
    ) -> tuple[A, B, C, D, E]: ...

    async def together(self, *reads: Awaitable[Any]) -> tuple[Any, ...]:
        """Run independent reads and return their results in order."""
        return tuple(await self.each(reads))

    async def each(self, reads: Iterable[Awaitable[T]]) -> list[T]:
        """Run independent reads of one kind and return their results in order.

        On PostgreSQL they are issued at once (the pool serves them in parallel);
        on SQLite one after the other, so that quick reads finish on the event
        loop without giving it up (other work would run in between and add its
        time to this command's).
        """
        pending = list(reads)
        if self.db.parallel_reads:
            return list(await asyncio.gather(*pending))
        results: list[T] = []
        try:
            for read in pending:
                results.append(await read)
        finally:
            for left in pending[len(results) + 1 :]:  # a read failed: the rest never ran
                if inspect.iscoroutine(left):
                    left.close()
        return results

    # -- helpers --------------------------------------------------------------

    async def _write_fetchrow(self, sql: str, params: Params) -> Row | None:
        """Run one writing statement in a transaction of its own; return its first row."""
        async with self.db.transaction() as tx:
            return await tx.fetchrow(sql, params)
