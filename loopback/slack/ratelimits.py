"""Slack's rate limits on the loopback Slack: a cell rate limit, and chat.postMessage's."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RateLimit:
    """A generic cell rate limit: `rate` a second with `burst` at once."""

    rate: float
    burst: int = 1
    tat: float = 0.0

    def admit(self, now: float) -> float:
        """Return 0 and count the call if it may pass now, else how long to wait."""
        interval = 1.0 / self.rate
        tat = max(self.tat, now)
        wait = tat - interval * (self.burst - 1) - now
        if wait > 1e-9:
            return wait
        self.tat = tat + interval
        return 0.0


@dataclass
class PostLimits:
    """chat.postMessage's limits: per channel, and for the method workspace-wide."""

    per_channel_rate: float = 1.0
    per_channel_burst: int = 1
    method_rate: float = 50.0
    method_burst: int = 1
    channels: dict[str, RateLimit] = field(default_factory=dict)
    method: RateLimit | None = None

    def admit(self, channel: str, now: float) -> float:
        """Return 0 if a post to `channel` may pass now (and count it), else the wait."""
        if self.method is None:
            self.method = RateLimit(self.method_rate, self.method_burst)
        limit = self.channels.setdefault(
            channel, RateLimit(self.per_channel_rate, self.per_channel_burst)
        )
        wait_channel = RateLimit(limit.rate, limit.burst, limit.tat).admit(now)
        wait_method = RateLimit(self.method.rate, self.method.burst, self.method.tat).admit(now)
        wait = max(wait_channel, wait_method)
        if wait > 0:
            return wait
        limit.admit(now)
        self.method.admit(now)
        return 0.0
