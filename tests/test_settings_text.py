"""Reading settings text into its parts, and time zones as admins type them, word for word."""

from __future__ import annotations

import pytest

from bot.group_settings import SettingsError, parse_timezone
from bot.settings_text import Assignment, read_assignments, split_assignments

SETTINGS = (
    "time, tz, days, categories, difficulty, reveal, admins, appeals, recap, holidays, remind, web"
)


def test_every_alias_names_its_setting() -> None:
    text = "timezone=UTC day=mon category=nlp difficulties=hard admin=u1"
    assert split_assignments(text) == {
        "tz": "UTC",
        "days": "mon",
        "categories": "nlp",
        "difficulty": "hard",
        "admins": "u1",
    }
    assert split_assignments("Zone=UTC MIX=easy") == {"tz": "UTC", "difficulty": "easy"}
    assert read_assignments("Time=09:00") == [Assignment("time", "Time", "09:00")]
    assert str(Assignment("tz", "timezone", "UTC")) == "timezone=UTC"


def test_lists_go_on_after_spaces_and_am_pm_after_a_time() -> None:
    assert split_assignments("days=mon tue , wed admins=@a @b") == {
        "days": "mon,tue,wed",
        "admins": "@a,@b",
    }
    assert split_assignments("time=9:30 pm reveal=6 AM") == {"time": "9:30 pm", "reveal": "6 AM"}
    assert split_assignments("categories=nlp , evaluation") == {"categories": "nlp,evaluation"}
    assert split_assignments("admins=U1X UX2") == {"admins": "U1X,UX2"}


