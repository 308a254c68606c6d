"""The schedule's rules at every DST transition of 2026-2028 in every zone of the tz database.

For post and reveal times every 15 minutes around each transition, with
every day named and with one weekday named, the pure schedule functions
must give: one slot per named date and none for others, in time order; a
wall time that occurs once or twice at its first occurrence; a skipped wall
time at the instant the clocks jump; and `last_post_slot` agreeing with
`next_post_slot`. The expectations come from an oracle written here
independently (candidate UTC offsets, transitions found by scanning), and
every call is bounded in time, so a schedule function that loops fails the
test instead of hanging it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.model import GroupSettings
from bot.schedule import (
    PostSlot,
    last_post_slot,
    next_post_slot,
    reveal_time_for,
    wall_instant,
)

FIRST = datetime(2026, 1, 1, tzinfo=UTC)
LAST = datetime(2029, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=15)
AROUND = timedelta(hours=3)  # post times from this long before each transition to after it
ALL_DAYS = frozenset(range(7))
BOUND_SECONDS = 120.0


@dataclass(frozen=True)
class Transition:
    zone: ZoneInfo
    at: datetime  # the first instant with the new offset (UTC)
    before: timedelta  # the UTC offset until then
    after: timedelta  # the UTC offset from then on


def _offset(zone: ZoneInfo, seconds: int) -> timedelta:
    offset = datetime.fromtimestamp(seconds, zone).utcoffset()
    assert offset is not None
    return offset


def transitions() -> Iterator[Transition]:
    """Every change of UTC offset in every zone from 2026 to 2028, to the second."""
    for name in sorted(available_timezones()):
        yield from zone_transitions(ZoneInfo(name))


def zone_transitions(zone: ZoneInfo) -> Iterator[Transition]:
    """Every change of UTC offset in one zone from 2026 to 2028, to the second."""
    step = 6 * 3600  # no zone changes its offset twice within six hours
    start, end = int(FIRST.timestamp()), int(LAST.timestamp())
    seconds, offset = start, _offset(zone, start)
    while seconds < end:
        nxt = _offset(zone, seconds + step)
        if nxt != offset:
            low, high = seconds, seconds + step  # offset(low) is old, offset(high) new
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, middle) == offset:
                    low = middle
                else:
                    high = middle
            yield Transition(zone, datetime.fromtimestamp(high, UTC), offset, nxt)
        seconds, offset = seconds + step, nxt


@cache
def all_transitions() -> tuple[Transition, ...]:
    return tuple(transitions())


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def expected_instant(day: date, at: time, change: Transition) -> datetime:
    """The instant a wall time happens near a transition, by the documented rules."""
    wanted = datetime.combine(day, at)
    occurrences = sorted(
        instant
        for offset in {change.before, change.after}
        if wall(instant := (wanted - offset).replace(tzinfo=UTC), change.zone) == wanted
    )
    if occurrences:
        return occurrences[0]  # once, or twice in a repeated hour: the first
    # Skipped: the clocks jump over it at the transition, the first instant after it.
    assert (
        wall(change.at - timedelta(seconds=1), change.zone) < wanted <= wall(change.at, change.zone)
    )
    return change.at


@cache
def day_exists(day: date, zone: ZoneInfo) -> bool:
    """Whether some instant shows `day` in `zone`, by stepping through it hour by hour."""
    start = datetime.combine(day, time(0)).replace(tzinfo=UTC) - timedelta(days=1)
    return any((start + timedelta(hours=h)).astimezone(zone).date() == day for h in range(3 * 24))


def post_times(change: Transition) -> list[time]:
    """Wall times every 15 minutes from 3 h before the transition to 3 h after it."""
    first = wall(change.at - AROUND, change.zone)
    first = first.replace(minute=first.minute - first.minute % 15, second=0)
    last = wall(change.at + AROUND, change.zone)
    times: list[time] = []
    moment = first
    while moment <= last:
        times.append(moment.time())
        moment += STEP
    return times


def bounded(check: Callable[[], None], seconds: float = BOUND_SECONDS) -> None:
    """Run `check` in a daemon thread; fail if it has not returned within `seconds`."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            check()
        except BaseException as exc:  # handed to the test's thread
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail(f"a schedule function did not return within {seconds:.0f} s")
    if failure:
        raise failure[0]


