"""The series the charts draw, computed from the store's rows (pure functions).

`/stats` draws a member's points per week (the weekly leaderboards' totals),
their coverage by category (weakest first) and their activity per day as a
week-by-weekday grid; `/leaderboard chart` draws the top ten's points per
week. Weeks are ISO weeks of the group's calendar, oldest first, as the
leaderboards count them (`bot.scoring.period_key`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.scoring import period_key

__all__ = [
    "BOARD_WEEKS",
    "HEATMAP_WEEKS",
    "STATS_WEEKS",
    "BoardChart",
    "Series",
    "StatsChart",
    "Week",
    "activity_grid",
    "board_series",
    "day_counts",
    "describe_board",
    "describe_stats",
    "last_weeks",
    "weakest_first",
    "weekly_points",
]

STATS_WEEKS = 12  # /stats: points per week over this many weeks
HEATMAP_WEEKS = 26  # /stats: activity per day over this many weeks
BOARD_WEEKS = 8  # /leaderboard chart: the top ten's points over this many weeks
DAYS_PER_WEEK = 7


@dataclass(frozen=True, slots=True)
class Week:
    """An ISO week: its leaderboard key (`w2026-49`) and its Monday."""

    key: str
    monday: date

    @property
    def label(self) -> str:
        """Return the week as the charts label it: its Monday, `Dec 7`."""
        return f"{self.monday:%b} {self.monday.day}"


@dataclass(frozen=True, slots=True)
class Series:
    """One member's points per week, in the order of the chart's weeks."""

    name: str
    points: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StatsChart:
    """What `/stats` draws: points per week, coverage by category, activity per day.

    `grid[weekday][week]`: answers that day (Monday first, oldest week first);
    None for days after `today`, which have not come yet.
    """

    name: str
    weeks: tuple[Week, ...]
    points: tuple[int, ...]
    coverage: tuple[tuple[str, float], ...]
    grid: tuple[tuple[int | None, ...], ...]
    grid_weeks: tuple[Week, ...]

    @property
    def is_empty(self) -> bool:
        """Tell whether there is nothing to draw (no points, no coverage, no activity)."""
        active = any(cell for row in self.grid for cell in row)
        return not any(self.points) and not self.coverage and not active


@dataclass(frozen=True, slots=True)
class BoardChart:
    """What `/leaderboard chart` draws: the leaders' points per week, leader first."""

    title: str
    weeks: tuple[Week, ...]
    series: tuple[Series, ...]


def last_weeks(today: date, count: int) -> tuple[Week, ...]:
    """Return the `count` ISO weeks up to and including today's, oldest first."""
    monday = today - timedelta(days=today.weekday())
    days = (monday - timedelta(weeks=count - 1 - i) for i in range(count))
    return tuple(Week(period_key("week", day), day) for day in days)


def weekly_points(rows: Iterable[tuple[str, int]], weeks: Sequence[Week]) -> tuple[int, ...]:
    """Return the points of each week from (week key, points) rows; 0 for a week without."""
    by_week = dict(rows)
    return tuple(by_week.get(week.key, 0) for week in weeks)


def weakest_first(by_category: Iterable[tuple[str, int, float]]) -> tuple[tuple[str, float], ...]:
    """Return (category, average coverage) from (category, answers, average), weakest first.

    Ties go by name, so the order never depends on the store's.
    """
    return tuple(sorted(((c, avg) for c, _, avg in by_category), key=lambda r: (r[1], r[0])))


def day_counts(
    round_days: Iterable[tuple[str, int]],
    practice_times: Iterable[datetime],
    timezone: str,
) -> Counter[date]:
    """Return how many answers a member gave each local day.

    `round_days`: (the round's local date, answers) rows; `practice_times`:
    when practice answers were given, counted on the day they fell on in the
    group's time zone.
    """
    counts: Counter[date] = Counter()
    for day, answers in round_days:
        counts[date.fromisoformat(day)] += answers
    zone = ZoneInfo(timezone)
    for when in practice_times:
        counts[when.astimezone(zone).date()] += 1
    return counts


def activity_grid(
    counts: Counter[date], today: date, weeks: int = HEATMAP_WEEKS
) -> tuple[tuple[int | None, ...], ...]:
    """Return the answers per day as 7 rows (Monday first) of `weeks` columns (oldest first).

    The last column is today's week; its days after today are None.
    """
    first = (today - timedelta(days=today.weekday(), weeks=weeks - 1)).toordinal()
    last = today.toordinal()
    by_day = {day.toordinal(): n for day, n in counts.items()}
    return tuple(
        tuple(
            None if (day := first + 7 * w + d) > last else by_day.get(day, 0) for w in range(weeks)
        )
        for d in range(DAYS_PER_WEEK)
    )


def board_series(
    leaders: Sequence[tuple[int, str]],
    rows: Iterable[tuple[int, str, int]],
    weeks: Sequence[Week],
) -> tuple[Series, ...]:
    """Return each leader's points per week, in the leaders' order.

    `leaders`: (member id, display name); `rows`: (member id, week key, points).
    """
    points = {(member, week): total for member, week, total in rows}
    return tuple(
        Series(name, tuple(points.get((member, w.key), 0) for w in weeks))
        for member, name in leaders
    )


def _span(weeks: Sequence[Week]) -> str:
    return f"the {len(weeks)} weeks from {weeks[0].label} to {weeks[-1].label}"


def describe_stats(chart: StatsChart) -> str:
    """Return what a `/stats` chart shows, in words (its alt text for screen readers)."""
    points = ", ".join(str(p) for p in chart.points)
    coverage = "; ".join(f"{name} {average:.0%}" for name, average in chart.coverage) or "none yet"
    days = [cell for row in chart.grid for cell in row if cell is not None]
    answers, active = sum(c for c in days if c), sum(1 for c in days if c)
    return (
        f"Chart of {chart.name}'s progress. Points per week over {_span(chart.weeks)}: "
        f"{points} ({sum(chart.points)} in all). Coverage by category, weakest first: "
        f"{coverage}. Answers per day over {_span(chart.grid_weeks)}: {answers} answers "
        f"on {active} of {len(days)} days."
    )


def describe_board(chart: BoardChart) -> str:
    """Return what a `/leaderboard chart` shows, in words (its alt text)."""
    lines = "; ".join(
        f"{i}. {s.name}: {', '.join(str(p) for p in s.points)}"
        for i, s in enumerate(chart.series, 1)
    )
    return f"Line chart of {chart.title.lower()} over {_span(chart.weeks)}. {lines}."
