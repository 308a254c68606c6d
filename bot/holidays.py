"""A group's holidays: local dates with no question, as admins type and see them.

Admins give dates and ranges (`holidays=2026-12-24..2026-12-26,2027-01-01`);
the schedule (`bot.schedule`) names no post slot on them. Dates are the
group's local dates, as its weekdays are. Every problem found is raised at
once in one `SettingsError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from bot.settings_errors import SettingsError, quoted

__all__ = [
    "MAX_HOLIDAYS",
    "describe_holidays",
    "holiday_runs",
    "parse_holidays",
    "upcoming_holidays",
]

# At most this many holiday dates in all: a year of them, the days of each range counted.
MAX_HOLIDAYS = 366
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EXAMPLE = "holidays=2026-12-24..2026-12-26,2027-01-01"


def _date(text: str) -> date | None:
    """Return the date `YYYY-MM-DD` names, or None if the text is not one."""
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2026-13-01, 2026-02-30
        return None


def _span(part: str, today: date) -> tuple[date, date] | str:
    """Return the first and last date one part names (a date or a range), or its problem."""
    first_text, dots, last_text = part.partition("..")
    first = _date(first_text.strip())
    last = _date(last_text.strip()) if dots else first
    if first is None or last is None:
        return (
            f"{quoted(part)} is not a date or a range of dates. Write dates as YYYY-MM-DD "
            f"and ranges as first..last, for example {_EXAMPLE}."
        )
    if last < first:
        return (
            f"{quoted(part)} ends before it starts. Write the earlier date first: "
            f"{last.isoformat()}..{first.isoformat()}."
        )
    if first < today:
        return (
            f"{first.isoformat()} is in the past (today is {today.isoformat()} here). "
            "Give holidays from today on."
        )
    return first, last


def parse_holidays(text: str, today: date) -> frozenset[date]:
    """Parse holidays: dates and ranges, comma separated, from `today` on; `none` clears them.

    Raises SettingsError listing each part that cannot be used (not a date, a
    range that ends before it starts, a date before `today`), or saying the
    dates are more than `MAX_HOLIDAYS` in all.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if [p.lower() for p in parts] in (["none"], ["-"]):
        return frozenset()
    if any(p.lower() == "none" for p in parts):
        raise SettingsError("holidays=none clears the holidays, so give it alone, without dates.")
    problems: list[str] = []
    spans: list[tuple[date, date]] = []
    for part in parts:
        span = _span(part, today)
        if isinstance(span, str):
            problems.append(span)
        else:
            spans.append(span)
    if problems:
        raise SettingsError(*problems)
    if not spans:
        raise SettingsError(f"Give at least one date, for example {_EXAMPLE}, or holidays=none.")
    longest = max((last - first).days + 1 for first, last in spans)
    if longest > MAX_HOLIDAYS:  # refused before its days are listed: it may span centuries
        raise _too_many(longest)
    days = {first + timedelta(n) for first, last in spans for n in range((last - first).days + 1)}
    if len(days) > MAX_HOLIDAYS:
        raise _too_many(len(days))
    return frozenset(days)


def _too_many(count: int) -> SettingsError:
    return SettingsError(
        f"That is {count} holiday dates; a group may have at most {MAX_HOLIDAYS} in all. "
        "Give fewer dates or shorter ranges."
    )


def upcoming_holidays(holidays: Iterable[date], today: date) -> frozenset[date]:
    """Return the holidays from `today` on (those past no longer matter)."""
    return frozenset(day for day in holidays if day >= today)


def holiday_runs(holidays: Iterable[date]) -> list[tuple[date, date]]:
    """Return holidays as runs of consecutive dates (first, last), earliest first."""
    runs: list[tuple[date, date]] = []
    for day in sorted(holidays):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def describe_holidays(holidays: Iterable[date], shown: int = 3) -> str:
    """Return holidays as text to type back (`2026-12-24..2026-12-26, 2027-01-01`).

    Only the first `shown` runs of dates are written out; the rest are
    counted (`and 4 more days`). No holidays read `none`.
    """
    runs = holiday_runs(holidays)
    if not runs:
        return "none"
    words = [
        first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        for first, last in runs[:shown]
    ]
    hidden = sum((last - first).days + 1 for first, last in runs[shown:])
    more = f" and {hidden} more day{'s' if hidden != 1 else ''}" if hidden else ""
    return ", ".join(words) + more
