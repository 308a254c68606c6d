"""Which leaderboard a member names: this week, last month, week 2026-W49, month 2026-11.

`/leaderboard [week|month|all] [when] [category=nlp]`: `when` is `last` (the
period before the current one), a week by its ISO name (`2026-W49`, or `W49` for
the latest week 49 that has begun), or a month (`2026-11`); a category narrows
the board to the points of that category's rounds. Without a period, the name says which
(`2026-11` is a month); without `when`, the board is the current period's. Every
date is the group's local one. A period that has not begun, or that does not
exist, is a `PeriodError` whose message says so, ready to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.command_refs import mention
from bot.markup import user_text
from bot.scoring import ALL_TIME, PERIOD_NAMES, category_key, period_key

__all__ = [
    "LAST",
    "BoardPeriod",
    "PeriodError",
    "board_period",
    "category_name",
    "in_category",
    "page_number",
    "page_value",
    "period_days",
    "split_page_value",
    "split_value",
]

LAST = "last"
_WEEK = re.compile(r"(?:(\d{4})-?)?w(\d{1,2})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_CURRENT_TITLES = {"week": "this week", "month": "this month", ALL_TIME: "all time"}
_SHAPES = "last, a week such as 2026-W49, or a month such as 2026-11"
_PAGE = re.compile(r"(?:page=)?(\d{1,6})", re.IGNORECASE)
_PAGE_MARK = " page="
_CATEGORY_MARK = "category="


class PeriodError(ValueError):
    """A period a member named cannot be shown; the message says why (their text made inert)."""


@dataclass(frozen=True, slots=True)
class BoardPeriod:
    """A leaderboard's period: its key in the store, its title, and how to name it again.

    `value` is what `/leaderboard` takes to show it again (the Share button's value):
    `week` for the current week, `week 2026-W49` for a closed one, `all category=nlp`
    for a category's board; `category` is that category, None for the whole group's.
    """

    period: str
    key: str
    title: str
    value: str
    closed: bool = False
    category: str | None = None


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _current(period: str, today: date) -> BoardPeriod:
    return BoardPeriod(period, period_key(period, today), _CURRENT_TITLES[period], period)


def _week(year: int, week: int, today: date) -> BoardPeriod:
    if not 1 <= year <= 9998:
        raise PeriodError(f"There is no week in the year {year:04d}.")
    weeks = date(year, 12, 28).isocalendar().week  # 52 or 53
    if not 1 <= week <= weeks:
        raise PeriodError(f"{year} has no week {week}: its weeks are W01 to W{weeks}.")
    start = date.fromisocalendar(year, week, 1)
    end = start + timedelta(days=6)
    if start > today:
        raise PeriodError(f"Week {year}-W{week:02d} has not begun: it starts on {_day(start)}.")
    if end >= today:
        return _current("week", today)
    name = f"{year}-W{week:02d}"
    first = f"{start:%d %b}" if start.year == end.year else f"{start:%d %b %Y}"
    days = first.lstrip("0") + " – " + f"{end:%d %b %Y}".lstrip("0")
    return BoardPeriod(
        "week",
        period_key("week", start),
        f"week {name} ({days}, final)",
        f"week {name}",
        closed=True,
    )


def _month(year: int, month: int, today: date) -> BoardPeriod:
    if not 1 <= year <= 9998:
        raise PeriodError(f"There is no month in the year {year:04d}.")
    if not 1 <= month <= 12:
        raise PeriodError(f"There is no month {month}: months are 01 to 12.")
    start = date(year, month, 1)
    if start > today:
        raise PeriodError(f"{start:%B %Y} has not begun: it starts on {_day(start)}.")
    if (year, month) == (today.year, today.month):
        return _current("month", today)
    name = f"{year}-{month:02d}"
    return BoardPeriod(
        "month", period_key("month", start), f"{start:%B %Y} (final)", f"month {name}", closed=True
    )


def _last(period: str, today: date) -> BoardPeriod:
    if period == "week":
        year, week, _ = (today - timedelta(days=7)).isocalendar()
        return _week(year, week, today)
    before = today.replace(day=1) - timedelta(days=1)
    return _month(before.year, before.month, today)


def _latest_week(week: int, today: date) -> tuple[int, int]:
    """Return the latest week numbered `week` that has begun (`W49`: this year's, or last)."""
    year, current, _ = today.isocalendar()
    return (year, week) if week <= current else (year - 1, week)


def _named(period: str | None, word: str, today: date) -> BoardPeriod:
    """Return the board of a week or month given by name, checking it is the period asked."""
    shown = f"'{user_text(word, limit=20)}'"
    if (week := _WEEK.fullmatch(word)) is not None:
        kind = "week"
        year, number = int(week.group(1) or 0), int(week.group(2))
        year, number = (year, number) if week.group(1) else _latest_week(number, today)
    elif (month := _MONTH.fullmatch(word)) is not None:
        kind, year, number = "month", int(month.group(1)), int(month.group(2))
    else:
        raise PeriodError(f"I don't know the period {shown}: try {_SHAPES}.")
    if period == ALL_TIME:
        raise PeriodError(
            f"All time has no past periods: try {mention('leaderboard', f'{kind} {word}')}."
        )
    if period is not None and period != kind:
        raise PeriodError(
            f"{shown} is a {kind}, not a {period}: try {mention('leaderboard', f'{kind} {word}')}."
        )
    return _week(year, number, today) if kind == "week" else _month(year, number, today)


def board_period(period: str | None, when: str | None, today: date) -> BoardPeriod:
    """Return the board `/leaderboard [period] [when]` names on a local date, or raise PeriodError.

    No period: the week, unless `when` names a month. No `when`: the current period.
    """
    if period is not None and period not in PERIOD_NAMES:
        shown = user_text(period, limit=20)
        raise PeriodError(f"There is no leaderboard '{shown}': try week, month or all.")
    word = (when or "").strip()
    if not word:
        return _current(period or "week", today)
    if word.lower() == LAST:
        if period == ALL_TIME:
            raise PeriodError(
                f"All time has no past: try {mention('leaderboard', 'week last')} or "
                f"{mention('leaderboard', 'month last')}."
            )
        return _last(period or "week", today)
    return _named(period, word, today)


def in_category(board: BoardPeriod, category: str, title: str) -> BoardPeriod:
    """Return a period's board narrowed to one category, shown by its `title` (`NLP`)."""
    return replace(
        board,
        key=category_key(board.key, category),
        title=f"{title} · {board.title}",
        value=f"{board.value} {_CATEGORY_MARK}{category}",
        category=category,
    )


def category_name(word: str) -> str:
    """Return the category a member names (`category=nlp`, `nlp`), lowercased."""
    word = word.strip()
    if word.lower().startswith(_CATEGORY_MARK):
        word = word[len(_CATEGORY_MARK) :]
    return word.lower()


def split_value(value: str) -> tuple[str, str | None, str | None]:
    """Return the period, the `when` and the category of a BoardPeriod's value.

    `week 2026-W49` is the week and no category, `all category=nlp` all time in NLP.
    """
    period, *rest = value.split() or [""]
    categories = [w for w in rest if w.lower().startswith(_CATEGORY_MARK)]
    when = " ".join(w for w in rest if not w.lower().startswith(_CATEGORY_MARK))
    return period, when or None, categories[0] if categories else None


def period_days(key: str) -> tuple[str, str] | None:
    """Return the first and last local dates (ISO) of a leaderboard key (`w2026-49`, `m2026-11`).

    None for all time, which has no bounds.
    """
    if key.startswith("w"):
        iso_year, week = (int(part) for part in key[1:].split("-"))
        start = date.fromisocalendar(iso_year, week, 1)
        return start.isoformat(), (start + timedelta(days=6)).isoformat()
    if key.startswith("m"):
        year, month = (int(part) for part in key[1:].split("-"))
        start = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return start.isoformat(), (following - timedelta(days=1)).isoformat()
    return None


def page_number(word: str | None) -> int:
    """Return the page a member names (`page=2`, `2`; None: the first), or raise PeriodError."""
    if word is None or not word.strip():
        return 1
    found = _PAGE.fullmatch(word.strip())
    if found is None:
        raise PeriodError(f"'{user_text(word, limit=20)}' is not a page: try page=2.")
    number = int(found.group(1))
    if number < 1:
        raise PeriodError("Pages start at 1: try page=1.")
    return number


def page_value(board: BoardPeriod, page: int) -> str:
    """Return what a Next or Previous button carries: the board's value and a page."""
    return f"{board.value}{_PAGE_MARK}{page}"


def split_page_value(value: str) -> tuple[str, str | None, str | None, str]:
    """Return the period, the `when`, the category and the page of a paging button's value."""
    board, _, page = value.rpartition(_PAGE_MARK)
    return (*split_value(board), page)
