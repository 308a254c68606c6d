"""APScheduler's asyncio scheduler, observed: job lag, misses and failures, and clean log context.

The scheduler's loop callbacks (and so the tasks that run its jobs) inherit the
context variables of whoever last woke it up, e.g. a command that armed a
reveal; run as is, a job's lines would carry that command's group and round
ids. `ObservedScheduler` wakes up in an empty context instead, so a job starts
with no ids and binds its own.
"""

from __future__ import annotations

import contextvars
import logging
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.telemetry.metrics import scheduler_job_failed, scheduler_job_missed, scheduler_lag

__all__ = ["ObservedScheduler", "job_kind"]

log = logging.getLogger(__name__)


def job_kind(job_id: str) -> str:
    """Return the kind of a job from its id (`reveal:12` → `reveal`)."""
    return job_id.split(":", 1)[0]


class ObservedScheduler(AsyncIOScheduler):  # type: ignore[misc]  # APScheduler has no types
    """An AsyncIOScheduler that records job lag, misses and failures, and wakes up context-free."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.add_listener(self._observe, EVENT_JOB_SUBMITTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)

    def wakeup(self) -> None:
        """Process due jobs soon, in an empty context (not the caller's)."""
        contextvars.Context().run(super().wakeup)

    @staticmethod
    def _observe(event: JobSubmissionEvent | JobExecutionEvent) -> None:
        kind = job_kind(str(event.job_id))
        if isinstance(event, JobSubmissionEvent):
            now = datetime.now(UTC)
            for scheduled in event.scheduled_run_times:
                scheduler_lag(kind, (now - scheduled).total_seconds())
        elif event.code == EVENT_JOB_MISSED:
            scheduler_job_missed(kind)
        else:
            scheduler_job_failed(kind)
