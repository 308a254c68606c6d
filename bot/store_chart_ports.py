"""The store calls the charts of `/stats` and `/leaderboard chart` need, as a narrow Protocol.

Beside `bot.store_ports`, in the same spirit: the chart service names just
what it reads, so it can be tested against an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

__all__ = ["ChartStore"]


class ChartStore(Protocol):
    """The store calls the charts need."""

    async def week_points(
        self, group_id: int, weeks: Sequence[str], member_ids: Iterable[int]
    ) -> list[tuple[int, str, int]]:
        """Return (member id, week key, points) of these members on a group's weekly boards."""
        ...

    async def answer_days(
        self, group_id: int, member_id: int, first: str, last: str
    ) -> list[tuple[str, int]]:
        """Return (local date, answers) of a member's answers to a group's rounds of these days."""
        ...

    async def practice_answer_times(self, member_id: int, since: datetime) -> list[datetime]:
        """Return when a member answered practice questions, since a time."""
        ...
