"""Reaching a platform that does not answer: backing off, and one log line per failed try.

Without a network (or with a platform down) an adapter tries again and again.
Each failed try is one WARNING line saying what was tried, why it failed and
when the next try is; never a traceback, which says nothing more about a
refused connection and buries the log. The waits grow exponentially from
`Backoff.first` up to `Backoff.cap`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp

__all__ = ["TRANSIENT", "Backoff", "OneLineFailures", "describe", "keep_trying"]

# What a refused, dropped or timed-out connection raises (aiohttp's errors, OSError).
TRANSIENT: tuple[type[BaseException], ...] = (OSError, aiohttp.ClientError, TimeoutError)

T = TypeVar("T")


@dataclass
class Backoff:
    """Waits between tries: `first`, doubling each time, never more than `cap` (seconds)."""

    first: float = 1.0
    cap: float = 60.0
    tries: int = 0

    def next_wait(self) -> float:
        """Count a failed try and return how long to wait before the next."""
        wait = min(self.cap, self.first * 2.0 ** min(self.tries, 32))
        self.tries += 1
        return wait


def describe(exc: BaseException) -> str:
    """Say in a few words why a connection failed (the error's own text, or its kind)."""
    text = " ".join(str(exc).split())
    if isinstance(exc, TimeoutError) and not text:
        return "timed out"
    return text or type(exc).__name__


async def keep_trying(
    attempt: Callable[[], Awaitable[T]],
    *,
    what: str,
    log: logging.Logger,
    backoff: Backoff | None = None,
    transient: tuple[type[BaseException], ...] = TRANSIENT,
) -> T:
    """Return what `attempt` returns, trying again after each transient failure.

    Each failure is logged as one WARNING line (`what` says what failed, e.g.
    "discord: cannot reach Discord at discord.com"); other errors propagate, and
    cancelling the task stops the waiting.
    """
    backoff = backoff or Backoff()
    while True:
        try:
            return await attempt()
        except transient as exc:
            wait = backoff.next_wait()
            log.warning(
                "%s (%s); try %d failed, trying again in %s s",
                what,
                describe(exc),
                backoff.tries,
                f"{wait:g}",
            )
            await asyncio.sleep(wait)


class OneLineFailures(logging.Filter):
    """Drops the traceback of a library's log record when it is only a failed connection.

    The record keeps its level and message, with the error's text added; records
    about any other exception (a bug) keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite a connection failure's record as one line; never drops a record."""
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or not isinstance(exc, TRANSIENT):
            return True
        message = record.getMessage()
        reason = describe(exc)
        record.msg = message if reason in message else f"{message} ({reason})"
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True
