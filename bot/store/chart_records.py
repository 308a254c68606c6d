"""The store's reads for the charts: weekly points, answers per day, practice answers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.clock import from_micros, to_micros
from bot.store.base import StoreBase
from bot.store.rows import numbered_params

__all__ = ["ChartRecords"]


class ChartRecords(StoreBase):
    """What `bot.store_chart_ports.ChartStore` reads."""

    async def week_points(
        self, group_id: int, weeks: Sequence[str], member_ids: Iterable[int]
    ) -> list[tuple[int, str, int]]:
        """Return (member id, week key, points) of these members on a group's weekly boards.

        It reads the weekly leaderboards' totals (by their primary key), so a chart
        shows the points those boards show.
        """
        ids = sorted(set(member_ids))
        if not ids or not weeks:
            return []
        members, member_params = numbered_params("member", ids)
        periods, period_params = numbered_params("week", list(weeks))
        rows = await self.db.fetch(
            "SELECT member_id, period, points FROM score_totals WHERE group_id = :group_id"
            f" AND period IN ({periods}) AND member_id IN ({members})",
            {"group_id": group_id, **member_params, **period_params},
        )
        return [(int(r["member_id"]), str(r["period"]), int(r["points"])) for r in rows]

    async def answer_days(
        self, group_id: int, member_id: int, first: str, last: str
    ) -> list[tuple[str, int]]:
        """Return (local date, answers) of a member's answers to a group's rounds of these days.

        Every answer counts (late ones too): the chart shows when the member took part.
        """
        rows = await self.db.fetch(
            "SELECT r.local_date, COUNT(*) AS answers FROM rounds r"
            " JOIN answers a ON a.round_id = r.id"
            " WHERE r.group_id = :group_id AND a.member_id = :member_id"
            " AND r.local_date BETWEEN :first AND :last GROUP BY r.local_date",
            {"group_id": group_id, "member_id": member_id, "first": first, "last": last},
        )
        return [(str(r["local_date"]), int(r["answers"])) for r in rows]

    async def practice_answer_times(self, member_id: int, since: datetime) -> list[datetime]:
        """Return when a member answered practice questions, since a time."""
        rows = await self.db.fetch(
            "SELECT answered_at FROM practice_attempts"
            " WHERE member_id = :member_id AND answered_at >= :since",
            {"member_id": member_id, "since": to_micros(since)},
        )
        return [from_micros(int(r["answered_at"])) for r in rows]
