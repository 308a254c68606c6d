"""The charts of `/stats` and `/leaderboard chart`: reading their series, drawing them.

The series come from the store through a narrow port (`ChartStore`) and pure
functions (`bot.chart_data`); the drawing (`bot.chart_drawing`, matplotlib)
runs in a worker thread, so a chart never holds up the event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime, time
from multiprocessing import get_context
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

__all__ = ["DRAWN_KEPT", "NO_CHART_YET", "ChartService"]

NO_CHART_YET = "Answer a round to see your chart."
# Pictures kept, by what they show: the same series always draw the same PNG, and a
# member who asks for /stats twice (or many members the same board) costs one drawing.
DRAWN_KEPT = 128


class _Drawer:
    """Draws charts in a process of their own, started on the first chart.

    Drawing is CPU work in Python (matplotlib): in the bot's process it would hold
    the interpreter lock for 100 ms and more a chart, and every other member's
    command would wait behind it. The drawing process imports matplotlib, not the
    bot's; a drawing process that died is replaced on the next chart.
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # "spawn": a fresh interpreter, not a fork of one running threads and a loop
                self._pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
            return self._pool

    async def draw(self, chart: StatsChart | BoardChart) -> bytes:
        """Return the chart drawn as a PNG."""
        pool = self._executor()
        loop = asyncio.get_running_loop()
        try:
            if isinstance(chart, StatsChart):
                return await loop.run_in_executor(pool, chart_drawing.draw_stats, chart)
            return await loop.run_in_executor(pool, chart_drawing.draw_board, chart)
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None  # the next chart starts a new drawing process
            raise


_DRAWER = _Drawer()


class ChartService:
    """Reads the series of a chart from the store and draws it as a PNG image."""

    def __init__(self, store: ChartStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._drawn: OrderedDict[StatsChart | BoardChart, bytes] = OrderedDict()

    async def _png(self, chart: StatsChart | BoardChart) -> bytes:
        """Return a chart drawn as a PNG: by the drawing process, or kept from before."""
        kept = self._drawn.get(chart)
        if kept is not None:
            self._drawn.move_to_end(chart)
            return kept
        data = await _DRAWER.draw(chart)
        self._drawn[chart] = data
        if len(self._drawn) > DRAWN_KEPT:
            self._drawn.popitem(last=False)
        return data

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
        return Image(await self._png(chart), "stats.png", describe_stats(chart))

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
        return Image(await self._png(chart), "leaderboard.png", describe_board(chart))
