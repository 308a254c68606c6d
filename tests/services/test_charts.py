"""The charts' series from a known history, and /stats and /leaderboard with their pictures."""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, date, datetime, timedelta

import pytest

import bot.charts
from bot.chart_data import Series, StatsChart, activity_grid, last_weeks, weakest_first
from bot.chart_drawing import draw_stats
from bot.charts import NO_CHART_YET, ChartService
from bot.clock import ManualClock
from bot.model import Group, MemberRef
from bot.records import Standing
from bot.standings import NO_BOARD_CHART, StandingsService
from tests.png import assert_drawn, png_size
from tests.services.conftest import ANN, BEN
from tests.services.memory_store import MemoryStore
from tests.services.test_standings import practised, scored_round, standings

__all__ = ["standings"]  # the fixture, shared with the standings' tests

# NOW is Tuesday 1 December 2026 (ISO week 49), 11:00 in Berlin.


@pytest.fixture
def charts(store: MemoryStore, clock: ManualClock) -> ChartService:
    """Return the chart service on the in-memory store and the manual clock."""
    return ChartService(store, clock)


async def _history(store: MemoryStore, group: Group) -> None:
    """Ann answers in weeks 41, 48 and 49 (twice), Ben in 49; Ann practises once today."""
    await scored_round(store, group, date(2026, 10, 6), "nlp-tf-idf", {ANN: (0.5, 10)})
    await scored_round(store, group, date(2026, 11, 24), "evaluation-kfold", {ANN: (0.25, 20)})
    await scored_round(
        store, group, date(2026, 11, 30), "nlp-word-embeddings", {ANN: (1.0, 30), BEN: (1.0, 45)}
    )
    await scored_round(store, group, date(2026, 12, 1), "evaluation-auc-coin", {ANN: (0.75, 5)})
    await practised(store, ANN, "algorithms-gini-split", 0.5, due_in=timedelta(days=1))


async def test_the_stats_chart_reads_weekly_points_coverage_and_days_from_the_history(
    store: MemoryStore, charts: ChartService, group: Group
) -> None:
    await _history(store, group)
    ann = await store.member_id(ANN)
    coverage = [("Evaluation", 2, 0.5), ("NLP", 2, 0.75)]
    chart = await charts.stats_chart(group, ann, "Ann", coverage)
    assert [w.key for w in chart.weeks] == [f"w2026-{n}" for n in range(38, 50)]
    assert chart.points == (0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 20, 35)  # weeks 41, 48 and 49
    assert chart.coverage == (("Evaluation", 0.5), ("NLP", 0.75))
    assert chart.grid_weeks[0].monday == date(2026, 6, 8) and len(chart.grid_weeks) == 26
    answered = {
        chart.grid_weeks[w].monday + timedelta(days=d): n
        for d, row in enumerate(chart.grid)
        for w, n in enumerate(row)
        if n
    }
    # the round of 1 December and the practice answer at NOW fall on the same day
    assert answered == {
        date(2026, 10, 6): 1,
        date(2026, 11, 24): 1,
        date(2026, 11, 30): 1,
        date(2026, 12, 1): 2,
    }
    assert chart.grid[1][-1] == 2 and chart.grid[2][-1] is None  # Tuesday, Wednesday


