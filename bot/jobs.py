"""The jobs that run a group's schedule: APScheduler on the real clock, or a manual clock.

Both schedulers fire a group's daily post at the slots `bot.schedule` names,
so time zones and DST changes follow one rule. `ApsJobScheduler` runs jobs on
the real clock with APScheduler's AsyncIOScheduler; `ManualJobScheduler` runs
the same jobs when a manual clock is moved (the console's simulated time, and
tests).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import ManualClock
from bot.model import Group, GroupSettings
from bot.schedule import next_post_slot
from bot.telemetry.metrics import scheduler_slow_run
from bot.telemetry.scheduling import ObservedScheduler

__all__ = [
    "SLOW_SWEEP",
    "ApsJobScheduler",
    "JobHandlers",
    "JobScheduler",
    "ManualJobScheduler",
    "PostTrigger",
]

log = logging.getLogger(__name__)

# A sweep that takes longer than this is logged and counted: it delays every group's work.
SLOW_SWEEP = timedelta(seconds=1)


class PostTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler has no types
    """An APScheduler trigger that fires at a group's post slots."""

    __slots__ = ("settings",)

    def __init__(self, settings: GroupSettings) -> None:
        self.settings = settings

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """Return the first post slot at or after `now` and after the previous fire time."""
        after = now - timedelta(microseconds=1)
        if previous_fire_time is not None:
            after = max(after, previous_fire_time)
        slot = next_post_slot(self.settings, after)
        return None if slot is None else slot.at

    def __str__(self) -> str:
        return f"post slots of {self.settings.post_time:%H:%M} {self.settings.timezone}"


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

    async def remind_due(self, round_id: int) -> None:
        """Send the round's reminders if they are due and not sent yet."""
        ...

    async def review_note_due(self, member_id: int) -> None:
        """Send the member's daily review note if it is due and not sent yet."""
        ...

    async def appeal_due(self, appeal_id: int) -> None:
        """Pass a peer appeal to the admins if its judges left it undecided."""
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

    def arm_reminder(self, round_id: int, at: datetime) -> None:
        """Schedule a round's reminder before its reveal."""
        ...

    def arm_review_note(self, member_id: int, at: datetime) -> None:
        """Schedule a member's next daily review note."""
        ...

    def arm_appeal(self, appeal_id: int, at: datetime) -> None:
        """Schedule the check of a peer appeal that may still be undecided then."""
        ...


class ApsJobScheduler:
    """Jobs on the real clock, with APScheduler's AsyncIOScheduler."""

    def __init__(
        self,
        handlers: JobHandlers,
        grace: timedelta,
        sweep_every: timedelta = timedelta(minutes=1),
        slow_sweep: timedelta = SLOW_SWEEP,
    ) -> None:
        self._handlers = handlers
        self._grace = grace
        self._sweep_every = sweep_every
        self._slow_sweep = slow_sweep
        self.scheduler = ObservedScheduler(timezone=UTC)  # lag metrics, clean log context

    def start(self) -> None:
        """Start running jobs, and the periodic sweep (needs a running event loop)."""
        self.scheduler.add_job(
            self.run_sweep,
            IntervalTrigger(seconds=self._sweep_every.total_seconds()),
            id="sweep",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()

    async def run_sweep(self) -> None:
        """Run the sweep once; a run slower than `SLOW_SWEEP` is logged and counted."""
        started = time.monotonic()
        try:
            await self._handlers.sweep()
        finally:
            took = time.monotonic() - started
            if took > self._slow_sweep.total_seconds():
                scheduler_slow_run("sweep")
                log.warning(
                    "the sweep took %.2f s, more than %.2f s: every group's work waited",
                    took,
                    self._slow_sweep.total_seconds(),
                )

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
            PostTrigger(group.settings),
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

    def arm_reminder(self, round_id: int, at: datetime) -> None:
        """Schedule a round's reminder (a late one is checked against the reveal when it runs)."""
        self._arm_once(f"remind:{round_id}", self._handlers.remind_due, round_id, at)

    def arm_review_note(self, member_id: int, at: datetime) -> None:
        """Schedule a member's next daily review note (a late one is checked when it runs)."""
        self._arm_once(f"review-note:{member_id}", self._handlers.review_note_due, member_id, at)

    def arm_appeal(self, appeal_id: int, at: datetime) -> None:
        """Schedule the check of a peer appeal (a late one is checked when it runs)."""
        self._arm_once(f"appeal:{appeal_id}", self._handlers.appeal_due, appeal_id, at)

    def _arm_once(
        self, job_id: str, run: Callable[[int], Awaitable[None]], key: int, at: datetime
    ) -> None:
        self.scheduler.add_job(
            run,
            DateTrigger(run_date=at),
            args=[key],
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
        self._posts: dict[int, tuple[GroupSettings, datetime]] = {}  # settings, last fired/armed
        self._once: dict[str, _OneShot] = {}

    def arm_group(self, group: Group) -> None:
        """Schedule (or reschedule, or with a paused group remove) a group's daily post."""
        if group.settings.paused or not group.settings.weekdays:
            self._posts.pop(group.id, None)
            return
        self._posts[group.id] = (group.settings, self._clock.now())

    def arm_reveal(self, round_id: int, at: datetime) -> None:
        """Schedule a round's reveal."""
        self._once[f"reveal:{round_id}"] = _OneShot(at, lambda: self._handlers.reveal_due(round_id))

    def arm_retry(self, round_id: int, at: datetime) -> None:
        """Schedule another attempt to post a round."""
        self._once[f"retry:{round_id}"] = _OneShot(at, lambda: self._handlers.retry_post(round_id))

    def arm_reminder(self, round_id: int, at: datetime) -> None:
        """Schedule a round's reminder before its reveal."""
        self._once[f"remind:{round_id}"] = _OneShot(at, lambda: self._handlers.remind_due(round_id))

    def arm_review_note(self, member_id: int, at: datetime) -> None:
        """Schedule a member's next daily review note."""
        self._once[f"review-note:{member_id}"] = _OneShot(
            at, lambda: self._handlers.review_note_due(member_id)
        )

    def arm_appeal(self, appeal_id: int, at: datetime) -> None:
        """Schedule the check of a peer appeal that may still be undecided then."""
        self._once[f"appeal:{appeal_id}"] = _OneShot(
            at, lambda: self._handlers.appeal_due(appeal_id)
        )

    def _next_job(self) -> tuple[datetime, str] | None:
        due: list[tuple[datetime, str]] = []
        for group_id, (settings, since) in self._posts.items():
            slot = next_post_slot(settings, since)
            if slot is not None:
                due.append((slot.at, f"post:{group_id}"))
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
                    settings, _ = self._posts[group_id]
                    self._posts[group_id] = (settings, at)
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
