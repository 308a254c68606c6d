"""The charts of `/stats` and `/leaderboard chart`: reading their series, drawing them.

The series come from the store through a narrow port (`ChartStore`) and pure
functions (`bot.chart_data`); the drawing (`bot.chart_drawing`, matplotlib)
runs in a worker thread, so a chart never holds up the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot import chart_drawing
from bot.chart_data import (
    BOARD_WEEKS,
    HEATMAP_WEEKS,
    STATS_WEEKS,
    BoardChart,
    StatsChart,
    activity_grid,
    board_series,
    day_counts,
    describe_board,
    describe_stats,
    last_weeks,
    weakest_first,
    weekly_points,
)
from bot.clock import Clock
from bot.model import Group
from bot.records import Standing
from bot.replies import Image
from bot.store_chart_ports import ChartStore

__all__ = ["NO_CHART_YET", "ChartService"]

NO_CHART_YET = "Answer a round to see your chart."


class ChartService:
    """Reads the series of a chart from the store and draws it as a PNG image."""

    def __init__(self, store: ChartStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def _today(self, group: Group) -> date:
        return self._clock.now().astimezone(ZoneInfo(group.settings.timezone)).date()

    async def stats_chart(
        self,
        group: Group,
        member_id: int,
        name: str,
        by_category: Sequence[tuple[str, int, float]],
    ) -> StatsChart:
        """Return what a member's `/stats` chart shows in a group.

        `by_category`: (category, answers, average coverage), as `/stats` lists it.
        """
        today = self._today(group)
        weeks = last_weeks(today, STATS_WEEKS)
        grid_weeks = last_weeks(today, HEATMAP_WEEKS)
        first = grid_weeks[0].monday
        since = datetime.combine(first, time(), ZoneInfo(group.settings.timezone))
        store = self._store
        points = await store.week_points(group.id, [w.key for w in weeks], [member_id])
        days = await store.answer_days(group.id, member_id, first.isoformat(), today.isoformat())
        practice = await store.practice_answer_times(member_id, since)
        counts = day_counts(days, practice, group.settings.timezone)
        return StatsChart(
            name,
            weeks,
            weekly_points(((week, p) for _, week, p in points), weeks),
            weakest_first(by_category),
            activity_grid(counts, today, HEATMAP_WEEKS),
            grid_weeks,
        )

    async def stats_image(
        self,
        group: Group,
        member_id: int,
        name: str,
        by_category: Sequence[tuple[str, int, float]],
    ) -> Image | None:
        """Return a member's `/stats` chart as a PNG; None if they have nothing to show yet."""
        chart = await self.stats_chart(group, member_id, name, by_category)
        if chart.is_empty:
            return None
        data = await asyncio.to_thread(chart_drawing.draw_stats, chart)
        return Image(data, "stats.png", describe_stats(chart))

    async def board_chart(
        self, group: Group, leaders: Sequence[Standing], last_day: date | None
    ) -> BoardChart:
        """Return what `/leaderboard chart` shows: the leaders' points in the last 8 weeks.

        The weeks end with the board's last day (None: today, as for all time).
        """
        day = min(last_day, self._today(group)) if last_day else self._today(group)
        weeks = last_weeks(day, BOARD_WEEKS)
        rows = await self._store.week_points(
            group.id, [w.key for w in weeks], [s.member_id for s in leaders]
        )
        series = board_series([(s.member_id, s.display_name) for s in leaders], rows, weeks)
        return BoardChart("The leaders' points per week", weeks, series)

    async def board_image(
        self, group: Group, leaders: Sequence[Standing], last_day: date | None
    ) -> Image | None:
        """Return the leaders' points per week as a PNG; None if none has points in those weeks."""
        chart = await self.board_chart(group, leaders, last_day)
        if not any(p for s in chart.series for p in s.points):
            return None
        data = await asyncio.to_thread(chart_drawing.draw_board, chart)
        return Image(data, "leaderboard.png", describe_board(chart))
