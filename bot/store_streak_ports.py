"""The store calls streak freezes and away days need, as narrow Protocols.

Beside `bot.store_ports` (the other use-cases' ports), in the same spirit: each
service names just what it uses, so it can be tested against an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from bot.model import MemberRef
from bot.records import AwayRange, OpenStreak

__all__ = ["AwayStore", "StreakStore"]


class StreakStore(Protocol):
    """The store calls a reveal needs to keep the streaks of members who missed it."""

    async def away_members(self, group_id: int, day: date) -> frozenset[int]:
        """Return the members of a group away on a local date (the group's time zone)."""
        ...

    async def open_streaks(self, group_id: int, seq: int) -> list[OpenStreak]:
        """Return the members whose streak runs up to the group's revealed round `seq - 1`.

        Only those a bridge could keep: holding a freeze, or away on some day.
        """
        ...


class AwayStore(Protocol):
    """The store calls `/away` needs."""

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them (or their new name) if needed."""
        ...

    async def away_ranges(self, group_id: int, member_id: int) -> list[AwayRange]:
        """Return a member's away ranges in a group, past ones too, earliest first."""
        ...

    async def add_away(
        self,
        group_id: int,
        member_id: int,
        days: AwayRange,
        problem: Callable[[list[AwayRange]], str | None] | None = None,
    ) -> str | None:
        """Record that a member is away on these dates unless `problem` (of their ranges) says no.

        Returns the problem, or None once recorded; the check and the write are one step.
        """
        ...

    async def cancel_away(self, group_id: int, member_id: int, after: date) -> None:
        """Cancel a member's away days in a group after a local date; earlier ones stay."""
        ...