def slots_between(settings: GroupSettings, start: datetime, end: datetime) -> list[PostSlot]:
    slots: list[PostSlot] = []
    after = start
    while (slot := next_post_slot(settings, after)) is not None and slot.at <= end:
        assert slot.at > after
        slots.append(slot)
        after = slot.at
    return slots


def check_posts(change: Transition, post_time: time, weekdays: frozenset[int]) -> None:
    settings = GroupSettings(post_time=post_time, timezone=change.zone.key, weekdays=weekdays)
    start, end = change.at - timedelta(days=2), change.at + timedelta(days=2)
    slots = slots_between(settings, start, end)
    days = [s.day for s in slots]
    named = [
        d
        for offset in range(-3, 4)
        if start
        < expected_instant(d := change.at.date() + timedelta(days=offset), post_time, change)
        <= end
        and d.weekday() in weekdays
        and day_exists(d, change.zone)
    ]
    assert days == named, (change, post_time, slots)
    previous: PostSlot | None = None
    for slot in slots:
        assert slot.at == expected_instant(slot.day, post_time, change), (change, post_time, slot)
        assert last_post_slot(settings, slot.at) == slot
        if previous is not None:
            assert slot.at > previous.at and slot.day > previous.day
            assert last_post_slot(settings, slot.at - timedelta(microseconds=1)) == previous
        previous = slot


def check_reveals(change: Transition, reveal: time) -> None:
    settings = GroupSettings(timezone=change.zone.key, reveal_time=reveal, reveal_after=None)
    for hours in range(-6, 7, 2):
        posted = change.at + timedelta(hours=hours)
        got = reveal_time_for(settings, posted)
        first_day = wall(posted, change.zone).date()
        expected = next(
            at
            for offset in range(3)
            if (at := expected_instant(first_day + timedelta(days=offset), reveal, change))
            > posted + timedelta(minutes=10)
        )
        assert got == expected, (change, reveal, posted)


def test_every_transition_of_2026_to_2028_is_found() -> None:
    found = all_transitions()
    berlin = [t.at for t in found if t.zone.key == "Europe/Berlin"]
    assert berlin[:2] == [
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    ]
    assert len(berlin) == 6
    lord_howe = [t for t in found if t.zone.key == "Australia/Lord_Howe"]
    assert {abs(t.after - t.before) for t in lord_howe} == {timedelta(minutes=30)}
    santiago = [wall(t.at, t.zone).time() for t in found if t.zone.key == "America/Santiago"]
    assert time(0, 0) in santiago or time(23, 0) in santiago  # its clocks change at midnight
    assert len(found) > 1000


@pytest.mark.slow
def test_posts_follow_the_rules_at_every_transition() -> None:
    def run() -> None:
        for change in all_transitions():
            for post_time in post_times(change):
                check_posts(change, post_time, ALL_DAYS)
            # One weekday: the day of the transition, then every day but that one.
            local_day = wall(change.at, change.zone).weekday()
            middle = post_times(change)[len(post_times(change)) // 2]
            check_posts(change, middle, frozenset({local_day}))
            check_posts(change, middle, ALL_DAYS - {local_day})

    bounded(run)


@pytest.mark.slow
def test_reveal_times_follow_the_rules_at_every_transition() -> None:
    def run() -> None:
        for change in all_transitions():
            for reveal in post_times(change)[::2]:
                check_reveals(change, reveal)

    bounded(run)


def test_a_reveal_delay_is_elapsed_time_across_a_transition() -> None:
    settings = GroupSettings(timezone="Europe/Berlin", reveal_after=timedelta(hours=23))
    for posted in (
        datetime(2026, 3, 28, 8, 0, tzinfo=UTC),
        datetime(2026, 10, 24, 7, 0, tzinfo=UTC),
    ):
        assert reveal_time_for(settings, posted) - posted == timedelta(hours=23)


def test_the_repeated_hour_that_used_to_hang_returns_its_first_occurrence() -> None:
    settings = GroupSettings(post_time=time(2, 30), timezone="Europe/Berlin", weekdays=ALL_DAYS)
    now = datetime(2026, 10, 25, 1, 31, tzinfo=UTC)
    result: list[PostSlot | None] = []
    bounded(lambda: result.append(last_post_slot(settings, now)), 5)
    # 02:30 CEST (00:30 UTC) comes first; 02:30 CET (01:30 UTC) is the same wall time again.
    assert result == [PostSlot(date(2026, 10, 25), datetime(2026, 10, 25, 0, 30, tzinfo=UTC))]


def test_a_day_the_zone_skipped_names_no_slot() -> None:
    # Samoa moved across the date line: 30 December 2011 never happened in Apia.
    settings = GroupSettings(post_time=time(9, 0), timezone="Pacific/Apia", weekdays=ALL_DAYS)
    slots = slots_between(
        settings, datetime(2011, 12, 28, tzinfo=UTC), datetime(2011, 12, 31, 12, 0, tzinfo=UTC)
    )
    assert [s.day for s in slots] == [date(2011, 12, 28), date(2011, 12, 29), date(2011, 12, 31)]


# A few zones whose clocks change in different ways: by an hour (Berlin, New York), by
# half an hour (Lord Howe), by two hours (Troll), at midnight (Santiago, Havana), with an
# odd offset (Chatham, +12:45/+13:45).
SAMPLE_ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Antarctica/Troll",
    "America/Santiago",
    "America/Havana",
    "Pacific/Chatham",
)


