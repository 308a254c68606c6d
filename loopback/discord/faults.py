"""Failures injected into the loopback Discord: errors and delays for matching requests.

A failure answers the next requests matching (method, path regex) with an
error: a 429 with Retry-After, a `Via` header and a JSON body (as Discord's
and Cloudflare's differ), or a 5xx. A slowdown answers them late.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from aiohttp import web

from loopback.discord.responses import Json, json_response


@dataclass
class Failure:
    """An injected failure for the next matching requests."""

    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    retry_after: float = 0.0
    via: bool = True
    json_body: bool = True
    global_: bool = False


@dataclass
class Slowdown:
    """An injected delay for the next matching requests (Discord or the network being slow)."""

    method: str
    pattern: re.Pattern[str]
    seconds: float
    times: int


class Faults:
    """The failures and slowdowns still to come."""

    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.slowdowns: list[Slowdown] = []

    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float = 0.0,
        via: bool = True,
        json_body: bool = True,
        global_: bool = False,
    ) -> None:
        """Answer the next `times` requests matching (method, path regex) with an error."""
        self.failures.append(
            Failure(
                method, re.compile(pattern), status, times, retry_after, via, json_body, global_
            )
        )

    def slow(self, method: str, pattern: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next `times` requests matching (method, path regex) `seconds` late."""
        self.slowdowns.append(Slowdown(method, re.compile(pattern), seconds, times))

    async def delay(self, method: str, path: str) -> None:
        """Sleep as long as the first slowdown matching a request says (and count it down)."""
        for slowdown in self.slowdowns:
            if (
                slowdown.times > 0
                and slowdown.method == method
                and slowdown.pattern.fullmatch(path)
            ):
                slowdown.times -= 1
                await asyncio.sleep(slowdown.seconds)
                return

    def injected(self, method: str, path: str) -> web.Response | None:
        """Return the error of the first failure matching a request (counted down), or None."""
        for failure in self.failures:
            if failure.times > 0 and failure.method == method and failure.pattern.fullmatch(path):
                failure.times -= 1
                return _failure_response(failure)
        return None


def _failure_response(failure: Failure) -> web.Response:
    headers = {"Via": "1.1 google"} if failure.via else {}
    body: Json
    if failure.status == 429:
        headers["Retry-After"] = str(failure.retry_after)
        headers["X-RateLimit-Scope"] = "global" if failure.global_ else "user"
        if failure.global_:
            headers["X-RateLimit-Global"] = "true"
        body = {
            "message": "You are being rate limited.",
            "retry_after": failure.retry_after,
            "global": failure.global_,
        }
    else:
        body = {"code": 0, "message": f"{failure.status}: injected failure"}
    if not failure.json_body:
        return web.Response(status=failure.status, text="error", headers=headers)
    return json_response(body, failure.status, headers)
