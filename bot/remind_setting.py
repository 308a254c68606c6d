"""The `remind=` group setting: how long before the reveal members get a private reminder.

`remind=2h` (the default), `remind=1h30m`, `remind=45m` or `remind=off`. A
reminder comes at least a minute and at most 24 hours before the reveal, and
after the question is posted (less than the reveal delay before the reveal).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from bot.model import GroupSettings
from bot.settings_errors import SettingsError, quoted

__all__ = [
    "DEFAULT_REMIND_MINUTES",
    "MAX_REMIND_BEFORE",
    "describe_remind",
    "parse_remind",
    "remind_clash",
    "reminder_time",
    "written_duration",
]

MAX_REMIND_BEFORE = timedelta(hours=24)
DEFAULT_REMIND_MINUTES = 120  # what settings stored before reminders came get
_DAY_MINUTES = 24 * 60


def written_duration(delay: timedelta) -> str:
    """Return a duration as settings write it: `2h`, `1h30m`, `45m`."""
    hours, rest = divmod(int(delay.total_seconds()), 3600)
    minutes = rest // 60
    if not hours:
        return f"{minutes}m"
    return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"


def parse_remind(value: str, parse_delay: Callable[[str], timedelta]) -> timedelta | None:
    """Return how long before the reveal members are reminded: a duration, or None (`off`).

    `parse_delay` reads a duration as every delay setting does (`2h`, `1h30m`).
    """
    word = value.strip().lower()
    if word in ("off", "none"):
        return None
    shown = quoted(value.strip()[:20])
    try:
        before = parse_delay(word)
    except SettingsError:
        raise SettingsError(
            f"remind={shown} is not a duration: give the time before the reveal, e.g. "
            "remind=2h or remind=1h30m, or remind=off."
        ) from None
    if before <= timedelta(0):
        raise SettingsError(
            f"remind={shown} would remind nobody before the reveal: give at least 1 minute, "
            "e.g. remind=30m, or remind=off."
        )
    if before > MAX_REMIND_BEFORE:
        raise SettingsError(
            f"remind={shown} is more than 24 hours before the reveal: give at most 24h, "
            "e.g. remind=2h, or remind=off."
        )
    return before


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def remind_clash(settings: GroupSettings) -> str | None:
    """Return why the reminder cannot come that long before the reveal, or None if it can.

    It must come after the question is posted: less than the reveal delay before
    the reveal (with a reveal time, the time from the post time to it).
    """
    before = settings.remind_before
    if before is None:
        return None
    if settings.reveal_time is not None:
        gap = (_minutes(settings.reveal_time) - _minutes(settings.post_time)) % _DAY_MINUTES
        delay = timedelta(minutes=gap or _DAY_MINUTES)
    else:
        delay = settings.reveal_after or timedelta(hours=23)
    if before < delay:
        return None
    return (
        f"remind={written_duration(before)} would come before the question is posted: the "
        f"answer is revealed {written_duration(delay)} after the post. Remind less than "
        f"{written_duration(delay)} before the reveal (e.g. remind=1h), or remind=off."
    )


def describe_remind(settings: GroupSettings) -> str:
    """Return when members who have not answered are reminded, as text."""
    if settings.remind_before is None:
        return "off"
    return f"{written_duration(settings.remind_before)} before the reveal"


def reminder_time(
    settings: GroupSettings, posted_at: datetime, reveal_at: datetime
) -> datetime | None:
    """Return when a round posted at `posted_at` reminds its members, or None for no reminder.

    `remind_before` ahead of the reveal; none when reminders are off, or when that
    time comes before the post (a reveal delay shorter than the reminder's).
    """
    if settings.remind_before is None:
        return None
    at = reveal_at - settings.remind_before
    return at if at >= posted_at else None
