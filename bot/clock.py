"""Clocks: the real one, and one that tests and the console move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock", "from_micros", "to_micros"]


class Clock(Protocol):
    """Tells the time, always time-zone aware (UTC)."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until it is set or advanced."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs a time-zone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """Return the time the clock was last set to."""
        return self._now

    def set(self, when: datetime) -> None:
        """Move the clock to `when` (never backwards)."""
        when = when.astimezone(UTC)
        if when < self._now:
            raise ValueError("the clock cannot go backwards")
        self._now = when

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by `delta`."""
        self.set(self._now + delta)


def to_micros(when: datetime) -> int:
    """Return a time as whole microseconds since the Unix epoch (for storage)."""
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """Return the UTC time of a stored microsecond count."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)
