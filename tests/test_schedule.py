from __future__ import annotations

import logging
import time as _time
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.jobs import ApsJobScheduler, PostTrigger
from bot.model import ChannelRef, Group, GroupSettings
from bot.schedule import PostSlot, last_post_slot, next_post_slot, reveal_time_for, wall_instant

BERLIN = GroupSettings(post_time=time(9, 0), timezone="Europe/Berlin", weekdays=frozenset(range(7)))


def test_post_times_follow_the_zone_across_dst() -> None:
    before = next_post_slot(BERLIN, datetime(2026, 10, 24, 0, 0, tzinfo=UTC))
    after = next_post_slot(BERLIN, datetime(2026, 10, 26, 0, 0, tzinfo=UTC))
    assert before == PostSlot(date(2026, 10, 24), datetime(2026, 10, 24, 7, 0, tzinfo=UTC))
    assert after == PostSlot(date(2026, 10, 26), datetime(2026, 10, 26, 8, 0, tzinfo=UTC))
    last = last_post_slot(BERLIN, datetime(2026, 10, 26, 7, 59, tzinfo=UTC))
    assert last == PostSlot(date(2026, 10, 25), datetime(2026, 10, 25, 8, 0, tzinfo=UTC))


def test_reveal_times() -> None:
    posted = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert reveal_time_for(GroupSettings(), posted) == posted + timedelta(hours=23)
    fixed = GroupSettings(timezone="Europe/Berlin", reveal_time=time(18, 0), reveal_after=None)
    assert reveal_time_for(fixed, posted) == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    late = datetime(2026, 12, 1, 17, 55, tzinfo=UTC)  # too close: the next day
    assert reveal_time_for(fixed, late) == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    async def post_due(self, group_id: int) -> None:
        self.calls.append(("post", group_id))

    async def reveal_due(self, round_id: int) -> None:
        self.calls.append(("reveal", round_id))

    async def retry_post(self, round_id: int) -> None:
        self.calls.append(("retry", round_id))

    async def sweep(self) -> None:
        self.calls.append(("sweep", 0))


async def test_apscheduler_arms_cron_jobs_in_the_group_zone() -> None:
    recorder = Recorder()
    jobs = ApsJobScheduler(recorder, timedelta(hours=2))
    jobs.start()
    try:
        group = Group(1, ChannelRef("t", "w", "c"), BERLIN)
        jobs.arm_group(group)
        job = jobs.scheduler.get_job("post:1")
        assert job is not None and job.next_run_time.tzinfo is not None
        assert isinstance(job.trigger, PostTrigger)
        local = job.next_run_time.astimezone(BERLIN.zone)
        assert (local.hour, local.minute) == (9, 0)
        assert job.misfire_grace_time == 7200
        from dataclasses import replace

        jobs.arm_group(Group(1, group.channel, replace(BERLIN, paused=True)))
        assert jobs.scheduler.get_job("post:1") is None
        jobs.arm_reveal(5, datetime(2030, 1, 1, tzinfo=UTC))
        assert jobs.scheduler.get_job("reveal:5").next_run_time == datetime(2030, 1, 1, tzinfo=UTC)
        sweep = jobs.scheduler.get_job("sweep")
        assert sweep is not None and sweep.trigger.interval == timedelta(minutes=1)
    finally:
        jobs.shutdown()


