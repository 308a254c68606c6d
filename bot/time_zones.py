"""The time zone of a group, as an admin types it: IANA names, and offsets explained.

An offset such as `UTC+1` names no zone that follows its place's summer time,
and POSIX `Etc/GMT` zones have the sign inverted (`Etc/GMT+1` is UTC-1), so an
offset is refused with the zone that means it, or a city zone for offsets that
are not whole hours.
"""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import available_timezones

from rapidfuzz import process

from bot.settings_errors import SettingsError, quoted

__all__ = ["parse_timezone"]

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
        f"{quoted(name)} is not a time zone I know. Use an IANA name such as Europe/Berlin, "
        f"America/New_York or Asia/Kolkata.{hint}"
    )


def _offset_advice(name: str, offset: re.Match[str]) -> str:
    """Return which zone an offset from UTC such as `UTC+1` is, as advice to give instead."""
    sign = -1 if offset.group(1) in ("-", "\u2212") else 1
    hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
    if minutes > 59 or hours * 60 + minutes > 14 * 60:
        return f"{quoted(name)} is not an offset from UTC. {_CITY_ADVICE}"
    if hours == minutes == 0:
        return f"{quoted(name)} is UTC: write tz=UTC."
    shown = f"UTC{'+' if sign > 0 else '-'}{hours:02d}:{minutes:02d}"
    if minutes:
        city = _PART_HOUR_CITIES.get(sign * (hours * 60 + minutes))
        example = f", for example tz={city}" if city else ""
        return (
            f"{quoted(name)} is an offset ({shown}), not a time zone, and no Etc/GMT zone "
            f"has it: name the city zone you are in{example}."
        )
    etc = f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"
    if hours > (14 if sign > 0 else 12):
        return f"{quoted(name)} is not an offset any time zone has. {_CITY_ADVICE}"
    return (
        f"{quoted(name)} is an offset ({shown}), not a time zone. Its zone is tz={etc}: "
        f"Etc/GMT zones have the sign inverted, so {etc} is {shown}. Better, name your city's "
        "zone (such as Europe/Paris), which follows summer time."
    )
