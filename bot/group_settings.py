"""A group's settings: reading what admins type, storing, and describing them.

Settings text is split into its parts by `bot.settings_text`; time zones are
read by `bot.time_zones`; every problem found is raised at once in one
`SettingsError`, and nothing is changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.holidays import parse_holidays
from bot.markup import user_text
from bot.model import Difficulty, GroupSettings
from bot.remind_setting import (
    DEFAULT_REMIND_MINUTES,
    describe_remind,
    parse_remind,
    remind_clash,
)
from bot.schedule import REVEAL_MIN_GAP
from bot.settings_errors import SettingsError, quoted
from bot.settings_text import SETTING_KEYS, read_assignments, split_assignments
from bot.time_zones import parse_timezone
from bot.web_setting import web_problems

__all__ = [
    "DAY_NAMES",
    "SETTING_KEYS",
    "MemberIdOf",
    "SettingsError",
    "apply_settings",
    "describe_days",
    "describe_mix",
    "describe_posts",
    "describe_remind",
    "describe_reveal",
    "parse_days",
    "parse_delay",
    "parse_difficulty_mix",
    "parse_time",
    "parse_timezone",
    "plain_member_id",
    "settings_from_json",
    "settings_to_json",
    "split_assignments",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_DELAY = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$", re.IGNORECASE)
_PLAIN_ID = re.compile(r"[\w.-]+")
MIN_REVEAL_DELAY = timedelta(minutes=10)
MAX_REVEAL_DELAY = timedelta(days=6)


MemberIdOf = Callable[[str], str | None]  # the member id a mention in `admins=` names


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
        f"{quoted(text)} is not a time of day. Use 24-hour HH:MM, for example 09:30 or 17:00."
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


_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day(word: str, whole: str) -> int:
    """Return the day a word names: its first three letters or more (`thu`, `thurs`), or `weds`."""
    typed = "wed" if word.strip() == "weds" else word.strip()
    for index, name in enumerate(_FULL_DAY_NAMES):
        if len(typed) >= 3 and name.startswith(typed):
            return index
    raise SettingsError(
        f"{quoted(whole)} is not a list of days. Use mon-fri, mon,wed,fri, daily, weekdays "
        "or weekends."
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
                f"{quoted(text)} is not a difficulty mix. Use mixed, easy, medium, hard, or "
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
        raise SettingsError(
            f"{quoted(text)} is not a duration. Use hours and minutes, e.g. 23h or 90m."
        )
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
            f"Unknown category: {user_text(', '.join(unknown) or text, limit=60)}. "
            f"Categories: {', '.join(known_list)} (or all)."
        )
    return names


def plain_member_id(mention: str) -> str | None:
    """Return the member id a plain word names (the word itself), or None for anything else.

    For chat ports that do not read mentions themselves (see `ports.MentionReading`).
    """
    return mention if _PLAIN_ID.fullmatch(mention) else None


def _parse_admins(text: str, member_id: MemberIdOf) -> tuple[str, ...]:
    words = [w for w in re.split(r"[\s,]+", text.strip()) if w]
    if [w.lower() for w in words] in (["none"], ["-"]):
        return ()
    if any(w.lower() == "none" for w in words):
        raise SettingsError("admins=none lists nobody, so give it alone, without members.")
    ids: dict[str, None] = {}
    unknown: list[str] = []
    for word in words:
        found = member_id(word)
        if found:
            ids.setdefault(found)
        else:
            unknown.append(word)
    if unknown:
        names = [quoted(w) for w in unknown]
        who = f"{names[0]} is"
        if len(names) > 1:
            who = f"{', '.join(names[:-1])} and {names[-1]} are"
        raise SettingsError(
            f"I cannot tell who {who}. Mention each admin: type @ and pick them from the "
            "list, for example admins=@alice,@bob (or admins=none to list nobody)."
        )
    return tuple(ids)


def _parsed(key: str, value: str, categories: Iterable[str], member_id: MemberIdOf) -> Any:
    """Return the value of one setting (raising SettingsError when it cannot be used)."""
    if key == "time":
        return parse_time(value)
    if key == "tz":
        return parse_timezone(value)
    if key == "days":
        return parse_days(value)
    if key == "categories":
        return _parse_categories(value, categories)
    if key == "difficulty":
        return parse_difficulty_mix(value)
    if key == "reveal":
        return _parse_reveal(value)
    if key == "appeals":
        return _parse_appeals(value)
    if key == "recap":
        return _parse_recap(value)
    if key == "remind":
        return parse_remind(value, parse_delay)
    return _parse_admins(value, member_id)


APPEAL_DECIDERS = ("admins", "peers")


def _parse_appeals(value: str) -> str:
    """Return who decides appeals: `admins`, or `peers` (three members of the round)."""
    word = value.strip().lower()
    if word in APPEAL_DECIDERS:
        return word
    raise SettingsError(
        f"appeals={quoted(value.strip()[:20])} is not a choice: appeals=admins (the channel's "
        "admins decide) or appeals=peers (three members who answered the same question)."
    )


def _parse_recap(value: str) -> bool:
    """Return whether the weekly recap is posted: `on` or `off`."""
    word = value.strip().lower()
    if word in ("on", "off"):
        return word == "on"
    raise SettingsError(
        f"recap={quoted(value.strip()[:20])} is not a choice: recap=on (a recap of last week "
        "before the week's first question) or recap=off."
    )


_FIELDS = {
    "time": "post_time",
    "tz": "timezone",
    "days": "weekdays",
    "categories": "categories",
    "difficulty": "difficulty_mix",
    "admins": "admins",
    "appeals": "appeals",
    "recap": "recap",
    "holidays": "holidays",
    "remind": "remind_before",
}


def apply_settings(
    settings: GroupSettings,
    text: str,
    categories: Iterable[str],
    member_id: MemberIdOf = plain_member_id,
    now: datetime | None = None,
) -> tuple[GroupSettings, list[str]]:
    """Return the settings with `key=value` changes applied, and the keys changed.

    `member_id` reads one admin named in `admins=` (a mention as the platform
    writes it). `now` is when the change is made: holidays before the group's
    local date then (in its new time zone) are refused; without it none is.
    Raises SettingsError, changing nothing, listing every part that cannot be
    used, each with what would work.
    """
    problems: list[str] = []
    changes: dict[str, Any] = {}
    keys: list[str] = []
    known = tuple(categories)
    parts = read_assignments(text)
    zone = next((p.value for p in parts if not isinstance(p, str) and p.key == "tz"), None)
    today = _local_today(now, zone, settings)
    for part in parts:
        if isinstance(part, str):
            problems.append(part)
            continue
        if part.key == "web":  # the archive's link lives in its own table (bot.archive_access)
            problems.extend(web_problems(part.value))
            continue
        keys.append(part.key)
        try:
            if part.key == "holidays":
                parsed: Any = parse_holidays(part.value, today)
            else:
                parsed = _parsed(part.key, part.value, known, member_id)
        except SettingsError as exc:
            problems.extend(exc.problems)
            continue
        if part.key == "reveal":
            changes["reveal_after"], changes["reveal_time"] = parsed
        else:
            changes[_FIELDS[part.key]] = parsed
    new = replace(settings, **changes)
    if not problems and ("time" in keys or "reveal" in keys):
        clash = _reveal_clash(new, "reveal" in keys)
        if clash is not None:
            problems.append(clash)
    if not problems and "remind" in keys and (early := remind_clash(new)) is not None:
        problems.append(early)
    if problems:
        raise SettingsError(*problems)
    return new, keys


def _local_today(now: datetime | None, zone: str | None, settings: GroupSettings) -> date:
    """Return the group's local date at `now`, in the zone typed if it is one (date.min: none)."""
    if now is None:
        return date.min
    try:
        tz = parse_timezone(zone) if zone is not None else settings.timezone
    except SettingsError:  # reported with the tz= part
        tz = settings.timezone
    return now.astimezone(ZoneInfo(tz)).date()


