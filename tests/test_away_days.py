"""bot.away_days: reading `/away`'s dates, and the rules a new away range must keep."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.away_days import (
    AWAY_WINDOW,
    MAX_AWAY_DAYS,
    AwayError,
    away_problem,
    parse_away,
    range_text,
)
from bot.records import AwayRange

TODAY = date(2026, 12, 8)


def days(first: str, last: str | None = None) -> AwayRange:
    return AwayRange(date.fromisoformat(first), date.fromisoformat(last or first))


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("2026-12-24", days("2026-12-24")),
        (" 2026-12-20..2026-12-27 ", days("2026-12-20", "2026-12-27")),
        ("2026-12-20 .. 2026-12-27", days("2026-12-20", "2026-12-27")),
        ("OFF", "off"),
        ("", None),
    ],
)
def test_away_reads_a_date_a_range_off_or_nothing(
    text: str, wanted: AwayRange | str | None
) -> None:
    assert parse_away(text) == wanted


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-12-27..2026-12-20", "ends (2026-12-20) before it starts (2026-12-27)"),
        ("2026-02-30", 'couldn\'t read "2026-02-30"'),
        ("24/12/2026", 'couldn\'t read "24/12/2026"'),
        ("2026-12-20..", 'couldn\'t read "2026-12-20.."'),
        ("2026-12-20 2026-12-27", 'couldn\'t read "2026-12-20 2026-12-27"'),
        ("2026-12-20..2026-12-2x", 'couldn\'t read "2026-12-2x"'),
        ("@here", 'couldn\'t read "@\u200bhere"'),
    ],
)
def test_away_says_what_it_cannot_read(text: str, says: str) -> None:
    with pytest.raises(AwayError) as raised:
        parse_away(text)
    assert says in str(raised.value)


def test_ranges_read_as_written() -> None:
    assert range_text(days("2026-12-24")) == "2026-12-24"
    assert range_text(days("2026-12-20", "2026-12-27")) == "2026-12-20 to 2026-12-27"


def test_a_range_starting_today_within_the_limits_is_allowed() -> None:
    assert away_problem(days("2026-12-08", "2026-12-21"), [], TODAY) is None  # 14 days
    assert away_problem(days("2026-12-22"), [days("2026-12-08", "2026-12-21")], TODAY) is not None
    assert away_problem(days("2027-01-07"), [days("2026-12-08", "2026-12-21")], TODAY) is None


def test_adjacent_ranges_do_not_overlap_but_the_window_counts_them() -> None:
    existing = [days("2026-12-10", "2026-12-14")]
    assert away_problem(days("2026-12-15", "2026-12-16"), existing, TODAY) is None
    problem = away_problem(days("2026-12-12", "2026-12-20"), existing, TODAY)
    assert problem is not None and "already away 2026-12-10 to 2026-12-14" in problem


def test_past_away_days_count_towards_the_window() -> None:
    past = [days("2026-11-25", "2026-12-04")]  # ten days, mostly gone
    problem = away_problem(days("2026-12-10", "2026-12-14"), past, TODAY)
    assert problem == (
        "That would make 15 away days from 2026-11-25 to 2026-12-14; you can be away at "
        "most 14 days in any 30."
    )


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=120), st.integers(min_value=0, max_value=20)),
        max_size=30,
    )
)
def test_accepted_ranges_never_hold_more_than_the_limit_in_any_window(
    asks: list[tuple[int, int]],
) -> None:
    accepted: list[AwayRange] = []
    for start, length in asks:
        wanted = AwayRange(TODAY + timedelta(days=start), TODAY + timedelta(days=start + length))
        if away_problem(wanted, accepted, TODAY) is None:
            accepted.append(wanted)
    taken = [r.first + timedelta(days=i) for r in accepted for i in range(r.days)]
    assert len(taken) == len(set(taken))  # no overlaps
    for offset in range(-AWAY_WINDOW, 160):
        first = TODAY + timedelta(days=offset)
        inside = [d for d in taken if first <= d < first + timedelta(days=AWAY_WINDOW)]
        assert len(inside) <= MAX_AWAY_DAYS
