"""When rounds are posted and revealed, and the schedulers that run those jobs.

A group's post time is an APScheduler cron trigger in the group's time zone;
both schedulers below use it, so time zones and DST changes follow one rule.
`ApsJobScheduler` runs jobs on the real clock with APScheduler's
AsyncIOScheduler; `ManualJobScheduler` runs the same jobs when a manual clock
is moved (the console's simulated time, and tests).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import ManualClock
from bot.group_settings import DAY_NAMES
from bot.model import Group, GroupSettings
from bot.telemetry.scheduling import ObservedScheduler

__all__ = [
    "ApsJobScheduler",
    "JobHandlers",
    "JobScheduler",
    "ManualJobScheduler",
    "last_post_time",
    "next_post_time",
    "post_trigger",
    "reveal_time_for",
]

log = logging.getLogger(__name__)

_LOOKBACK = timedelta(days=8)


def post_trigger(settings: GroupSettings) -> CronTrigger:
    """Return the cron trigger of a group's daily post, in its time zone."""
    days = ",".join(DAY_NAMES[d] for d in sorted(settings.weekdays))
    return CronTrigger(
        day_of_week=days,
        hour=settings.post_time.hour,
        minute=settings.post_time.minute,
        timezone=ZoneInfo(settings.timezone),
    )


def next_post_time(settings: GroupSettings, after: datetime) -> datetime | None:
    """Return the first post time strictly after `after` (UTC)."""
    fire = post_trigger(settings).get_next_fire_time(None, after + timedelta(microseconds=1))
    return None if fire is None else fire.astimezone(UTC)


def last_post_time(settings: GroupSettings, now: datetime) -> datetime | None:
    """Return the latest post time at or before `now` (UTC), within the last week."""
    trigger = post_trigger(settings)
    fire = trigger.get_next_fire_time(None, now - _LOOKBACK)
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return None if last is None else last.astimezone(UTC)


def reveal_time_for(settings: GroupSettings, posted_at: datetime) -> datetime:
    """Return when a round posted at `posted_at` is revealed."""
    if settings.reveal_time is not None:
        zone = ZoneInfo(settings.timezone)
        local = posted_at.astimezone(zone)
        day = local.date()
        while True:
            at = datetime.combine(day, settings.reveal_time, zone)
            if at > local + timedelta(minutes=10):
                return at.astimezone(UTC)
            day += timedelta(days=1)
    return posted_at + (settings.reveal_after or timedelta(hours=23))


class JobHandlers(Protocol):
    """The work the scheduled jobs start."""

    async def post_due(self, group_id: int) -> None:
        """Post the group's round if one is due now."""
        ...

    async def reveal_due(self, round_id: int) -> None:
        """Reveal the round if it is still open."""
        ...

    async def retry_post(self, round_id: int) -> None:
        """Try again to post a round whose post failed."""
        ...

    async def sweep(self) -> None:
        """Finish work other processes left half done (run periodically)."""
        ...


class JobScheduler(Protocol):
    """Arms the jobs of groups and rounds."""

    def arm_group(self, group: Group) -> None:
        """Schedule (or reschedule, or with a paused group remove) a group's daily post."""
        ...

    def arm_reveal(self, round_id: int, at: datetime) -> None:
        """Schedule a round's reveal."""
        ...

    def arm_retry(self, round_id: int, at: datetime) -> None:
        """Schedule another attempt to post a round."""
        ...


