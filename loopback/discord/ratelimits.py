"""Discord's rate limits on the loopback Discord, enforced when asked.

The global limit (requests a second, interaction routes exempt) and per-route
buckets (a route with its major parameter), each answered with 429, Discord's
headers and body, and counted as a violation.
"""

from __future__ import annotations

import time
from collections import deque

from aiohttp import web

from loopback.discord.responses import json_response


def exempt(path: str) -> bool:
    """Tell whether a path is outside the rate limits (interaction responses and webhooks)."""
    return path.startswith(("/interactions/", "/webhooks/"))


def bucket_key(method: str, path: str) -> str:
    """Return a request's rate-limit bucket: the route with its major parameter."""
    parts = path.strip("/").split("/")
    out = []
    for i, part in enumerate(parts):
        major = i == 1 and parts[0] in ("channels", "guilds", "webhooks")
        if part.isdigit() and not major:
            out.append("{id}")
        elif i == 2 and parts[0] == "webhooks":
            out.append(part)  # the webhook token is major too
        elif i > 0 and parts[i - 1] == "reactions":
            out.append("{emoji}")
        else:
            out.append(part)
    return method + " /" + "/".join(out)


class RateLimiter:
    """The global limit and the route buckets, and how often a bot went over them."""

    def __init__(
        self, *, global_limit: int | None = None, route_limit: tuple[int, float] | None = None
    ) -> None:
        self.global_limit = global_limit  # requests per second, interaction routes exempt
        self.route_limit = route_limit  # (requests, per seconds) per route bucket
        self.global_violations = 0
        self.route_violations = 0
        self._recent: deque[float] = deque()
        self._buckets: dict[str, deque[float]] = {}

    def global_refusal(self, method: str, path: str, now: float) -> web.Response | None:
        """Return the 429 of a request over the global limit, or None (and count it)."""
        if self.global_limit is not None and not exempt(path):
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.global_limit:
                self.global_violations += 1
                retry = round(1.0 - (now - self._recent[0]), 3)
                return json_response(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": retry,
                        "global": True,
                    },
                    429,
                    {
                        "Retry-After": str(retry),
                        "X-RateLimit-Global": "true",
                        "X-RateLimit-Scope": "global",
                        "Via": "1.1 google",
                    },
                )
            self._recent.append(now)
        return None

    def route_headers(self, method: str, path: str, now: float) -> tuple[dict[str, str], bool]:
        """Return the bucket headers for a request, and whether it exceeds its bucket."""
        if self.route_limit is None or exempt(path):
            return {}, False
        limit, per = self.route_limit
        key = bucket_key(method, path)
        hits = self._buckets.setdefault(key, deque())
        while hits and now - hits[0] >= per:
            hits.popleft()
        over = len(hits) >= limit
        if not over:
            hits.append(now)
        reset_after = per - (now - hits[0]) if hits else per
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - len(hits))),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": str(abs(hash(key))),
        }
        return headers, over

    def route_refusal(self, headers: dict[str, str]) -> web.Response:
        """Count a request over its bucket and return its 429 (with the bucket's headers)."""
        self.route_violations += 1
        retry = float(headers["X-RateLimit-Reset-After"])
        return json_response(
            {
                "message": "You are being rate limited.",
                "retry_after": retry,
                "global": False,
            },
            429,
            {
                **headers,
                "Retry-After": str(retry),
                "Via": "1.1 google",
                "X-RateLimit-Scope": "user",
            },
        )
