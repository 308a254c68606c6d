"""The store's deliveries: which platform deliveries were seen, so each is handled once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.clock import Clock, to_micros
from bot.store.base import StoreBase
from bot.store.database import Database
from bot.store.group_commit import GroupCommit

__all__ = ["DeliveryRecords"]

_RECORD = (
    "INSERT INTO deliveries (delivery_key, expires_at) VALUES (:key, :expires)"
    " ON CONFLICT (delivery_key) DO UPDATE SET expires_at = :expires"
    " WHERE deliveries.expires_at <= :now"
)


class DeliveryRecords(StoreBase):
    """Deliveries: the keys of platform events seen lately, shared by every replica.

    Every command and button press is recorded, so records are written by group
    commit: a burst of commands shares one transaction instead of one each.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        group_cache_seconds: float = 5.0,
        owner: str = "local",
    ) -> None:
        super().__init__(db, clock, group_cache_seconds, owner)
        self._deliveries: GroupCommit[tuple[str, int, int], bool] = GroupCommit(
            self._record_deliveries
        )

    async def first_delivery(self, key: str, now: datetime, expires_at: datetime) -> bool:
        """Record a platform delivery until `expires_at`; tell whether it was new.

        A key seen before tells False until its record expires, for every replica
        on this database alike.
        """
        return await self._deliveries.submit((key, to_micros(now), to_micros(expires_at)))

    async def _record_deliveries(self, batch: Sequence[tuple[str, int, int]]) -> list[bool]:
        """Record a batch of deliveries in one transaction, in order; tell which were new."""
        # Not durable: a crash may forget the last few seconds of keys, which costs at most
        # one replay run again; waiting for the disk cost every command's reply its time.
        async with self.db.transaction(durable=False) as tx:
            return [
                await tx.execute(_RECORD, {"key": key, "expires": expires, "now": now}) > 0
                for key, now, expires in batch
            ]

    async def forget_deliveries(self, now: datetime) -> int:
        """Delete the records of deliveries that expired by `now`; return how many."""
        return await self.db.execute(
            "DELETE FROM deliveries WHERE expires_at <= :now", {"now": to_micros(now)}
        )
