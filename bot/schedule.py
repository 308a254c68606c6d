"""When rounds are posted and revealed: the pure rules of a group's schedule.

A group names local dates (its weekdays) and a wall-clock post time in its
IANA time zone. Each named date has exactly one post slot, whatever the
zone's clocks do that day:

- a wall time that occurs once posts then;
- a wall time the clocks repeat (summer time ends) posts at its first occurrence;
- a wall time the clocks skip (summer time starts) posts at the first instant
  after it: the moment the clocks jump, when the skipped time has passed;
- a date the zone skipped entirely (Samoa's 30 December 2011) names no slot.

A reveal given as a clock time follows the same rules; a reveal delay is
elapsed time. Every loop here counts days or halvings, so each function
returns after a bounded number of steps, whatever the time-zone data says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.model import GroupSettings

__all__ = [
    "REVEAL_MIN_GAP",
    "PostSlot",
    "last_post_slot",
    "next_post_slot",
    "reveal_time_for",
    "wall_instant",
]

# A weekday set names a date within any 7 days; one more on each side covers a slot that
# a skipped hour moved across midnight. Each holiday may take one named date away (a
# weekly group's Monday), so a search goes on a week further for each.
_DAYS_SEARCHED = 9


def _days_searched(settings: GroupSettings) -> int:
    """Return how many days a search for a slot looks at: 9, and a week for each holiday.

    Of the first N + 1 named dates, N holidays leave one; it comes within 7 (N + 1)
    days. A search stops at the first slot it finds, so holidays far off cost nothing.
    """
    return _DAYS_SEARCHED + 7 * len(settings.holidays)


# A fixed reveal time comes more than this long after the post (else the next day's).
REVEAL_MIN_GAP = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class PostSlot:
    """One scheduled post: the local date the round belongs to, and its instant (UTC)."""

    day: date
    at: datetime


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """Return the naive local wall time of an instant in a zone."""
    return instant.astimezone(zone).replace(tzinfo=None)


def wall_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Return the instant (UTC) when the wall clock in `zone` shows `at` on `day`.

    A repeated wall time gives its first occurrence; a skipped one, the first
    instant after it (the end of the gap).
    """
    wanted = datetime.combine(day, at.replace(tzinfo=None))
    first = wanted.replace(tzinfo=zone, fold=0)  # fold=0: the earlier of two occurrences
    instant = first.astimezone(UTC)
    if _wall(instant, zone) == wanted:
        return instant
    # A skipped wall time: fold=1 reads it with the offset after the jump (an instant
    # before the gap), fold=0 with the offset before it (an instant after the gap).
    # Halve the span between them, in whole seconds as transitions are: at most 17
    # steps for a gap of a whole day.
    ends = sorted((wanted.replace(tzinfo=zone, fold=1).astimezone(UTC), instant))
    low, high = math.floor(ends[0].timestamp()), math.ceil(ends[1].timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), zone) >= wanted:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


@lru_cache(maxsize=4096)  # asked for the same few days of every group's zone each minute
def _day_exists(day: date, zone: ZoneInfo) -> bool:
    """Tell whether the zone's clocks show `day` at some instant."""
    return _wall(wall_instant(day, time(0), zone), zone).date() == day


def _slot(settings: GroupSettings, day: date, zone: ZoneInfo) -> PostSlot | None:
    """Return the slot of one local date, or None if the schedule does not name it.

    A group's holidays name no slot, whatever their weekday.
    """
    if (
        day.weekday() not in settings.weekdays
        or day in settings.holidays
        or not _day_exists(day, zone)
    ):
        return None
    return PostSlot(day, wall_instant(day, settings.post_time, zone))


def next_post_slot(settings: GroupSettings, after: datetime) -> PostSlot | None:
    """Return the first post slot strictly after `after`, or None if no day is named."""
    zone = settings.zone
    first_day = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(_days_searched(settings)):
        slot = _slot(settings, first_day + timedelta(days=offset), zone)
        if slot is not None and slot.at > after:
            return slot
    return None


def last_post_slot(settings: GroupSettings, now: datetime) -> PostSlot | None:
    """Return the latest post slot at or before `now`, within the last week and a day.

    Holidays lengthen the week by one day each.
    """
    zone = settings.zone
    last_day = now.astimezone(zone).date() + timedelta(days=1)
    for offset in range(_days_searched(settings)):
        slot = _slot(settings, last_day - timedelta(days=offset), zone)
        if slot is not None and slot.at <= now:
            return slot
    return None


def reveal_time_for(settings: GroupSettings, posted_at: datetime) -> datetime:
    """Return when a round posted at `posted_at` is revealed.

    A reveal time is the first occurrence of that wall time more than
    `REVEAL_MIN_GAP` after the post (by the slot rules above); a reveal delay
    is elapsed time, whatever the clocks do meanwhile.
    """
    if settings.reveal_time is None:
        return posted_at + (settings.reveal_after or timedelta(hours=23))
    zone = settings.zone
    day = posted_at.astimezone(zone).date()
    earliest = posted_at + REVEAL_MIN_GAP
    # Within three days some existing date shows the reveal time after `earliest`.
    for offset in range(4):
        candidate = day + timedelta(days=offset)
        if not _day_exists(candidate, zone):
            continue
        at = wall_instant(candidate, settings.reveal_time, zone)
        if at > earliest:
            return at
    return earliest  # unreachable with real zone data; a bounded answer all the same
