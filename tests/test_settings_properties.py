"""Laws of group settings, checked over many cases (Hypothesis): what a reply shows can be
typed back, and what is stored is read back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.group_settings import (
    DAY_NAMES,
    apply_settings,
    describe_days,
    describe_reveal,
    parse_days,
    parse_delay,
    parse_time,
    settings_from_json,
    settings_to_json,
)
from bot.holidays import describe_holidays
from bot.model import GroupSettings

CATS = ("evaluation", "nlp", "vision")
times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
day_sets = st.frozensets(st.integers(0, 6), min_size=1)
delays = st.integers(10, 6 * 24 * 60).map(lambda m: timedelta(minutes=m))
zones = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
mixes = st.tuples(*(st.integers(0, 10) for _ in range(3))).filter(any)


@given(times)
def test_a_time_shown_as_hh_mm_reads_back(at: time) -> None:
    assert parse_time(f"{at:%H:%M}") == at
    assert parse_time(f"{at.hour}:{at.minute:02d}") == at


@given(times)
def test_a_12_hour_time_reads_as_the_same_time(at: time) -> None:
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    assert parse_time(f"{hour}:{at.minute:02d}{suffix}") == at
    assert parse_time(f"{hour}:{at.minute:02d} {suffix.upper()}") == at


@given(day_sets)
def test_the_days_a_reply_shows_read_back(days: frozenset[int]) -> None:
    assert parse_days(describe_days(days)) == days
    new, keys = apply_settings(GroupSettings(), f"days={describe_days(days)}", CATS)
    assert (new.weekdays, keys) == (days, ["days"])


@given(day_sets)
def test_days_given_by_full_name_read_as_their_short_names(days: frozenset[int]) -> None:
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    assert parse_days(",".join(full[d] for d in sorted(days))) == days
    assert parse_days(",".join(DAY_NAMES[d].upper() for d in sorted(days))) == days


@given(delays)
def test_a_reveal_delay_a_reply_shows_reads_back(delay: timedelta) -> None:
    shown = describe_reveal(GroupSettings(reveal_after=delay))
    typed = shown.removesuffix(" after posting")
    assert parse_delay(typed) == delay
    new, _ = apply_settings(GroupSettings(), f"reveal={typed}", CATS)
    assert (new.reveal_after, new.reveal_time) == (delay, None)


@given(times, times, zones)
def test_a_reveal_time_a_reply_shows_reads_back(post: time, reveal: time, zone: str) -> None:
    gap = (reveal.hour * 60 + reveal.minute - post.hour * 60 - post.minute) % (24 * 60)
    shown = describe_reveal(GroupSettings(reveal_time=reveal, timezone=zone))
    assert shown == f"at {reveal:%H:%M} ({zone})"
    text = f"time={post:%H:%M} reveal={reveal:%H:%M} tz={zone}"
    if gap <= 10:
        return  # refused: the answer would come a day late (tests/test_group_settings.py)
    new, keys = apply_settings(GroupSettings(), text, CATS)
    assert (new.post_time, new.reveal_time, new.timezone) == (post, reveal, zone)
    assert keys == ["time", "reveal", "tz"]


@given(
    times,
    zones,
    day_sets,
    st.lists(st.sampled_from(CATS), unique=True),
    mixes,
    st.one_of(delays.map(lambda d: (d, None)), times.map(lambda t: (None, t))),
    st.booleans(),
    st.lists(st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True), unique=True, max_size=4),
    st.frozensets(st.dates(date(2026, 1, 1), date(2028, 12, 31)), max_size=20),
    st.one_of(st.none(), st.integers(1, 24 * 60).map(lambda m: timedelta(minutes=m))),
)
def test_settings_stored_read_back_the_same(
    post: time,
    zone: str,
    days: frozenset[int],
    categories: list[str],
    mix: tuple[int, int, int],
    reveal: tuple[timedelta | None, time | None],
    paused: bool,
    admins: list[str],
    holidays: frozenset[date],
    remind: timedelta | None,
) -> None:
    settings = GroupSettings(
        post_time=post,
        timezone=zone,
        weekdays=days,
        categories=tuple(categories),
        difficulty_mix=tuple(zip(("easy", "medium", "hard"), mix, strict=True)),
        reveal_after=reveal[0],
        reveal_time=reveal[1],
        paused=paused,
        admins=tuple(admins),
        founder=admins[0] if admins else None,
        blocked="missing permissions" if paused else None,
        holidays=holidays,
        remind_before=remind,
    )
    assert settings_from_json(settings_to_json(settings)) == settings


@given(times, zones, day_sets, st.lists(st.sampled_from(CATS), unique=True, min_size=1), mixes)
def test_settings_typed_as_a_reply_shows_them_apply_as_shown(
    post: time,
    zone: str,
    days: frozenset[int],
    categories: list[str],
    mix: tuple[int, int, int],
) -> None:
    weights = ",".join(f"{n}:{w}" for n, w in zip(("easy", "medium", "hard"), mix, strict=True))
    text = (
        f"time={post:%H:%M} tz={zone} days={describe_days(days)} "
        f"categories={','.join(categories)} difficulty={weights}"
    )
    new, keys = apply_settings(GroupSettings(), text, CATS)
    assert keys == ["time", "tz", "days", "categories", "difficulty"]
    assert new == GroupSettings(
        post_time=post,
        timezone=zone,
        weekdays=days,
        categories=tuple(categories),
        difficulty_mix=tuple(zip(("easy", "medium", "hard"), mix, strict=True)),
    )


@given(st.frozensets(st.dates(date(2026, 12, 8), date(2027, 12, 31)), min_size=1, max_size=40))
def test_the_holidays_a_reply_shows_read_back(holidays: frozenset[date]) -> None:
    """Every run of dates written out (`shown` as many as there are) types back the same."""
    text = describe_holidays(holidays, shown=len(holidays))
    now = datetime(2026, 12, 8, 12, tzinfo=UTC)
    new, _ = apply_settings(GroupSettings(), f"holidays={text}", CATS, now=now)
    assert new.holidays == holidays