async def test_stats_attach_a_drawn_chart_described_in_words(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    await _history(store, group)
    stats = await standings.stats(group, ANN)
    assert stats.image is not None and stats.image.filename == "stats.png"
    width, height = png_size(stats.image.data)
    assert width == 800 and 800 <= height <= 1400  # tall, for a phone held upright
    assert_drawn(stats.image.data)
    assert stats.image.alt.startswith("Chart of Ann's progress. Points per week over the 12")
    assert "0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 20, 35 (65 in all)" in stats.image.alt
    assert "Coverage by category, weakest first: Evaluation 50%; NLP 75%" in stats.image.alt
    assert stats.text == ""


async def test_a_member_without_history_gets_a_line_and_no_empty_picture(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    stats = await standings.stats(group, ANN)
    assert stats.image is None and stats.text == NO_CHART_YET
    await practised(store, ANN, "nlp-tf-idf", 0.5, due_in=timedelta(days=1))
    assert (await standings.stats(group, ANN)).image is not None  # practice is activity


async def test_the_overview_draws_no_chart(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    await _history(store, group)
    [(_, card)] = await standings.overview(ANN, "w")
    assert card.image is None and card.text == ""


async def test_the_board_chart_follows_the_leaders_over_eight_weeks_to_the_boards_end(
    store: MemoryStore, charts: ChartService, clock: ManualClock, group: Group
) -> None:
    await _history(store, group)
    leaders = [
        Standing(1, await store.member_id(BEN), "Ben", 45),
        Standing(2, await store.member_id(ANN), "Ann", 35),
    ]
    chart = await charts.board_chart(group, leaders, None)
    assert [w.key for w in chart.weeks] == [f"w2026-{n}" for n in range(42, 50)]
    assert chart.series == (
        Series("Ben", (0, 0, 0, 0, 0, 0, 0, 45)),
        Series("Ann", (0, 0, 0, 0, 0, 0, 20, 35)),  # week 41's 10 is before the chart
    )
    last_week = await charts.board_chart(group, leaders, date(2026, 11, 29))
    assert [w.key for w in last_week.weeks] == [f"w2026-{n}" for n in range(41, 49)]
    assert last_week.series[1] == Series("Ann", (10, 0, 0, 0, 0, 0, 0, 20))
    clock.set(datetime(2027, 3, 1, tzinfo=UTC))
    assert await charts.board_image(group, leaders, None) is None  # nothing in those weeks


async def test_the_leaderboard_attaches_its_chart_only_when_asked(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    await _history(store, group)
    assert (await standings.leaderboard(group, ANN, "week")).image is None
    board = await standings.leaderboard(group, ANN, "week", chart=True)
    assert board.image is not None and board.image.filename == "leaderboard.png"
    assert png_size(board.image.data) == (800, 640)
    assert_drawn(board.image.data)
    assert "1. Ben: 0, 0, 0, 0, 0, 0, 0, 45; 2. Ann: 0, 0, 0, 0, 0, 0, 20, 35." in board.image.alt
    shared = await standings.leaderboard(group, BEN, "week", shared=True, chart=True)
    assert shared.image is not None and shared.image.alt == board.image.alt


async def test_a_board_without_points_to_chart_says_so(
    standings: StandingsService, group: Group
) -> None:
    board = await standings.leaderboard(group, ANN, "all", chart=True)
    assert board.image is None and board.text.endswith(NO_BOARD_CHART)


async def test_a_members_name_is_drawn_as_written_never_read_as_math(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    odd = MemberRef("t", "odd", r"$\nope$ \$")  # as math, matplotlib would fail to draw it
    await scored_round(store, group, date(2026, 12, 1), "nlp-tf-idf", {odd: (0.5, 10)})
    stats = await standings.stats(group, odd)
    assert stats.image is not None and r"$\nope$ \$" in stats.image.alt
    board = await standings.leaderboard(group, odd, "week", chart=True)
    assert board.image is not None


async def test_the_same_series_are_drawn_once_and_kept(
    store: MemoryStore, charts: ChartService, group: Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[object] = []

    class CountingDrawer:
        async def draw(self, chart: object) -> bytes:
            drawn.append(chart)
            return f"png {len(drawn)}".encode()

    monkeypatch.setattr(bot.charts, "_DRAWER", CountingDrawer())
    await _history(store, group)
    ann = await store.member_id(ANN)
    first = await charts.stats_image(group, ann, "Ann", [("NLP", 2, 0.75)])
    again = await charts.stats_image(group, ann, "Ann", [("NLP", 2, 0.75)])
    assert first is not None and again is not None and first.data == again.data == b"png 1"
    changed = await charts.stats_image(group, ann, "Ann", [("NLP", 3, 0.5)])
    assert changed is not None and changed.data == b"png 2" and len(drawn) == 2
    for n in range(bot.charts.DRAWN_KEPT):  # the oldest picture goes once the room is full
        await charts.stats_image(group, ann, "Ann", [("NLP", 3, n / 1000)])
    await charts.stats_image(group, ann, "Ann", [("NLP", 2, 0.75)])
    assert len(drawn) == 3 + bot.charts.DRAWN_KEPT


def stats_chart(categories: int) -> StatsChart:
    """Return a /stats chart with points every week and `categories` categories."""
    today = date(2026, 12, 1)
    coverage = weakest_first((f"Category {i}", 2, i / 10) for i in range(categories))
    grid = activity_grid(Counter({today: 2}), today)
    points = tuple(range(12))
    return StatsChart("Ann", last_weeks(today, 12), points, coverage, grid, last_weeks(today, 26))


async def test_charts_are_drawn_in_a_process_of_their_own_which_is_replaced_if_it_dies() -> None:
    chart = stats_chart(6)
    drawer = bot.charts._Drawer()
    try:
        data = await drawer.draw(chart)
        assert data == draw_stats(chart)  # the same picture as drawn here
        pool = drawer._executor()
        [worker] = list(pool._processes.values())
        assert worker.pid != os.getpid()
        worker.kill()
        worker.join()
        with pytest.raises(BrokenProcessPool):
            await drawer.draw(stats_chart(5))
        assert await drawer.draw(chart) == data  # a new drawing process
    finally:
        drawer._executor().shutdown()