def _reveal_clash(settings: GroupSettings, reveal_given: bool) -> str | None:
    """Return why a reveal clock time cannot go with the post time, or None if it can.

    A reveal time comes at the first such wall time more than `REVEAL_MIN_GAP`
    after the post (`schedule.reveal_time_for`): one on the post time or just after
    it would show the answer only a day later, with or after the next question.
    """
    reveal = settings.reveal_time
    if reveal is None:
        return None
    post = settings.post_time
    gap = (_minutes(reveal) - _minutes(post)) % _DAY_MINUTES
    least = int(REVEAL_MIN_GAP.total_seconds() // 60)
    if gap > least:
        return None
    late = "so the answer would come a day late, only after the next question"
    if reveal_given:
        where = "the post time" if gap == 0 else f"{gap} min after the post time"
        return (
            f"reveal={reveal:%H:%M} is {where} {post:%H:%M}, {late}. Reveal more than "
            f"{least} min after {post:%H:%M} (for example reveal={_clock(_minutes(post) + 480)})"
            ", or after a delay such as reveal=8h."
        )
    where = "at the reveal time" if gap == 0 else f"{gap} min before the reveal at"
    return (
        f"time={post:%H:%M} posts {where} {reveal:%H:%M}, {late}. Post more than {least} min "
        f"before {reveal:%H:%M} (for example time={_clock(_minutes(reveal) - 60)}), "
        "or change reveal= too."
    )


_DAY_MINUTES = 24 * 60


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _clock(minutes: int) -> str:
    hours, rest = divmod(minutes % _DAY_MINUTES, 60)
    return f"{hours:02d}:{rest:02d}"


def describe_days(days: frozenset[int]) -> str:
    """Return days of the week as text (`mon-fri`, `daily`, `mon, wed`)."""
    if days == frozenset(range(7)):
        return "daily"
    if days == frozenset(range(5)):
        return "mon-fri"
    return ", ".join(DAY_NAMES[d] for d in sorted(days))


def describe_posts(settings: GroupSettings) -> str:
    """Return when questions are posted, as text (`09:00 Europe/Berlin, mon-fri`)."""
    return f"{settings.post_time:%H:%M} {settings.timezone}, {describe_days(settings.weekdays)}"


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
            "appeals": settings.appeals,
            "recap": settings.recap,
            "holidays": sorted(day.isoformat() for day in settings.holidays),
            "remind_minutes": (
                int(settings.remind_before.total_seconds() // 60)
                if settings.remind_before
                else None
            ),
        },
        sort_keys=True,
    )


def settings_from_json(text: str) -> GroupSettings:
    """Return settings stored by `settings_to_json`."""
    raw: Mapping[str, Any] = json.loads(text)
    default = GroupSettings()
    minutes = raw.get("reveal_after_minutes")
    reveal_time = raw.get("reveal_time")
    remind = raw.get("remind_minutes", DEFAULT_REMIND_MINUTES)  # None: off
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
        appeals=raw.get("appeals", default.appeals),
        recap=bool(raw.get("recap", default.recap)),
        holidays=frozenset(date.fromisoformat(day) for day in raw.get("holidays", ())),
        remind_before=timedelta(minutes=remind) if remind is not None else None,
    )