def test_an_equals_sign_may_start_the_value() -> None:
    assert split_assignments("tz =Europe/Paris days= mon") == {"tz": "Europe/Paris", "days": "mon"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "tz=UTC pm",
            "'pm' is not a setting. Write key=value, for example time=09:00; settings: "
            f"{SETTINGS}.",
        ),
        (
            "difficulty=hard medium",
            "'medium' is not a setting. Write key=value, for example time=09:00; settings: "
            f"{SETTINGS}.",
        ),
        ("=x", "'=x' has no setting before the =. Write key=value, for example time=09:00."),
        ("colr=blue", f"There is no setting 'colr'. Settings: {SETTINGS}."),
        ("tz=UTC zone", "'zone' needs = and a value, for example tz=Europe/Berlin."),
        ("days=mon categories", "'categories' needs = and a value, for example categories=all."),
        ("reveal=", "'reveal' needs a value after the =, for example reveal=18:00 or reveal=23h."),
        ("admins", "'admins' needs = and a value, for example admins=@alice or admins=none."),
        ("mix=", "'mix' needs a value after the =, for example difficulty=mixed."),
        ("timezon=UTC", f"There is no setting 'timezon'. Settings: {SETTINGS}. Did you mean tz?"),
        ("timing=9", f"There is no setting 'timing'. Settings: {SETTINGS}. Did you mean time?"),
        (
            "dificulty=hard",
            f"There is no setting 'dificulty'. Settings: {SETTINGS}. Did you mean difficulty?",
        ),
    ],
)
def test_each_part_that_is_no_setting_says_what_would_work(text: str, problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        split_assignments(text)
    assert caught.value.problems[-1] == problem


def test_a_setting_given_twice_quotes_both() -> None:
    assert read_assignments("timezone=UTC tz=Europe/Berlin") == [
        Assignment("tz", "timezone", "UTC"),
        "tz is given twice (timezone=UTC and tz=Europe/Berlin). Give each setting once.",
    ]
    long = "x" * 200
    [_, problem] = read_assignments(f"categories={long} category={long}")
    shown = f"categories={'x' * 108}…"  # both, cut at 120 characters
    assert problem == f"categories is given twice ({shown}). Give each setting once."


@pytest.mark.parametrize(
    ("typed", "advice"),
    [
        (
            "UTC+14",
            "'UTC+14' is an offset (UTC+14:00), not a time zone. Its zone is tz=Etc/GMT-14: "
            "Etc/GMT zones have the sign inverted, so Etc/GMT-14 is UTC+14:00. Better, name your "
            "city's zone (such as Europe/Paris), which follows summer time.",
        ),
        (
            "UTC-12",
            "'UTC-12' is an offset (UTC-12:00), not a time zone. Its zone is tz=Etc/GMT+12: "
            "Etc/GMT zones have the sign inverted, so Etc/GMT+12 is UTC-12:00. Better, name your "
            "city's zone (such as Europe/Paris), which follows summer time.",
        ),
        (
            "UTC+15",
            "'UTC+15' is not an offset from UTC. Name the city zone you are in, such as "
            "Europe/Berlin or America/New_York.",
        ),
        (
            "UTC+14:01",
            "'UTC+14:01' is not an offset from UTC. Name the city zone you are in, such as "
            "Europe/Berlin or America/New_York.",
        ),
        (
            "UTC+5:60",
            "'UTC+5:60' is not an offset from UTC. Name the city zone you are in, such as "
            "Europe/Berlin or America/New_York.",
        ),
        (
            "UTC-13",
            "'UTC-13' is not an offset any time zone has. Name the city zone you are in, such as "
            "Europe/Berlin or America/New_York.",
        ),
        (
            "UTC+5:59",
            "'UTC+5:59' is an offset (UTC+05:59), not a time zone, and no Etc/GMT zone has it: "
            "name the city zone you are in.",
        ),
        (
            "UTC-9:30",
            "'UTC-9:30' is an offset (UTC-09:30), not a time zone, and no Etc/GMT zone has it: "
            "name the city zone you are in, for example tz=Pacific/Marquesas.",
        ),
        (
            "UTC+4:15",
            "'UTC+4:15' is an offset (UTC+04:15), not a time zone, and no Etc/GMT zone has it: "
            "name the city zone you are in.",
        ),
        (
            "\u22120530",
            "'\u22120530' is an offset (UTC-05:30), not a time zone, and no Etc/GMT zone has it: "
            "name the city zone you are in.",
        ),
        ("utc+0:00", "'utc+0:00' is UTC: write tz=UTC."),
        ("GMT -0", "'GMT -0' is UTC: write tz=UTC."),
        (
            "Atlantis",
            "'Atlantis' is not a time zone I know. Use an IANA name such as Europe/Berlin, "
            "America/New_York or Asia/Kolkata. Did you mean Atlantic/Azores or Atlantic/Bermuda "
            "or Atlantic/Canary?",
        ),
        (
            "Qqqqqq",
            "'Qqqqqq' is not a time zone I know. Use an IANA name such as Europe/Berlin, "
            "America/New_York or Asia/Kolkata.",
        ),
    ],
)
def test_a_time_zone_that_cannot_be_used_gets_advice(typed: str, advice: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_timezone(typed)
    assert caught.value.problems == (advice,)


def test_a_zone_name_in_any_case_and_spacing_is_the_zone() -> None:
    assert parse_timezone(" europe/PARIS ") == "Europe/Paris"
    assert parse_timezone("Etc/GMT-14") == "Etc/GMT-14"


def test_a_zone_name_60_percent_alike_is_suggested() -> None:
    with pytest.raises(SettingsError) as caught:
        parse_timezone("Nueva York")  # 60% alike
    assert "Did you mean America/New_York" in str(caught.value)


def test_the_suggestions_are_the_three_names_most_alike_from_60_percent() -> None:
    # The rule as written (score >= 60, three at most); the last one here is exactly 60.
    with pytest.raises(SettingsError) as caught:
        parse_timezone("Asuncion")
    assert str(caught.value).endswith(
        "Did you mean America/Asuncion or Indian/Reunion or Asia/Kuching?"
    )
