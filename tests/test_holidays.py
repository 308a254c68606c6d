"""Holidays as admins type them (`holidays=2026-12-24..2026-12-26,2027-01-01`) and see them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.holidays import (
    MAX_HOLIDAYS,
    describe_holidays,
    holiday_runs,
    parse_holidays,
    upcoming_holidays,
)
from bot.settings_errors import SettingsError

TODAY = date(2026, 12, 8)


def days(first: str, last: str) -> set[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(n) for n in range((end - start).days + 1)}


def test_ranges_and_single_dates_comma_separated() -> None:
    got = parse_holidays("2026-12-24..2026-12-26,2027-01-01", TODAY)
    assert got == {*days("2026-12-24", "2026-12-26"), date(2027, 1, 1)}
    assert parse_holidays(" 2026-12-24 .. 2026-12-25 , ,2026-12-25", TODAY) == days(
        "2026-12-24", "2026-12-25"
    )
    assert parse_holidays(TODAY.isoformat(), TODAY) == {TODAY}  # today is not past


@pytest.mark.parametrize("word", ["none", "NONE", "-"])
def test_none_clears_the_holidays(word: str) -> None:
    assert parse_holidays(word, TODAY) == frozenset()


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        (
            "2026-12-26..2026-12-24",
            "'2026-12-26..2026-12-24' ends before it starts. Write the earlier date first: "
            "2026-12-24..2026-12-26.",
        ),
        ("2026-13-01", "'2026-13-01' is not a date or a range of dates."),
        ("2026-02-30", "'2026-02-30' is not a date or a range of dates."),
        ("24/12", "'24/12' is not a date or a range of dates."),
        ("20261224", "'20261224' is not a date or a range of dates."),
        ("2026-12-24..", "'2026-12-24..' is not a date or a range of dates."),
        (
            "2026-11-01",
            "2026-11-01 is in the past (today is 2026-12-08 here). Give holidays from today on.",
        ),
        ("2026-12-07..2026-12-09", "2026-12-07 is in the past"),
        ("none,2027-01-01", "holidays=none clears the holidays, so give it alone"),
        (",", "Give at least one date"),
    ],
)
def test_bad_holidays_say_what_is_wrong(typed: str, problem: str) -> None:
    with pytest.raises(SettingsError) as err:
        parse_holidays(typed, TODAY)
    assert problem in str(err.value)


def test_every_bad_part_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as err:
        parse_holidays("24/12,2026-12-25,2026-12-31..2026-12-30", TODAY)
    assert len(err.value.problems) == 2
    assert "'24/12'" in err.value.problems[0] and "ends before" in err.value.problems[1]


def test_the_cap_counts_the_days_of_each_range() -> None:
    year = f"2027-01-01..{date(2027, 1, 1) + timedelta(MAX_HOLIDAYS - 1)}"
    assert len(parse_holidays(year, TODAY)) == MAX_HOLIDAYS
    with pytest.raises(SettingsError, match="That is 367 holiday dates; a group may have at most"):
        parse_holidays(f"{year},2026-12-24", TODAY)
    overlapping = parse_holidays("2026-12-24..2027-12-23,2027-06-01..2027-06-30", TODAY)
    assert len(overlapping) == 365  # a day given twice counts once
    centuries = (date(9999, 12, 31) - TODAY).days + 1
    with pytest.raises(SettingsError, match=f"That is {centuries} holiday dates"):
        parse_holidays("2026-12-08..9999-12-31", TODAY)  # refused before its days are listed


def test_runs_description_and_upcoming() -> None:
    dates = {*days("2026-12-24", "2026-12-26"), date(2027, 1, 1), *days("2027-02-01", "2027-02-05")}
    assert holiday_runs(dates)[0] == (date(2026, 12, 24), date(2026, 12, 26))
    assert describe_holidays(dates) == "2026-12-24..2026-12-26, 2027-01-01, 2027-02-01..2027-02-05"
    assert describe_holidays(dates, shown=1) == "2026-12-24..2026-12-26 and 6 more days"
    assert describe_holidays({date(2026, 12, 24), date(2027, 1, 1)}, shown=1) == (
        "2026-12-24 and 1 more day"
    )
    assert describe_holidays(()) == "none"
    assert upcoming_holidays(dates, date(2027, 1, 1)) == {
        date(2027, 1, 1),
        *days("2027-02-01", "2027-02-05"),
    }
