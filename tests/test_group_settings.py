from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.group_settings import (
    SettingsError,
    apply_settings,
    parse_days,
    parse_difficulty_mix,
    parse_time,
    parse_timezone,
    settings_from_json,
    settings_to_json,
)
from bot.model import GroupSettings

CATS = ("evaluation", "nlp")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:30", time(9, 30)),
        ("9:05", time(9, 5)),
        ("5pm", time(17, 0)),
        ("12am", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "9", "12:60", "13pm", "noon", ""])
def test_bad_times(text: str) -> None:
    with pytest.raises(SettingsError, match="HH:MM"):
        parse_time(text)


def test_time_zones() -> None:
    assert parse_timezone("Asia/Kolkata") == "Asia/Kolkata"
    assert parse_timezone("utc") == "UTC"
    assert parse_timezone("europe/berlin") == "Europe/Berlin"
    with pytest.raises(SettingsError, match="Did you mean America/New_York"):
        parse_timezone("America/NewYork")


def test_days_and_mix() -> None:
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days("Monday,wed") == frozenset({0, 2})
    assert parse_days("weekends") == frozenset({5, 6})
    assert parse_difficulty_mix("hard") == (("easy", 0), ("medium", 0), ("hard", 1))
    assert parse_difficulty_mix("easy:2,hard:1") == (("easy", 2), ("medium", 0), ("hard", 1))
    with pytest.raises(SettingsError):
        parse_difficulty_mix("easy:0")


def test_apply_is_all_or_nothing_and_round_trips() -> None:
    base = GroupSettings()
    new, keys = apply_settings(base, "time=07:15 tz=Europe/Paris reveal=18:00 categories=nlp", CATS)
    assert keys == ["time", "tz", "reveal", "categories"]
    assert (new.post_time, new.timezone, new.reveal_time, new.categories) == (
        time(7, 15),
        "Europe/Paris",
        time(18, 0),
        ("nlp",),
    )
    assert settings_from_json(settings_to_json(new)) == new
    new, _ = apply_settings(base, "reveal=1h30m admins=<@U1>,U2", CATS)
    assert new.reveal_after == timedelta(minutes=90) and new.admins == ("U1", "U2")
    with pytest.raises(SettingsError):
        apply_settings(base, "time=07:15 categories=astrology", CATS)
