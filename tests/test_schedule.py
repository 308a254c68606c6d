from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.model import ChannelRef, Group, GroupSettings
from bot.schedule import ApsJobScheduler, last_post_time, next_post_time, reveal_time_for

BERLIN = GroupSettings(post_time=time(9, 0), timezone="Europe/Berlin", weekdays=frozenset(range(7)))


def test_post_times_follow_the_zone_across_dst() -> None:
    before = next_post_time(BERLIN, datetime(2026, 10, 24, 0, 0, tzinfo=UTC))
    after = next_post_time(BERLIN, datetime(2026, 10, 26, 0, 0, tzinfo=UTC))
    assert before == datetime(2026, 10, 24, 7, 0, tzinfo=UTC)
    assert after == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert last_post_time(BERLIN, datetime(2026, 10, 26, 7, 59, tzinfo=UTC)) == datetime(
        2026, 10, 25, 8, 0, tzinfo=UTC
    )


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
