"""A group's settings: parsing what admins type, storing, and describing them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from rapidfuzz import process

from bot.model import Difficulty, GroupSettings

__all__ = [
    "DAY_NAMES",
    "SETTING_KEYS",
    "SettingsError",
    "apply_settings",
    "describe_days",
    "describe_mix",
    "describe_reveal",
    "parse_days",
    "parse_delay",
    "parse_difficulty_mix",
    "parse_time",
    "parse_timezone",
    "settings_from_json",
    "settings_to_json",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SETTING_KEYS = ("time", "tz", "days", "categories", "difficulty", "reveal", "admins")
_KEY_ALIASES = {
    "timezone": "tz",
    "zone": "tz",
    "day": "days",
    "category": "categories",
    "difficulties": "difficulty",
    "mix": "difficulty",
    "admin": "admins",
}
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_DELAY = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$", re.IGNORECASE)
MIN_REVEAL_DELAY = timedelta(minutes=10)
MAX_REVEAL_DELAY = timedelta(days=6)


class SettingsError(ValueError):
    """A setting the admin typed cannot be used; the message says why and what works."""


def parse_time(text: str) -> time:
    """Parse a time of day such as `09:30`, `9:30`, `17:00` or `5pm`."""
    found = _TIME.match(text.strip())
    if found:
        hour, minute = int(found.group(1)), int(found.group(2) or 0)
        suffix = (found.group(3) or "").lower()
        if suffix and 1 <= hour <= 12:
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        elif suffix:
            hour = 99
        if 0 <= hour <= 23 and 0 <= minute <= 59 and (found.group(2) or suffix):
            return time(hour, minute)
    raise SettingsError(
        f"'{text}' is not a time of day. Use 24-hour HH:MM, for example 09:30 or 17:00."
    )


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def parse_timezone(text: str) -> str:
    """Check an IANA time zone name such as `Europe/Berlin` and return it."""
    name = text.strip()
    canonical = {zone.lower(): zone for zone in _zone_names()}.get(name.lower())
    if canonical is not None:
        return canonical
    close = [m for m, score, _ in process.extract(name, _zone_names(), limit=3) if score >= 60]
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    raise SettingsError(
        f"'{name}' is not a time zone I know. Use an IANA name such as Europe/Berlin, "
        f"America/New_York or Asia/Kolkata.{hint}"
    )


def parse_days(text: str) -> frozenset[int]:
    """Parse days of the week: `mon-fri`, `mon,wed,fri`, `daily`, `weekdays`, `weekends`."""
    value = text.strip().lower()
    named = {
        "daily": range(7),
        "everyday": range(7),
        "all": range(7),
        "weekdays": range(5),
        "weekends": range(5, 7),
    }
    if value in named:
        return frozenset(named[value])
    days: set[int] = set()
    for part in filter(None, (p.strip() for p in value.split(","))):
        if "-" in part:
            start, _, end = part.partition("-")
            a, b = _day(start, text), _day(end, text)
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        else:
            days.add(_day(part, text))
    if not days:
        raise SettingsError("Give at least one day, for example mon-fri or mon,wed,fri.")
    return frozenset(days)


def _day(word: str, whole: str) -> int:
    short = word.strip()[:3]
    if short in DAY_NAMES and DAY_NAMES[DAY_NAMES.index(short)].startswith(short):
        return DAY_NAMES.index(short)
    raise SettingsError(
        f"'{whole}' is not a list of days. Use mon-fri, mon,wed,fri, daily, weekdays or weekends."
    )


def parse_difficulty_mix(text: str) -> tuple[tuple[str, int], ...]:
    """Parse a difficulty mix: `mixed`, one level (`hard`), or weights (`easy:1,hard:2`)."""
    value = text.strip().lower()
    if value in ("mixed", "default", "all"):
        return GroupSettings().difficulty_mix
    levels = [d.value for d in Difficulty]
    if value in levels:
        return tuple((lv, 1 if lv == value else 0) for lv in levels)
    weights = dict.fromkeys(levels, 0)
    for part in filter(None, value.split(",")):
        name, _, weight = part.partition(":")
        name = name.strip()
        if name not in weights or not weight.strip().isdigit() or int(weight) > 10:
            raise SettingsError(
                f"'{text}' is not a difficulty mix. Use mixed, easy, medium, hard, or "
                "weights from 0 to 10 such as easy:1,medium:2,hard:1."
            )
        weights[name] = int(weight)
    if not any(weights.values()):
        raise SettingsError("A difficulty mix needs at least one level with a weight above 0.")
    return tuple(weights.items())


def parse_delay(text: str) -> timedelta:
    """Parse a duration such as `23h`, `90m`, `1d` or `1h30m`."""
    found = _DELAY.match(text.strip())
    if not found or not any(found.groups()):
        raise SettingsError(f"'{text}' is not a duration. Use hours and minutes, e.g. 23h or 90m.")
    days, hours, minutes = (int(g or 0) for g in found.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _parse_reveal(text: str) -> tuple[timedelta | None, time | None]:
    if ":" in text or text.lower().endswith(("am", "pm")):
        return None, parse_time(text)
    delay = parse_delay(text)
    if not MIN_REVEAL_DELAY <= delay <= MAX_REVEAL_DELAY:
        raise SettingsError("The reveal delay must be between 10 minutes and 6 days.")
    return delay, None


def _parse_categories(text: str, known: Iterable[str]) -> tuple[str, ...]:
    value = text.strip().lower()
    if value in ("all", "any", "*"):
        return ()
    names = tuple(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))
    known_list = list(known)
    unknown = [n for n in names if n not in known_list]
    if unknown or not names:
        raise SettingsError(
            f"Unknown category: {', '.join(unknown) or text}. "
            f"Categories: {', '.join(known_list)} (or all)."
        )
    return names


def _parse_admins(text: str) -> tuple[str, ...]:
    value = text.strip()
    if value.lower() in ("none", "-", ""):
        return ()
    ids = [re.sub(r"^<[@!]*|>$", "", p.strip()) for p in value.split(",")]
    return tuple(dict.fromkeys(i for i in ids if i))


def split_assignments(text: str) -> dict[str, str]:
    """Split `key=value key=value` into a mapping with canonical keys."""
    pairs: dict[str, str] = {}
    for token in text.split():
        key, sep, value = token.partition("=")
        key = _KEY_ALIASES.get(key.lower(), key.lower())
        if not sep or not value:
            raise SettingsError(
                f"'{token}' is not a setting. Write key=value, for example time=09:00; "
                f"keys: {', '.join(SETTING_KEYS)}."
            )
        if key not in SETTING_KEYS:
            raise SettingsError(
                f"There is no setting '{key}'. Settings: {', '.join(SETTING_KEYS)}."
            )
        pairs[key] = value
    return pairs


def apply_settings(
    settings: GroupSettings, text: str, categories: Iterable[str]
) -> tuple[GroupSettings, list[str]]:
    """Return the settings with `key=value` changes applied, and the keys changed.

    Raises SettingsError, changing nothing, when any part cannot be used.
    """
    pairs = split_assignments(text)
    changes: dict[str, Any] = {}
    for key, value in pairs.items():
        if key == "time":
            changes["post_time"] = parse_time(value)
        elif key == "tz":
            changes["timezone"] = parse_timezone(value)
        elif key == "days":
            changes["weekdays"] = parse_days(value)
        elif key == "categories":
            changes["categories"] = _parse_categories(value, categories)
        elif key == "difficulty":
            changes["difficulty_mix"] = parse_difficulty_mix(value)
        elif key == "reveal":
            changes["reveal_after"], changes["reveal_time"] = _parse_reveal(value)
        elif key == "admins":
            changes["admins"] = _parse_admins(value)
    return replace(settings, **changes), list(pairs)


def describe_days(days: frozenset[int]) -> str:
    """Return days of the week as text (`mon-fri`, `daily`, `mon, wed`)."""
    if days == frozenset(range(7)):
        return "daily"
    if days == frozenset(range(5)):
        return "mon-fri"
    return ", ".join(DAY_NAMES[d] for d in sorted(days))


def describe_mix(mix: tuple[tuple[str, int], ...]) -> str:
    """Return a difficulty mix as text."""
    return ", ".join(f"{name} {weight}" for name, weight in mix if weight)


def describe_reveal(settings: GroupSettings) -> str:
    """Return when the answer of a round is revealed, as text."""
    if settings.reveal_time is not None:
        return f"at {settings.reveal_time:%H:%M} ({settings.timezone})"
    delay = settings.reveal_after or timedelta(hours=23)
    hours, rest = divmod(int(delay.total_seconds()), 3600)
    minutes = rest // 60
    return f"{hours}h{minutes:02d}m after posting" if minutes else f"{hours}h after posting"


def settings_to_json(settings: GroupSettings) -> str:
    """Return settings as JSON for storage."""
    return json.dumps(
        {
            "post_time": settings.post_time.strftime("%H:%M"),
            "timezone": settings.timezone,
            "weekdays": sorted(settings.weekdays),
            "categories": list(settings.categories),
            "difficulty_mix": [list(p) for p in settings.difficulty_mix],
            "reveal_after_minutes": (
                int(settings.reveal_after.total_seconds() // 60)
                if settings.reveal_after is not None
                else None
            ),
            "reveal_time": settings.reveal_time.strftime("%H:%M") if settings.reveal_time else None,
            "paused": settings.paused,
            "admins": list(settings.admins),
            "founder": settings.founder,
            "blocked": settings.blocked,
        },
        sort_keys=True,
    )


def settings_from_json(text: str) -> GroupSettings:
    """Return settings stored by `settings_to_json`."""
    raw: Mapping[str, Any] = json.loads(text)
    default = GroupSettings()
    minutes = raw.get("reveal_after_minutes")
    reveal_time = raw.get("reveal_time")
    return GroupSettings(
        post_time=time.fromisoformat(raw.get("post_time", "09:00")),
        timezone=raw.get("timezone", default.timezone),
        weekdays=frozenset(raw.get("weekdays", sorted(default.weekdays))),
        categories=tuple(raw.get("categories", ())),
        difficulty_mix=tuple((str(n), int(w)) for n, w in raw.get("difficulty_mix", ()))
        or default.difficulty_mix,
        reveal_after=timedelta(minutes=minutes) if minutes is not None else None,
        reveal_time=time.fromisoformat(reveal_time) if reveal_time else None,
        paused=bool(raw.get("paused", False)),
        admins=tuple(raw.get("admins", ())),
        founder=raw.get("founder"),
        blocked=raw.get("blocked"),
    )
