"""Away days: reading `/away`'s dates and the rules a new range must keep (pure rules).

A member says they will be away on a date or a range of local dates (the
group's time zone); the group's rounds on those days keep their streak without
a freeze. Ranges start today or later, stay within a year, never overlap one
the member has already (it is named, so they can cancel it), and leave at most
`MAX_AWAY_DAYS` away days in any `AWAY_WINDOW` days.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from bot.command_refs import mention
from bot.markup import user_text
from bot.records import AwayRange

__all__ = [
    "AWAY_WINDOW",
    "MAX_AHEAD",
    "MAX_AWAY_DAYS",
    "AwayError",
    "away_problem",
    "parse_away",
    "range_text",
]

MAX_AWAY_DAYS = 14
AWAY_WINDOW = 30  # days: any this many in a row hold at most MAX_AWAY_DAYS away days
MAX_AHEAD = timedelta(days=365)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class AwayError(ValueError):
    """`/away`'s text names no date, range or `off` the bot can use; the message says why."""


def _date(text: str) -> date:
    """Return the date `YYYY-MM-DD` names, or raise AwayError saying how to write one."""
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise AwayError(
            f'I couldn\'t read "{user_text(text, 40)}" as a date. Write one date '
            f"(`{mention('away', '2026-12-24')}`), a range "
            f"(`{mention('away', '2026-12-20..2026-12-27')}`) or `{mention('away', 'off')}`."
        ) from None


def parse_away(text: str) -> AwayRange | Literal["off"] | None:
    """Return the range `/away`'s text names, "off", or None (no text: show the days).

    Raises AwayError on a malformed date or a range that ends before it starts.
    """
    stripped = text.strip()
    if not stripped:
        return None
    if stripped.lower() == "off":
        return "off"
    first_text, dots, last_text = stripped.partition("..")
    first = _date(first_text.strip() if dots else stripped)
    last = _date(last_text.strip() or stripped) if dots else first
    if last < first:
        raise AwayError(
            f"That range ends ({last.isoformat()}) before it starts ({first.isoformat()}): "
            "write the earlier date first."
        )
    return AwayRange(first, last)


def range_text(days: AwayRange) -> str:
    """Return a range as a member reads it: `2026-12-24`, or `2026-12-20 to 2026-12-27`."""
    if days.first == days.last:
        return days.first.isoformat()
    return f"{days.first.isoformat()} to {days.last.isoformat()}"


def _busiest_window(days: set[date], wanted: AwayRange) -> list[date]:
    """Return the away days of the window of AWAY_WINDOW days over `wanted` holding most."""
    best: list[date] = []
    start = wanted.first - timedelta(days=AWAY_WINDOW - 1)
    while start <= wanted.last:
        end = start + timedelta(days=AWAY_WINDOW - 1)
        inside = sorted(d for d in days if start <= d <= end)
        if len(inside) > len(best):
            best = inside
        start += timedelta(days=1)
    return best


def away_problem(wanted: AwayRange, existing: Sequence[AwayRange], today: date) -> str | None:
    """Return why a member may not add this away range, or None if they may.

    `existing`: the member's ranges in the group (past ones count towards the
    window); `today`: the group's local date.
    """
    if wanted.first < today:
        return (
            f"{wanted.first.isoformat()} is in the past (today is {today.isoformat()} here): "
            "away days start today or later."
        )
    if wanted.last > today + MAX_AHEAD:
        return f"Away days can be set up to a year ahead, until {(today + MAX_AHEAD).isoformat()}."
    if wanted.days > MAX_AWAY_DAYS:
        return (
            f"That is {wanted.days} days; you can be away at most {MAX_AWAY_DAYS} days "
            f"in any {AWAY_WINDOW}."
        )
    for other in existing:
        if other.first <= wanted.last and wanted.first <= other.last:
            return (
                f"You're already away {range_text(other)}, which overlaps that. "
                f"`{mention('away', 'off')}` cancels your away days after today; then set "
                "them again."
            )
    days = {r.first + timedelta(days=i) for r in (*existing, wanted) for i in range(r.days)}
    busiest = _busiest_window(days, wanted)
    if len(busiest) > MAX_AWAY_DAYS:
        return (
            f"That would make {len(busiest)} away days from {busiest[0].isoformat()} to "
            f"{busiest[-1].isoformat()}; you can be away at most {MAX_AWAY_DAYS} days in any "
            f"{AWAY_WINDOW}."
        )
    return None
