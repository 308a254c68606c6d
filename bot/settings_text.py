"""Reading settings text (`time=09:00 tz = Europe/Berlin days=mon, wed`) into its parts.

Each part is a `key=value` (`Assignment`) or a problem saying what is wrong
with it and what would work, in the order typed, so that a reply can list
every problem at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from bot.markup import user_text
from bot.settings_errors import SettingsError, quoted

__all__ = ["SETTING_KEYS", "Assignment", "read_assignments", "split_assignments"]

SETTING_KEYS = (
    "time",
    "tz",
    "days",
    "categories",
    "difficulty",
    "reveal",
    "admins",
    "appeals",
    "recap",
    "holidays",
    "remind",
    "web",
)

_KEY_ALIASES = {
    "timezone": "tz",
    "zone": "tz",
    "day": "days",
    "category": "categories",
    "difficulties": "difficulty",
    "mix": "difficulty",
    "admin": "admins",
    "holiday": "holidays",
    "reminder": "remind",
    "reminders": "remind",
    "archive": "web",
}

# Settings that take a list: a word after them without `=` goes on with the list.
_LIST_KEYS = frozenset({"days", "categories", "admins", "holidays"})

_EXAMPLES = {
    "time": "time=09:00",
    "tz": "tz=Europe/Berlin",
    "days": "days=mon-fri",
    "categories": "categories=all",
    "difficulty": "difficulty=mixed",
    "reveal": "reveal=18:00 or reveal=23h",
    "appeals": "appeals=admins or appeals=peers",
    "recap": "recap=on or recap=off",
    "remind": "remind=2h, remind=1h30m or remind=off",
    "admins": "admins=@alice or admins=none",
    "holidays": "holidays=2026-12-24..2026-12-26,2027-01-01 or holidays=none",
    "web": "web=on, web=answers or web=off",
}


@dataclass(frozen=True, slots=True)
class Assignment:
    """One `key=value` as typed: the setting it names, the key as written, and the value."""

    key: str
    typed: str
    value: str

    def __str__(self) -> str:
        return f"{self.typed}={self.value}"


def _canonical_key(word: str) -> str:
    return _KEY_ALIASES.get(word.lower(), word.lower())


def _continues(previous: Assignment | None, word: str) -> bool:
    """Tell whether a word without `=` goes on with the value before it (a list, or am/pm).

    A setting's name does not (`days=mon time 10:00` lacks an `=`, not a day).
    """
    if previous is None or "=" in word or _canonical_key(word) in SETTING_KEYS:
        return False
    if previous.key in _LIST_KEYS:
        return True
    return previous.key in ("time", "reveal") and word.lower() in ("am", "pm")


def _assignments(text: str) -> list[Assignment | str]:
    """Return the `key=value` parts of text, and a problem for each other part, in order.

    Spaces may stand around `=` (`time = 09:00`); a list may go on after a
    comma or a space (`days=mon, wed`, `admins=@alice @bob`).
    """
    words = text.split()
    found: list[Assignment | str] = []
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
        previous = found[-1] if found and isinstance(found[-1], Assignment) else None
        if not sep and previous is not None and _continues(previous, word):
            joiner = " " if previous.key in ("time", "reveal") else ","
            found[-1] = replace(previous, value=f"{previous.value.rstrip(',')}{joiner}{word}")
        elif not key:
            found.append(
                f"{quoted(word)} has no setting before the =. Write key=value, for example "
                "time=09:00."
            )
        elif _canonical_key(key) not in SETTING_KEYS:
            found.append(_unknown_key(key, sep))
        elif not sep:
            found.append(
                f"{quoted(key)} needs = and a value, for example {_EXAMPLES[_canonical_key(key)]}."
            )
        elif not value:
            found.append(
                f"{quoted(key)} needs a value after the =, for example "
                f"{_EXAMPLES[_canonical_key(key)]}."
            )
        else:
            found.append(Assignment(_canonical_key(key), key, value))
    return found


def _unknown_key(key: str, sep: str) -> str:
    if not sep:
        return (
            f"{quoted(key)} is not a setting. Write key=value, for example time=09:00; "
            f"settings: {', '.join(SETTING_KEYS)}."
        )
    names = (*SETTING_KEYS, *_KEY_ALIASES)
    close = [
        m
        for m, score, _ in process.extract(key.lower(), names, scorer=fuzz.ratio, limit=1)
        if score >= 60
    ]
    hint = f" Did you mean {_canonical_key(close[0])}?" if close else ""
    return f"There is no setting {quoted(key)}. Settings: {', '.join(SETTING_KEYS)}.{hint}"


def read_assignments(text: str) -> list[Assignment | str]:
    """Return the settings text gives, and a problem for each other part, in order.

    A setting given again (`tz=` after `timezone=`: one setting) is a problem.
    """
    seen: dict[str, Assignment] = {}
    found: list[Assignment | str] = []
    for part in _assignments(text):
        if isinstance(part, Assignment) and part.key in seen:
            first = seen[part.key]
            both = user_text(f"{first} and {part}", limit=120)
            part = f"{part.key} is given twice ({both}). Give each setting once."
        elif isinstance(part, Assignment):
            seen[part.key] = part
        found.append(part)
    return found


def split_assignments(text: str) -> dict[str, str]:
    """Split `key=value key=value` into a mapping with canonical keys.

    Raises SettingsError listing every part that is not a usable `key=value`,
    and every setting given twice (`tz=` and `timezone=` are one setting).
    """
    found = read_assignments(text)
    problems = [part for part in found if isinstance(part, str)]
    if problems:
        raise SettingsError(*problems)
    return {part.key: part.value for part in found if isinstance(part, Assignment)}
