"""How often one member may ask the bot for work: token buckets per member and kind of event.

Rates are real time (a monotonic clock), not the bot's clock, which the console
and tests move by hand. A member who floods the bot with commands, answer edits or reaction flaps
costs every group database writes and platform calls. Each kind of event has
a bucket per member that refills steadily; an event that finds it empty is
refused with a friendly "slow down" (a reaction is dropped silently: it gets
no reply either way).

The buckets live in each process. With several replicas behind a load
balancer a member's events spread over them, so the bound is the limit times
the number of replicas; that stays cheap and needs no database round trip.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.ports import (
    ButtonPress,
    Event,
    FormSubmit,
    Invocation,
    MessageRemoved,
    ReactionsCleared,
    ThreadReply,
)

__all__ = ["DEFAULT_LIMITS", "Limit", "MemberLimits", "TokenBucket", "limit_kind"]


@dataclass(frozen=True, slots=True)
class Limit:
    """A burst of `burst` events, then one more every `every_seconds`."""

    burst: int
    every_seconds: float


# Commands and button presses; thread messages (answers and their edits); reactions.
DEFAULT_LIMITS: dict[str, Limit] = {
    "command": Limit(burst=10, every_seconds=3.0),
    "answer": Limit(burst=8, every_seconds=5.0),
    "reaction": Limit(burst=20, every_seconds=1.0),
}
# Buckets kept before the full (idle) ones are dropped: bounds memory under a crowd.
_MAX_BUCKETS = 50_000


def limit_kind(event: Event) -> str | None:
    """Return which of a member's limits an event counts against (None: no limit)."""
    match event:
        case Invocation() | ButtonPress():
            return "command"
        case ThreadReply() | FormSubmit() | MessageRemoved():
            return "answer"
        case ReactionsCleared():
            return None  # a moderator's action, not a member's flood
        case _:
            return "reaction"


@dataclass(slots=True)
class TokenBucket:
    """Tokens that refill at a steady rate up to a burst; each event takes one."""

    limit: Limit
    tokens: float
    updated: float  # seconds on a monotonic clock

    def take(self, now: float) -> bool:
        """Take a token if there is one; tell whether there was."""
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.limit.burst, self.tokens + elapsed / self.limit.every_seconds)
        self.updated = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True

    def full(self, now: float) -> bool:
        """Tell whether the bucket would be full now (its member has been quiet)."""
        elapsed = max(0.0, now - self.updated)
        return self.tokens + elapsed / self.limit.every_seconds >= self.limit.burst


class MemberLimits:
    """One token bucket per member and kind of event."""

    def __init__(
        self,
        limits: dict[str, Limit] | None = None,
        seconds: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds = seconds
        self._limits = DEFAULT_LIMITS if limits is None else limits
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}

    def allows(self, event: Event) -> bool:
        """Count an event against its member's limit; tell whether it may go ahead."""
        kind = limit_kind(event)
        if kind is None or isinstance(event, ReactionsCleared):  # (the same; mypy reads this)
            return True
        return self.allow(kind, event.actor.platform, event.actor.user_id)

    def allow(self, kind: str, platform: str, user_id: str) -> bool:
        """Take one event of `kind` from the member's bucket; tell whether it may go ahead."""
        limit = self._limits.get(kind)
        if limit is None:
            return True
        now = self._seconds()
        key = (kind, platform, user_id)
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _MAX_BUCKETS:
                self._forget_quiet_members(now)
            bucket = self._buckets[key] = TokenBucket(limit, float(limit.burst), now)
        return bucket.take(now)

    def _forget_quiet_members(self, now: float) -> None:
        """Drop the buckets that are full again: a new one would be the same."""
        self._buckets = {k: b for k, b in self._buckets.items() if not b.full(now)}