class ApsJobScheduler:
    """Jobs on the real clock, with APScheduler's AsyncIOScheduler."""

    def __init__(
        self, handlers: JobHandlers, grace: timedelta, sweep_every: timedelta = timedelta(minutes=1)
    ) -> None:
        self._handlers = handlers
        self._grace = grace
        self._sweep_every = sweep_every
        self.scheduler = ObservedScheduler(timezone=UTC)  # lag metrics, clean log context

    def start(self) -> None:
        """Start running jobs, and the periodic sweep (needs a running event loop)."""
        self.scheduler.add_job(
            self._handlers.sweep,
            IntervalTrigger(seconds=self._sweep_every.total_seconds()),
            id="sweep",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()

    def shutdown(self) -> None:
        """Stop running jobs."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    @property
    def running(self) -> bool:
        """Tell whether the scheduler runs."""
        return bool(self.scheduler.running)

    def arm_group(self, group: Group) -> None:
        """Schedule (or reschedule, or with a paused group remove) a group's daily post."""
        job_id = f"post:{group.id}"
        if group.settings.paused or not group.settings.weekdays:
            if self.scheduler.get_job(job_id):
                self.scheduler.remove_job(job_id)
            return
        self.scheduler.add_job(
            self._handlers.post_due,
            post_trigger(group.settings),
            args=[group.id],
            id=job_id,
            replace_existing=True,
            misfire_grace_time=int(self._grace.total_seconds()) or None,
            coalesce=True,
            max_instances=1,
        )

    def arm_reveal(self, round_id: int, at: datetime) -> None:
        """Schedule a round's reveal (run however late the loop gets to it)."""
        self._arm_once(f"reveal:{round_id}", self._handlers.reveal_due, round_id, at)

    def arm_retry(self, round_id: int, at: datetime) -> None:
        """Schedule another attempt to post a round."""
        self._arm_once(f"retry:{round_id}", self._handlers.retry_post, round_id, at)

    def _arm_once(
        self, job_id: str, run: Callable[[int], Awaitable[None]], round_id: int, at: datetime
    ) -> None:
        self.scheduler.add_job(
            run,
            DateTrigger(run_date=at),
            args=[round_id],
            id=job_id,
            replace_existing=True,
            misfire_grace_time=None,  # late is fine: a reveal or retry is never dropped
        )


@dataclass
class _OneShot:
    at: datetime
    run: Callable[[], Awaitable[None]]


class ManualJobScheduler:
    """The same jobs, run in time order whenever a manual clock is moved forward.

    It runs no periodic sweep: the console is one process, whose start-up
    recovery finishes what an earlier run left; tests of several processes
    call `RoundService.sweep` themselves.
    """

    def __init__(self, handlers: JobHandlers, clock: ManualClock) -> None:
        self._handlers = handlers
        self._clock = clock
        self._posts: dict[int, tuple[CronTrigger, datetime]] = {}  # trigger, last fired/armed
        self._once: dict[str, _OneShot] = {}

    def arm_group(self, group: Group) -> None:
        """Schedule (or reschedule, or with a paused group remove) a group's daily post."""
        if group.settings.paused or not group.settings.weekdays:
            self._posts.pop(group.id, None)
            return
        self._posts[group.id] = (post_trigger(group.settings), self._clock.now())

    def arm_reveal(self, round_id: int, at: datetime) -> None:
        """Schedule a round's reveal."""
        self._once[f"reveal:{round_id}"] = _OneShot(at, lambda: self._handlers.reveal_due(round_id))

    def arm_retry(self, round_id: int, at: datetime) -> None:
        """Schedule another attempt to post a round."""
        self._once[f"retry:{round_id}"] = _OneShot(at, lambda: self._handlers.retry_post(round_id))

    def _next_job(self) -> tuple[datetime, str] | None:
        due: list[tuple[datetime, str]] = []
        for group_id, (trigger, since) in self._posts.items():
            fire = trigger.get_next_fire_time(None, since + timedelta(microseconds=1))
            if fire is not None:
                due.append((fire.astimezone(UTC), f"post:{group_id}"))
        due.extend((job.at, job_id) for job_id, job in self._once.items())
        return min(due) if due else None

    def next_run_time(self) -> datetime | None:
        """Return when the next job runs."""
        upcoming = self._next_job()
        return None if upcoming is None else upcoming[0]

    async def run_until(self, target: datetime) -> int:
        """Move the clock to `target`, running every job due on the way; return how many."""
        ran = 0
        while (upcoming := self._next_job()) is not None and upcoming[0] <= target:
            at, job_id = upcoming
            if at > self._clock.now():
                self._clock.set(at)
            try:
                if job_id.startswith("post:"):
                    group_id = int(job_id.split(":", 1)[1])
                    trigger, _ = self._posts[group_id]
                    self._posts[group_id] = (trigger, at)
                    await self._handlers.post_due(group_id)
                else:
                    job = self._once.pop(job_id)
                    await job.run()
            except Exception:
                # As APScheduler does: a failed job is logged, the others still run.
                log.exception("job %s failed", job_id)
            ran += 1
        if target > self._clock.now():
            self._clock.set(target)
        return ran
