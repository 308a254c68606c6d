"""The bot's Prometheus metrics, and the few calls the core and adapters make to move them.

The metrics live in `REGISTRY`, a registry of this module rather than
prometheus-client's global default one: `/metrics` then shows exactly the
bot's series (plus the standard process, platform and GC collectors, added
here), nothing a third-party library registers globally can clash with or
leak into it, and tests read the same registry the server exposes. The
metrics are process-wide because a process runs one bot and is one scrape
target; with several replicas each one is scraped and Prometheus sums them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

__all__ = [
    "REGISTRY",
    "answer_recorded",
    "command_timer",
    "exposition",
    "platform_error",
    "private_closed",
    "round_posted",
    "round_revealed",
    "scheduler_job_failed",
    "scheduler_job_missed",
    "scheduler_lag",
    "scheduler_slow_run",
    "set_open_rounds",
]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

# A chat command should feel instant; anything past 3 s is a failure either way.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0)
# From "on time" to the end of the downtime grace window (2 h by default).
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0, 7200.0)

ROUNDS_POSTED = Counter(
    "studybot_rounds_posted", "Rounds posted to their channel.", registry=REGISTRY
)
ROUNDS_REVEALED = Counter(
    "studybot_rounds_revealed", "Rounds revealed and scored.", registry=REGISTRY
)
ANSWERS_RECORDED = Counter(
    "studybot_answers_recorded",
    "Answers (and edits of answers) stored, by where they came from.",
    ["source"],
    registry=REGISTRY,
)
COMMAND_SECONDS = Histogram(
    "studybot_command_duration_seconds",
    "Time the core took to handle an event: a command by its name, other events by type.",
    ["command"],
    buckets=COMMAND_BUCKETS,
    registry=REGISTRY,
)
PLATFORM_ERRORS = Counter(
    "studybot_platform_errors",
    "Calls to a chat platform that failed, by platform and kind of failure.",
    ["platform", "kind"],
    registry=REGISTRY,
)
PRIVATE_CLOSED = Counter(
    "studybot_private_closed",
    "Private messages not delivered because the member's direct messages are closed, by"
    " platform and outcome: refused (the platform said no; the member is noted) or skipped"
    " (noted earlier, not tried).",
    ["platform", "outcome"],
    registry=REGISTRY,
)
SCHEDULER_LAG = Histogram(
    "studybot_scheduler_lag_seconds",
    "How late a scheduled job started compared with its scheduled time, by job kind.",
    ["job"],
    buckets=LAG_BUCKETS,
    registry=REGISTRY,
)
SCHEDULER_MISSED = Counter(
    "studybot_scheduler_jobs_missed",
    "Scheduled runs dropped because they came later than their grace time, by job kind.",
    ["job"],
    registry=REGISTRY,
)
SCHEDULER_FAILED = Counter(
    "studybot_scheduler_jobs_failed",
    "Scheduled jobs that raised an error, by job kind.",
    ["job"],
    registry=REGISTRY,
)
SCHEDULER_SLOW = Counter(
    "studybot_scheduler_slow_runs",
    "Runs of a job that took longer than its bound (the sweep: 1 s), by job kind.",
    ["job"],
    registry=REGISTRY,
)
OPEN_ROUNDS = Gauge(
    "studybot_open_rounds",
    "Rounds posted and not yet revealed, across all groups (read from the database "
    "when /metrics is scraped).",
    registry=REGISTRY,
)


def round_posted() -> None:
    """Count a round posted to its channel."""
    ROUNDS_POSTED.inc()


def round_revealed() -> None:
    """Count a round revealed and scored."""
    ROUNDS_REVEALED.inc()


def answer_recorded(source: str) -> None:
    """Count an answer stored (`source`: thread or private)."""
    ANSWERS_RECORDED.labels(source=source).inc()


@contextmanager
def command_timer(command: str) -> Iterator[None]:
    """Record how long the block handling `command` took (also when it raises)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        COMMAND_SECONDS.labels(command=command).observe(time.perf_counter() - start)


def platform_error(platform: str, kind: str) -> None:
    """Count a failed call to a platform; adapters call this for their own failures too.

    `kind` should come from a small fixed set (an exception class name, `rate_limited`,
    `disconnected`), never from free text, so the number of series stays small.
    """
    PLATFORM_ERRORS.labels(platform=platform, kind=kind).inc()


def private_closed(platform: str, outcome: str) -> None:
    """Count a private message a member's closed DMs kept back (`outcome`: refused or skipped)."""
    PRIVATE_CLOSED.labels(platform=platform, outcome=outcome).inc()


def scheduler_lag(job: str, seconds: float) -> None:
    """Record how late a job of kind `job` (post, reveal, retry) started."""
    SCHEDULER_LAG.labels(job=job).observe(max(seconds, 0.0))


def scheduler_job_missed(job: str) -> None:
    """Count a scheduled run dropped for coming too late."""
    SCHEDULER_MISSED.labels(job=job).inc()


def scheduler_job_failed(job: str) -> None:
    """Count a scheduled job that raised."""
    SCHEDULER_FAILED.labels(job=job).inc()


def scheduler_slow_run(job: str) -> None:
    """Count a run of a job of kind `job` that took longer than its bound."""
    SCHEDULER_SLOW.labels(job=job).inc()


def set_open_rounds(count: int) -> None:
    """Set how many rounds are open now."""
    OPEN_ROUNDS.set(count)


def exposition() -> bytes:
    """Return every metric in the Prometheus text format."""
    return generate_latest(REGISTRY)
