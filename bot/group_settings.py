"""A group's settings: parsing what admins type, storing, and describing them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from rapidfuzz import fuzz, process

from bot.markup import user_text
from bot.model import Difficulty, GroupSettings
from bot.schedule import REVEAL_MIN_GAP

__all__ = [
    "DAY_NAMES",
    "SETTING_KEYS",
    "MemberIdOf",
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
    "plain_member_id",
    "settings_from_json",
    "settings_to_json",
    "split_assignments",
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
# An offset from UTC typed as a time zone: UTC+1, GMT-5, UTC+05:00, +0530 (and a real minus).
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+\-\u2212])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
# A city zone of each offset that is not whole hours (no Etc/GMT zone has those), in minutes.
_PART_HOUR_CITIES = {
    -570: "Pacific/Marquesas",
    -210: "America/St_Johns",
    210: "Asia/Tehran",
    270: "Asia/Kabul",
    330: "Asia/Kolkata",
    345: "Asia/Kathmandu",
    390: "Asia/Yangon",
    525: "Australia/Eucla",
    570: "Australia/Darwin",
    630: "Australia/Lord_Howe",
    765: "Pacific/Chatham",
}
_CITY_ADVICE = "Name the city zone you are in, such as Europe/Berlin or America/New_York."
_PLAIN_ID = re.compile(r"[\w.-]+")
# Settings that take a list: a word after them without `=` goes on with the list.
_LIST_KEYS = frozenset({"days", "categories", "admins"})
_EXAMPLES = {
    "time": "time=09:00",
    "tz": "tz=Europe/Berlin",
    "days": "days=mon-fri",
    "categories": "categories=all",
    "difficulty": "difficulty=mixed",
    "reveal": "reveal=18:00 or reveal=23h",
    "admins": "admins=@alice or admins=none",
}
MIN_REVEAL_DELAY = timedelta(minutes=10)
MAX_REVEAL_DELAY = timedelta(days=6)


MemberIdOf = Callable[[str], str | None]  # the member id a mention in `admins=` names


class SettingsError(ValueError):
    """Settings the admin typed cannot be used: each problem says why and what works.

    It carries every problem found in one command (`problems`), one line each.
    """

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems: tuple[str, ...] = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


def _quoted(text: str) -> str:
    """Return what a member typed, quoted inert in a reply (no mentions, no formatting)."""
    return f"'{user_text(text, limit=60)}'"


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
        f"{_quoted(text)} is not a time of day. Use 24-hour HH:MM, for example 09:30 or 17:00."
    )


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def parse_timezone(text: str) -> str:
    """Check an IANA time zone name such as `Europe/Berlin` and return it.

    An offset (`UTC+1`, `GMT-5`, `+05:30`) is refused with the zone that means it.
    """
    name = text.strip()
    canonical = {zone.lower(): zone for zone in _zone_names()}.get(name.lower())
    if canonical is not None:
        return canonical
    offset = _OFFSET.match(name)
    if offset is not None:
        raise SettingsError(_offset_advice(name, offset))
    close = [m for m, score, _ in process.extract(name, _zone_names(), limit=3) if score >= 60]
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    raise SettingsError(
        f"{_quoted(name)} is not a time zone I know. Use an IANA name such as Europe/Berlin, "
        f"America/New_York or Asia/Kolkata.{hint}"
    )


def _offset_advice(name: str, offset: re.Match[str]) -> str:
    """Return which zone an offset from UTC such as `UTC+1` is, as advice to give instead."""
    sign = -1 if offset.group(1) in ("-", "\u2212") else 1
    hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
    if minutes > 59 or hours * 60 + minutes > 14 * 60:
        return f"{_quoted(name)} is not an offset from UTC. {_CITY_ADVICE}"
    if hours == minutes == 0:
        return f"{_quoted(name)} is UTC: write tz=UTC."
    shown = f"UTC{'+' if sign > 0 else '-'}{hours:02d}:{minutes:02d}"
    if minutes:
        city = _PART_HOUR_CITIES.get(sign * (hours * 60 + minutes))
        example = f", for example tz={city}" if city else ""
        return (
            f"{_quoted(name)} is an offset ({shown}), not a time zone, and no Etc/GMT zone "
            f"has it: name the city zone you are in{example}."
        )
    etc = f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"
    if hours > (14 if sign > 0 else 12):
        return f"{_quoted(name)} is not an offset any time zone has. {_CITY_ADVICE}"
    return (
        f"{_quoted(name)} is an offset ({shown}), not a time zone. Its zone is tz={etc}: "
        f"Etc/GMT zones have the sign inverted, so {etc} is {shown}. Better, name your city's "
        "zone (such as Europe/Paris), which follows summer time."
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
        f"{_quoted(whole)} is not a list of days. Use mon-fri, mon,wed,fri, daily, weekdays "
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
                f"{_quoted(text)} is not a difficulty mix. Use mixed, easy, medium, hard, or "
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
            f"{_quoted(text)} is not a duration. Use hours and minutes, e.g. 23h or 90m."
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
        quoted = [_quoted(w) for w in unknown]
        who = f"{quoted[0]} is"
        if len(quoted) > 1:
            who = f"{', '.join(quoted[:-1])} and {quoted[-1]} are"
        raise SettingsError(
            f"I cannot tell who {who}. Mention each admin: type @ and pick them from the "
            "list, for example admins=@alice,@bob (or admins=none to list nobody)."
        )
    return tuple(ids)


@dataclass(frozen=True, slots=True)
class _Assignment:
    """One `key=value` as typed: the setting it names, the key as written, and the value."""

    key: str
    typed: str
    value: str

    def __str__(self) -> str:
        return f"{self.typed}={self.value}"


def _canonical_key(word: str) -> str:
    return _KEY_ALIASES.get(word.lower(), word.lower())


def _continues(previous: _Assignment | None, word: str) -> bool:
    """Tell whether a word without `=` goes on with the value before it (a list, or am/pm)."""
    if previous is None or "=" in word:
        return False
    if previous.key in _LIST_KEYS:
        return True
    return previous.key in ("time", "reveal") and word.lower() in ("am", "pm")


def _assignments(text: str) -> list[_Assignment | str]:
    """Return the `key=value` parts of text, and a problem for each other part, in order.

    Spaces may stand around `=` (`time = 09:00`); a list may go on after a
    comma or a space (`days=mon, wed`, `admins=@alice @bob`).
    """
    words = text.split()
    found: list[_Assignment | str] = []
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        key, sep, value = word.partition("=")
        if not sep and i < len(words) and words[i].startswith("="):  # `time =09:00`
            sep, value = "=", words[i][1:]
            i += 1
        if sep and not value and i < len(words) and "=" not in words[i]:  # `time= 09:00`
            value = words[i]
            i += 1
        previous = found[-1] if found and isinstance(found[-1], _Assignment) else None
        if not sep and previous is not None and _continues(previous, word):
            joiner = " " if previous.key in ("time", "reveal") else ","
            found[-1] = replace(previous, value=f"{previous.value.rstrip(',')}{joiner}{word}")
        elif not key:
            found.append(
                f"{_quoted(word)} has no setting before the =. Write key=value, for example "
                "time=09:00."
            )
        elif _canonical_key(key) not in SETTING_KEYS:
            found.append(_unknown_key(key, sep))
        elif not sep:
            found.append(
                f"{_quoted(key)} needs = and a value, for example {_EXAMPLES[_canonical_key(key)]}."
            )
        elif not value:
            found.append(
                f"{_quoted(key)} needs a value after the =, for example "
                f"{_EXAMPLES[_canonical_key(key)]}."
            )
        else:
            found.append(_Assignment(_canonical_key(key), key, value))
    return found


def _unknown_key(key: str, sep: str) -> str:
    if not sep:
        return (
            f"{_quoted(key)} is not a setting. Write key=value, for example time=09:00; "
            f"settings: {', '.join(SETTING_KEYS)}."
        )
    names = (*SETTING_KEYS, *_KEY_ALIASES)
    close = [
        m
        for m, score, _ in process.extract(key.lower(), names, scorer=fuzz.ratio, limit=1)
        if score >= 60
    ]
    hint = f" Did you mean {_canonical_key(close[0])}?" if close else ""
    return f"There is no setting {_quoted(key)}. Settings: {', '.join(SETTING_KEYS)}.{hint}"


def _pairs(text: str) -> list[_Assignment | str]:
    """Return the settings text gives, and a problem for each other part, in order.

    A setting given again (`tz=` after `timezone=`: one setting) is a problem.
    """
    seen: dict[str, _Assignment] = {}
    found: list[_Assignment | str] = []
    for part in _assignments(text):
        if isinstance(part, _Assignment) and part.key in seen:
            first = seen[part.key]
            both = user_text(f"{first} and {part}", limit=120)
            part = f"{part.key} is given twice ({both}). Give each setting once."
        elif isinstance(part, _Assignment):
            seen[part.key] = part
        found.append(part)
    return found


def split_assignments(text: str) -> dict[str, str]:
    """Split `key=value key=value` into a mapping with canonical keys.

    Raises SettingsError listing every part that is not a usable `key=value`,
    and every setting given twice (`tz=` and `timezone=` are one setting).
    """
    found = _pairs(text)
    problems = [part for part in found if isinstance(part, str)]
    if problems:
        raise SettingsError(*problems)
    return {part.key: part.value for part in found if isinstance(part, _Assignment)}


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
    return _parse_admins(value, member_id)


_FIELDS = {
    "time": "post_time",
    "tz": "timezone",
    "days": "weekdays",
    "categories": "categories",
    "difficulty": "difficulty_mix",
    "admins": "admins",
}


def apply_settings(
    settings: GroupSettings,
    text: str,
    categories: Iterable[str],
    member_id: MemberIdOf = plain_member_id,
) -> tuple[GroupSettings, list[str]]:
    """Return the settings with `key=value` changes applied, and the keys changed.

    `member_id` reads one admin named in `admins=` (a mention as the platform
    writes it). Raises SettingsError, changing nothing, listing every part that
    cannot be used, each with what would work.
    """
    problems: list[str] = []
    changes: dict[str, Any] = {}
    keys: list[str] = []
    known = tuple(categories)
    for part in _pairs(text):
        if isinstance(part, str):
            problems.append(part)
            continue
        keys.append(part.key)
        try:
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
    if problems:
        raise SettingsError(*problems)
    return new, keys


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