def test_the_post_trigger_fires_once_per_slot_across_a_fall_back_night() -> None:
    """APScheduler asks the trigger again after each run: it moves on to the next slot."""
    night = GroupSettings(
        post_time=time(2, 30), timezone="Europe/Berlin", weekdays=frozenset(range(7))
    )
    trigger = PostTrigger(night)
    fires = []
    now = datetime(2026, 10, 24, 0, 0, tzinfo=UTC)
    fire = trigger.get_next_fire_time(None, now)
    for _ in range(3):
        assert fire is not None
        fires.append(fire)
        # Run late, as a loaded loop does: the next fire is still the next slot, once.
        fire = trigger.get_next_fire_time(fire, fire + timedelta(minutes=59))
    assert fires == [
        datetime(2026, 10, 24, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST; 02:30 CET an hour later is not
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]
    # Armed exactly at a slot, the slot itself is next (APScheduler's `now` is inclusive).
    assert trigger.get_next_fire_time(None, fires[1]) == fires[1]


class SlowSweep(Recorder):
    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def sweep(self) -> None:
        import asyncio

        await asyncio.sleep(self.seconds)
        await super().sweep()


def _slow_sweeps() -> float:
    from bot.telemetry.metrics import REGISTRY

    return REGISTRY.get_sample_value("studybot_scheduler_slow_runs_total", {"job": "sweep"}) or 0.0


async def test_a_slow_sweep_is_logged_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    bound = timedelta(milliseconds=50)
    before = _slow_sweeps()
    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        await ApsJobScheduler(SlowSweep(0.0), timedelta(hours=2), slow_sweep=bound).run_sweep()
        assert _slow_sweeps() == before and not caplog.records
        slow = SlowSweep(0.08)
        await ApsJobScheduler(slow, timedelta(hours=2), slow_sweep=bound).run_sweep()
    assert slow.calls == [("sweep", 0)]
    assert _slow_sweeps() == before + 1
    [record] = caplog.records
    assert record.getMessage().startswith("the sweep took 0.")
    assert "more than 0.05 s" in record.getMessage()


@pytest.fixture(params=["Pacific/Pago_Pago", "Pacific/Kiritimati"])
def machine_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test on a machine whose own clock is in a zone far from UTC (-11, +14)."""
    monkeypatch.setenv("TZ", request.param)
    _time.tzset()
    yield request.param
    monkeypatch.undo()
    _time.tzset()


@pytest.mark.parametrize("zone", ["Pacific/Pago_Pago", "Pacific/Kiritimati"])
def test_a_weekly_schedule_follows_the_group_zone_not_the_machine_zone(
    machine_zone: str, zone: str
) -> None:
    """Slots are a week apart, on the group's weekday, given in UTC, wherever the bot runs."""
    weekly = GroupSettings(post_time=time(9, 0), timezone=zone, weekdays=frozenset({0}))
    slot = next_post_slot(weekly, datetime(2026, 5, 31, tzinfo=UTC))
    assert slot is not None and slot.day == date(2026, 6, 1)  # a Monday
    assert slot.at.astimezone(weekly.zone).time() == time(9, 0)
    week = timedelta(days=7)
    after = next_post_slot(weekly, slot.at)
    before = last_post_slot(weekly, slot.at - timedelta(microseconds=1))
    assert after == PostSlot(slot.day + week, slot.at + week)
    assert before == PostSlot(slot.day - week, slot.at - week)
    assert last_post_slot(weekly, slot.at) == slot  # a slot is "at or before" itself
    for found in (slot, after, before):
        assert found is not None and found.at.utcoffset() == timedelta(0)


def test_a_fixed_reveal_follows_the_group_zone_not_the_machine_zone(machine_zone: str) -> None:
    fixed = GroupSettings(timezone="Pacific/Pago_Pago", reveal_time=time(18, 0), reveal_after=None)
    posted = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)  # 09:00 on 1 June in Pago Pago
    assert reveal_time_for(fixed, posted) == datetime(2026, 6, 2, 5, 0, tzinfo=UTC)  # 18:00


def test_a_fixed_reveal_comes_more_than_ten_minutes_after_the_post() -> None:
    fixed = GroupSettings(timezone="Europe/Berlin", reveal_time=time(18, 0), reveal_after=None)
    same_day = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 18:00 Berlin
    next_day = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    gap = timedelta(minutes=10)
    assert reveal_time_for(fixed, same_day - gap - timedelta(seconds=1)) == same_day
    assert reveal_time_for(fixed, same_day - gap) == next_day  # exactly ten minutes: too close
    assert reveal_time_for(fixed, same_day - timedelta(minutes=5)) == next_day


def test_a_reveal_delay_is_the_groups_own_or_else_23_hours() -> None:
    posted = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    two_hours = GroupSettings(reveal_after=timedelta(hours=2), reveal_time=None)
    assert reveal_time_for(two_hours, posted) == posted + timedelta(hours=2)
    unset = GroupSettings(reveal_after=None, reveal_time=None)
    assert reveal_time_for(unset, posted) == posted + timedelta(hours=23)


def test_a_fixed_reveal_skips_a_day_the_zone_skipped() -> None:
    # 30 December 2011 never happened in Apia: the reveal is at 09:00 on the 31st.
    apia = GroupSettings(timezone="Pacific/Apia", reveal_time=time(9, 0), reveal_after=None)
    zone = apia.zone
    posted = datetime(2011, 12, 29, 22, 0, tzinfo=zone).astimezone(UTC)
    assert reveal_time_for(apia, posted) == datetime(2011, 12, 31, 9, 0, tzinfo=zone)


