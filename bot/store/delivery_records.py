"""The store's deliveries: which platform deliveries were seen, so each is handled once."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_micros
from bot.store.base import StoreBase

__all__ = ["DeliveryRecords"]


class DeliveryRecords(StoreBase):
    """Deliveries: the keys of platform events seen lately, shared by every replica."""

    async def first_delivery(self, key: str, now: datetime, expires_at: datetime) -> bool:
        """Record a platform delivery until `expires_at`; tell whether it was new.

        A key seen before tells False until its record expires, for every replica
        on this database alike.
        """
        return (
            await self.db.execute(
                "INSERT INTO deliveries (delivery_key, expires_at) VALUES (:key, :expires)"
                " ON CONFLICT (delivery_key) DO UPDATE SET expires_at = :expires"
                " WHERE deliveries.expires_at <= :now",
                {"key": key, "expires": to_micros(expires_at), "now": to_micros(now)},
            )
            > 0
        )

    async def forget_deliveries(self, now: datetime) -> int:
        """Delete the records of deliveries that expired by `now`; return how many."""
        return await self.db.execute(
            "DELETE FROM deliveries WHERE expires_at <= :now", {"now": to_micros(now)}
        )
