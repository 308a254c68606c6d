"""The delivery log: first once per key, forgiving when the database is away, tidy over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.deliveries import DeliveryLog
from bot.store.database import DatabaseUnavailable

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class FakeDeliveries:
    """A hand-written store of deliveries, which can be made unreachable."""

    def __init__(self) -> None:
        self.expiry: dict[str, datetime] = {}
        self.forgotten_at: list[datetime] = []
        self.away = False

    async def first_delivery(self, key: str, now: datetime, expires_at: datetime) -> bool:
        if self.away:
            raise DatabaseUnavailable("the database is away")
        if key in self.expiry and self.expiry[key] > now:
            return False
        self.expiry[key] = expires_at
        return True

    async def forget_deliveries(self, now: datetime) -> int:
        if self.away:
            raise DatabaseUnavailable("the database is away")
        self.forgotten_at.append(now)
        gone = [k for k, at in self.expiry.items() if at <= now]
        for key in gone:
            del self.expiry[key]
        return len(gone)


async def test_a_key_is_first_once_until_it_expires() -> None:
    store, clock = FakeDeliveries(), ManualClock(T0)
    log = DeliveryLog(store, clock, ttl=timedelta(hours=1))
    assert await log.first("slack:T:Ev1")
    assert not await log.first("slack:T:Ev1")
    assert await log.first("")  # nothing to tell it by: always handled
    assert await log.first("")
    clock.set(T0 + timedelta(hours=1))
    assert await log.first("slack:T:Ev1")


async def test_expired_records_are_forgotten_every_ten_minutes() -> None:
    store, clock = FakeDeliveries(), ManualClock(T0)
    log = DeliveryLog(store, clock, ttl=timedelta(minutes=5))
    for minute in range(0, 25):
        clock.set(T0 + timedelta(minutes=minute))
        await log.first(f"slack:T:Ev{minute}")
    assert store.forgotten_at == [T0, T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)]
    assert len(store.expiry) < 10  # what expired before the last tidy-up is gone


async def test_with_the_database_away_a_delivery_is_handled() -> None:
    store, clock = FakeDeliveries(), ManualClock(T0)
    log = DeliveryLog(store, clock)
    assert await log.first("slack:T:Ev1")
    store.away = True
    # The work it starts meets the same outage and says "try again"; nothing is dropped.
    assert await log.first("slack:T:Ev1")
    store.away = False
    assert not await log.first("slack:T:Ev1")
