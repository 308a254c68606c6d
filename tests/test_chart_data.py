"""The series the charts draw, from known rows: exact weeks, points, coverage and days."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from bot.chart_data import (
    BoardChart,
    Series,
    StatsChart,
    Week,
    activity_grid,
    board_series,
    day_counts,
    describe_board,
    describe_stats,
    last_weeks,
    weakest_first,
    weekly_points,
)

TUESDAY = date(2026, 12, 8)  # ISO week 50 of 2026; its Monday is 7 December


def test_the_last_weeks_end_with_todays_iso_week_oldest_first() -> None:
    weeks = last_weeks(TUESDAY, 3)
    assert weeks == (
        Week("w2026-48", date(2026, 11, 23)),
        Week("w2026-49", date(2026, 11, 30)),
        Week("w2026-50", date(2026, 12, 7)),
    )
    assert [w.label for w in weeks] == ["Nov 23", "Nov 30", "Dec 7"]
    # across a new year: 2027-01-03 is a Sunday of ISO week 53 of 2026
    assert [w.key for w in last_weeks(date(2027, 1, 4), 2)] == ["w2026-53", "w2027-01"]


def test_weekly_points_take_each_weeks_total_and_zero_for_a_week_without() -> None:
    weeks = last_weeks(TUESDAY, 4)
    rows = [("w2026-50", 30), ("w2026-47", 12), ("w2026-40", 99)]  # w40: before the chart
    assert weekly_points(rows, weeks) == (12, 0, 0, 30)


def test_categories_come_weakest_first_ties_by_name() -> None:
    rows = [("NLP", 3, 0.8), ("Evaluation", 1, 0.25), ("Statistics", 2, 0.5), ("Bias", 4, 0.5)]
    assert weakest_first(rows) == (
        ("Evaluation", 0.25),
        ("Bias", 0.5),
        ("Statistics", 0.5),
        ("NLP", 0.8),
    )


def test_day_counts_add_rounds_and_practice_on_the_groups_local_day() -> None:
    practice = [
        datetime(2026, 12, 6, 23, 30, tzinfo=UTC),  # Monday 7th, 00:30 in Berlin
        datetime(2026, 12, 7, 8, 0, tzinfo=UTC),
    ]
    counts = day_counts([("2026-12-07", 1), ("2026-12-01", 1)], practice, "Europe/Berlin")
    assert counts == Counter({date(2026, 12, 7): 3, date(2026, 12, 1): 1})
    assert day_counts([], practice, "UTC") == Counter({date(2026, 12, 6): 1, date(2026, 12, 7): 1})


def test_the_activity_grid_has_a_row_per_weekday_and_nothing_after_today() -> None:
    counts = Counter({date(2026, 12, 7): 2, date(2026, 11, 25): 1, date(2026, 11, 29): 5})
    grid = activity_grid(counts, TUESDAY, weeks=3)  # weeks of 23 Nov, 30 Nov, 7 Dec
    assert grid == (
        (0, 0, 2),  # Mondays
        (0, 0, 0),  # Tuesdays: today is the last
        (1, 0, None),  # Wednesdays: the 9th has not come
        (0, 0, None),
        (0, 0, None),
        (0, 0, None),
        (5, 0, None),  # Sundays
    )


def test_board_series_follow_the_leaders_order_with_zero_for_weeks_without_points() -> None:
    weeks = last_weeks(TUESDAY, 3)
    rows = [(2, "w2026-50", 40), (1, "w2026-48", 10), (1, "w2026-50", 25), (3, "w2026-49", 5)]
    series = board_series([(2, "Ben"), (1, "Ann")], rows, weeks)  # member 3 is not a leader
    assert series == (Series("Ben", (0, 0, 40)), Series("Ann", (10, 0, 25)))


def test_the_alt_texts_say_what_each_chart_shows() -> None:
    weeks = last_weeks(TUESDAY, 2)
    grid = activity_grid(Counter({date(2026, 12, 7): 2, date(2026, 12, 1): 1}), TUESDAY, 2)
    chart = StatsChart("Ann", weeks, (5, 20), (("Evaluation", 0.25), ("NLP", 0.8)), grid, weeks)
    assert describe_stats(chart) == (
        "Chart of Ann's progress. Points per week over the 2 weeks from Nov 30 to Dec 7: "
        "5, 20 (25 in all). Coverage by category, weakest first: Evaluation 25%; NLP 80%. "
        "Answers per day over the 2 weeks from Nov 30 to Dec 7: 3 answers on 2 of 9 days."
    )
    board = BoardChart("The leaders' points per week", weeks, (Series("Ann", (1, 2)),))
    assert describe_board(board) == (
        "Line chart of the leaders' points per week over the 2 weeks from Nov 30 to Dec 7. "
        "1. Ann: 1, 2."
    )


def test_a_chart_without_points_coverage_or_activity_is_empty() -> None:
    weeks = last_weeks(TUESDAY, 2)
    quiet = activity_grid(Counter(), TUESDAY, 2)
    assert StatsChart("Ann", weeks, (0, 0), (), quiet, weeks).is_empty
    active = activity_grid(Counter({TUESDAY: 1}), TUESDAY, 2)
    assert not StatsChart("Ann", weeks, (0, 0), (), active, weeks).is_empty
    assert not StatsChart("Ann", weeks, (0, 3), (), quiet, weeks).is_empty


@pytest.mark.slow
def test_starting_the_bot_imports_no_matplotlib() -> None:
    """matplotlib takes a second or more to import: only drawing a chart may import it."""
    code = (
        "import sys, bot.app, bot.cli, adapters.console.main, adapters.discord.main,"
        " adapters.slack.main; print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('matplotlib', 'PIL')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