@cache
def sample_transitions() -> tuple[Transition, ...]:
    return tuple(t for name in SAMPLE_ZONES for t in zone_transitions(ZoneInfo(name)))


sample_transition = st.sampled_from(sample_transitions())
QUICK = settings(max_examples=150, deadline=None)


@QUICK
@given(sample_transition, st.integers(-3 * 3600, 3 * 3600))
def test_a_wall_time_near_a_transition_is_found_to_the_second(
    change: Transition, seconds: int
) -> None:
    """Once, repeated (the first) or skipped (the jump): the documented instant, to the second."""
    # Wall times measured from the one the clocks show just before they change.
    wanted = wall(change.at - timedelta(seconds=1), change.zone) + timedelta(seconds=seconds)
    got = wall_instant(wanted.date(), wanted.time(), change.zone)
    assert got == expected_instant(wanted.date(), wanted.time(), change)
    assert got.utcoffset() == timedelta(0)


@QUICK
@given(
    sample_transition,
    st.integers(-12, 12).map(lambda quarters: timedelta(minutes=15 * quarters)),
    st.frozensets(st.integers(0, 6), min_size=1),
)
def test_each_named_local_date_has_exactly_one_slot_near_a_transition(
    change: Transition, shift: timedelta, weekdays: frozenset[int]
) -> None:
    """The schedule's law: one slot per named date that exists, none for the others."""
    post_time = wall(change.at + shift, change.zone).time().replace(second=0)
    check_posts(change, post_time, weekdays)


@QUICK
@given(sample_transition, st.integers(-12, 12))
def test_a_reveal_time_near_a_transition_follows_the_rules(
    change: Transition, quarters: int
) -> None:
    reveal = wall(change.at + timedelta(minutes=15 * quarters), change.zone).time()
    check_reveals(change, reveal.replace(second=0))


@QUICK
@given(
    sample_transition,
    st.integers(-12, 12).map(lambda quarters: timedelta(minutes=15 * quarters)),
    st.frozensets(st.integers(0, 6), min_size=1),
    st.frozensets(st.integers(-3, 3)),
)
def test_holidays_take_away_their_slots_and_leave_the_others_as_they_were(
    change: Transition, shift: timedelta, weekdays: frozenset[int], days_off: frozenset[int]
) -> None:
    """No slot falls on a holiday; every other slot is the one the DST rules give without them."""
    post_time = wall(change.at + shift, change.zone).time().replace(second=0)
    plain = GroupSettings(post_time=post_time, timezone=change.zone.key, weekdays=weekdays)
    holidays = frozenset(change.at.date() + timedelta(days=offset) for offset in days_off)
    settings_off = GroupSettings(
        post_time=post_time, timezone=change.zone.key, weekdays=weekdays, holidays=holidays
    )
    start, end = change.at - timedelta(days=2), change.at + timedelta(days=2)
    slots = slots_between(settings_off, start, end)
    assert slots == [s for s in slots_between(plain, start, end) if s.day not in holidays]
    for slot in slots:
        assert last_post_slot(settings_off, slot.at) == slot
