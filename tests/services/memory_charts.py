"""The in-memory store's reads for the charts (as `bot.store.chart_records`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from tests.services.memory_base import MemoryBase

__all__ = ["MemoryCharts"]


class MemoryCharts(MemoryBase):
    """Weekly points, answers per day and practice answers, read from the dicts."""

    async def week_points(
        self, group_id: int, weeks: Sequence[str], member_ids: Iterable[int]
    ) -> list[tuple[int, str, int]]:
        """Return (member id, week key, points) of these members on a group's weekly boards."""
        ids, keys = set(member_ids), set(weeks)
        return [
            (m, period, points)
            for (g, period, m), (points, _) in self.totals.items()
            if g == group_id and period in keys and m in ids
        ]

    async def answer_days(
        self, group_id: int, member_id: int, first: str, last: str
    ) -> list[tuple[str, int]]:
        """Return (local date, answers) of a member's answers to a group's rounds of these days."""
        counts: dict[str, int] = {}
        for round_id, member in self.answers:
            day = self.rounds[round_id].local_date.isoformat()
            in_group = self.rounds[round_id].group_id == group_id
            if member == member_id and in_group and first <= day <= last:
                counts[day] = counts.get(day, 0) + 1
        return sorted(counts.items())

    async def practice_answer_times(self, member_id: int, since: datetime) -> list[datetime]:
        """Return when a member answered practice questions, since a time."""
        return [
            a.answered_at
            for a in self.attempts.values()
            if a.member_id == member_id and a.answered_at is not None and a.answered_at >= since
        ]
