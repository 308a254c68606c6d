"""Timing what /leaderboard asks the store, per board and page, for random callers on it.

The boards timed: this week, all time, two closed periods as `/leaderboard week
last` and `/leaderboard month last` name them, and category boards (the latest
round's category this week and last month, and a category's all time); each on
page 1 and page 50 (ranks 491-500). A board without points, or too short for the
page, is left out (at 10,000 answers, a single round, most are).
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import date

from bench.figures import percentile
from bench.leaderboard.history import CATEGORIES, GROUP
from bot.periods import board_period, period_days
from bot.scoring import category_key, period_key
from bot.store.sql_store import SqlStore

WARM_UP = 20
PAGES = {"page 1": 1, "page 50": 50}  # the pages timed on each board


@dataclass(frozen=True, slots=True)
class Board:
    """A board as /leaderboard reads it: its key, its period's days, its category."""

    key: str
    days: tuple[str, str] | None
    category: str | None = None


def _board(key: str, category: str | None = None) -> Board:
    days = period_days(key)
    return Board(category_key(key, category) if category else key, days, category)


def board_keys(last_day: date, last_category: str) -> dict[str, Board]:
    """Return the boards timed, by label.

    Last week and last month are named as a member names them (`/leaderboard week
    last`), through the core's `board_period`, on the last round's day.
    """
    last_week = board_period("week", "last", last_day).key
    last_month = board_period("month", "last", last_day).key
    return {
        "week": _board(period_key("week", last_day)),
        "all": _board(period_key("all", last_day)),
        "last week": _board(last_week),
        "last month": _board(last_month),
        f"{last_category} week": _board(period_key("week", last_day), last_category),
        f"{last_category} last month": _board(last_month, last_category),
        f"{CATEGORIES[0]} all": _board("all", CATEGORIES[0]),
    }


async def one_board(store: SqlStore, board: Board, page: int, member: int) -> None:
    """Ask the store what /leaderboard asks for one page, with the columns, for one caller.

    As StandingsService.leaderboard: the page's ten, the caller's place and the
    board's size (the pages), then the rounds and coverage of those shown.
    """
    leaders, mine, _ = await store.together(
        store.top_scores(GROUP, board.key, 10, (page - 1) * 10),
        store.standing_of(GROUP, board.key, member),
        store.board_size(GROUP, board.key),
    )
    shown = [s.member_id for s in leaders] + ([mine.member_id] if mine else [])
    figures = await store.board_figures(GROUP, board.days, shown, board.category)
    assert len(leaders) == 10 and mine is not None and len(figures) == len(set(shown))


async def measure(
    store: SqlStore, last_day: date, last_category: str, samples: int
) -> dict[str, list[float]]:
    """Time a page of ten with its columns plus the rank of random callers, per board and page."""
    rng = random.Random(11)
    timings: dict[str, list[float]] = {}
    for label, board in board_keys(last_day, last_category).items():
        ranked = [
            r["member_id"]
            for r in await store.db.fetch(
                "SELECT member_id FROM score_totals WHERE group_id = :g AND period = :p",
                {"g": GROUP, "p": board.key},
            )
        ]
        for name, page in PAGES.items():
            if len(ranked) < page * 10:
                continue
            timed = timings[f"{label}, {name}"] = []
            for i in range(WARM_UP + samples):
                member = rng.choice(ranked)  # callers who are on the board: the full query
                start = time.perf_counter()
                await one_board(store, board, page, member)
                if i >= WARM_UP:
                    timed.append((time.perf_counter() - start) * 1000)
    return timings


def summary(values: list[float]) -> str:
    """Return the mean, p99 and maximum of timings in ms."""
    return (
        f"mean {statistics.mean(values):6.2f} ms, p99 {percentile(values, 0.99):6.2f} ms,"
        f" max {max(values):6.2f} ms"
    )
