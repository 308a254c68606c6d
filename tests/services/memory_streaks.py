"""The in-memory store's streak keepers (as `bot.store.streak_records`): away days, open streaks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.records import AwayRange, OpenStreak
from tests.services.memory_base import MemoryBase

__all__ = ["MemoryStreaks"]


class MemoryStreaks(MemoryBase):
    """Away ranges per (group, member), and the streaks a reveal may bridge."""

    async def away_members(self, group_id: int, day: date) -> frozenset[int]:
        """Return the members of a group away on a local date."""
        return frozenset(
            m
            for (g, m), ranges in self.away.items()
            if g == group_id and any(r.first <= day <= r.last for r in ranges)
        )

    async def away_ranges(self, group_id: int, member_id: int) -> list[AwayRange]:
        """Return a member's away ranges in a group, past ones too, earliest first."""
        return sorted(self.away.get((group_id, member_id), []), key=lambda r: r.first)

    async def add_away(
        self,
        group_id: int,
        member_id: int,
        days: AwayRange,
        problem: Callable[[list[AwayRange]], str | None] | None = None,
    ) -> str | None:
        """Record that a member is away on these dates unless `problem` says no."""
        ranges = await self.away_ranges(group_id, member_id)
        refused = problem(ranges) if problem is not None else None
        if refused is None:
            self.away.setdefault((group_id, member_id), []).append(days)
        return refused

    async def cancel_away(self, group_id: int, member_id: int, after: date) -> None:
        """Cancel a member's away days in a group after a local date; earlier ones stay."""
        ranges = self.away.get((group_id, member_id), [])
        self.away[(group_id, member_id)] = [
            AwayRange(r.first, min(r.last, after)) for r in ranges if r.first <= after
        ]

    async def open_streaks(self, group_id: int, seq: int) -> list[OpenStreak]:
        """Return the members whose streak runs up to round `seq - 1`, with a freeze or away."""
        found = []
        for (g, m), s in sorted(self.stats.items()):
            keepable = s.freezes > 0 or bool(self.away.get((g, m)))
            if g == group_id and s.last_seq == seq - 1 and s.streak > 0 and keepable:
                user_id = next(u for (_, u), (mid, _) in self.members.items() if mid == m)
                found.append(OpenStreak(s, user_id, self.name_of(m)))
        return found