def test_a_skipped_post_time_posts_when_the_clocks_jump() -> None:
    berlin = GroupSettings(
        post_time=time(2, 30), timezone="Europe/Berlin", weekdays=frozenset(range(7))
    )
    slot = next_post_slot(berlin, datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    # 02:30 never shows on 29 March: the clocks go from 02:00 CET to 03:00 CEST (01:00 UTC).
    assert slot == PostSlot(date(2026, 3, 29), datetime(2026, 3, 29, 1, 0, tzinfo=UTC))
    assert wall_instant(date(2026, 10, 4), time(2, 15), ZoneInfo("Australia/Lord_Howe")) == (
        datetime(2026, 10, 3, 15, 30, tzinfo=UTC)  # Lord Howe skips 02:00-02:30
    )


def days_from(first: date, count: int) -> frozenset[date]:
    return frozenset(first + timedelta(days=n) for n in range(count))


def test_a_holiday_names_no_slot_and_the_next_post_day_takes_over() -> None:
    off = GroupSettings(timezone="Europe/Berlin", holidays=frozenset({date(2026, 12, 24)}))
    wednesday = datetime(2026, 12, 23, 9, 0, tzinfo=UTC)  # after Wednesday's 09:00 (08:00 UTC)
    assert next_post_slot(off, wednesday) == PostSlot(
        date(2026, 12, 25), datetime(2026, 12, 25, 8, 0, tzinfo=UTC)
    )
    thursday_noon = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    assert last_post_slot(off, thursday_noon) == PostSlot(
        date(2026, 12, 23), datetime(2026, 12, 23, 8, 0, tzinfo=UTC)
    )


def test_holidays_longer_than_a_week_are_searched_past() -> None:
    """Three weeks off over the new year: the first slot after, and the last one before."""
    off = GroupSettings(holidays=days_from(date(2026, 12, 19), 23))  # to Sunday 10 January
    assert next_post_slot(off, datetime(2026, 12, 18, 10, tzinfo=UTC)) == PostSlot(
        date(2027, 1, 11), datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
    )
    assert last_post_slot(off, datetime(2027, 1, 11, 8, tzinfo=UTC)) == PostSlot(
        date(2026, 12, 18), datetime(2026, 12, 18, 9, 0, tzinfo=UTC)
    )


def test_a_year_of_holidays_leaves_the_day_after_it() -> None:
    off = GroupSettings(weekdays=frozenset(range(7)), holidays=days_from(date(2027, 1, 1), 366))
    slot = next_post_slot(off, datetime(2026, 12, 31, 10, tzinfo=UTC))
    assert slot == PostSlot(date(2028, 1, 2), datetime(2028, 1, 2, 9, 0, tzinfo=UTC))


def test_the_post_trigger_does_not_fire_on_holidays() -> None:
    off = GroupSettings(weekdays=frozenset(range(7)), holidays=days_from(date(2026, 12, 24), 3))
    trigger = PostTrigger(off)
    now = datetime(2026, 12, 23, 10, tzinfo=UTC)
    fired = trigger.get_next_fire_time(None, now)
    assert fired == datetime(2026, 12, 27, 9, 0, tzinfo=UTC)


def test_a_weekly_group_with_its_next_mondays_off_posts_on_the_monday_after() -> None:
    """The trigger never runs dry (APScheduler drops a job whose trigger says None)."""
    mondays = frozenset(date(2026, 12, 7) + timedelta(weeks=n) for n in range(10))
    weekly = GroupSettings(weekdays=frozenset({0}), holidays=mondays)
    now = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert PostTrigger(weekly).get_next_fire_time(None, now) == datetime(
        2027, 2, 15, 9, 0, tzinfo=UTC
    )
    assert last_post_slot(weekly, datetime(2027, 2, 15, 10, tzinfo=UTC)) == PostSlot(
        date(2027, 2, 15), datetime(2027, 2, 15, 9, 0, tzinfo=UTC)
    )
    assert last_post_slot(weekly, datetime(2027, 2, 15, 8, tzinfo=UTC)) == PostSlot(
        date(2026, 11, 30), datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    )
