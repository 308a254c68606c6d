"""Observability: Prometheus metrics, log context, and the calls the core makes to feed them.

The core imports this package only (`from bot import telemetry`). The HTTP
server of `/healthz` and `/metrics` is `bot.health`, and the logging
set-up `bot.telemetry.logs`; both are imported by the service and the CLI.
"""

from bot.telemetry.context import bind_round, keep_private, log_scope
from bot.telemetry.events import observe_event
from bot.telemetry.metrics import (
    answer_recorded,
    platform_error,
    private_closed,
    round_posted,
    round_revealed,
    scheduler_job_failed,
    scheduler_job_missed,
    scheduler_lag,
)

__all__ = [
    "answer_recorded",
    "bind_round",
    "keep_private",
    "log_scope",
    "observe_event",
    "platform_error",
    "private_closed",
    "round_posted",
    "round_revealed",
    "scheduler_job_failed",
    "scheduler_job_missed",
    "scheduler_lag",
]
