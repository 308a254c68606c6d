"""Platform deliveries handled once: a retried event is recognised by every replica.

A platform that retries an event it thinks was lost (Slack, after 3 seconds
without an answer) may send the retry to another replica behind the load
balancer. The record of what was handled lives in the database, so any
replica tells a retry from a new event, for as long as the platform retries.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.store.database import DatabaseUnavailable

__all__ = ["DELIVERY_TTL", "DeliveryLog", "DeliveryStore"]

log = logging.getLogger(__name__)

# Slack retries an event three times within about an hour at most.
DELIVERY_TTL = timedelta(hours=1)
# How often one replica deletes the records that expired (any replica's).
_FORGET_EVERY = timedelta(minutes=10)


class DeliveryStore(Protocol):
    """The part of the store that keeps deliveries."""

    async def first_delivery(self, key: str, now: datetime, expires_at: datetime) -> bool:
        """Record a delivery until `expires_at`; tell whether it was new."""
        ...

    async def forget_deliveries(self, now: datetime) -> int:
        """Delete the records of deliveries that expired by `now`."""
        ...


class DeliveryLog:
    """Tells whether a platform delivery is the first of its key, across replicas."""

    def __init__(self, store: DeliveryStore, clock: Clock, ttl: timedelta = DELIVERY_TTL) -> None:
        self._store = store
        self._clock = clock
        self._ttl = ttl
        self._forget_at: datetime | None = None

    async def first(self, key: str) -> bool:
        """Record a delivery by its key; tell whether it is new (one without a key always is).

        With the database away, the delivery counts as new: the work it starts
        then meets the same outage and says so, and nothing is lost by trying.
        """
        if not key:
            return True
        now = self._clock.now()
        try:
            first = await self._store.first_delivery(key, now, now + self._ttl)
        except DatabaseUnavailable as exc:
            log.warning("could not check delivery %s (%s); handling it", key, exc)
            return True
        if self._forget_at is None or now >= self._forget_at:
            self._forget_at = now + _FORGET_EVERY
            try:
                await self._store.forget_deliveries(now)
            except DatabaseUnavailable as exc:
                log.info("expired deliveries not forgotten yet (%s)", exc)
        return first
