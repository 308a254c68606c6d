"""The web archive's routes: read-only HTML pages of a group's past rounds under `/archive/`.

`archive_app` is an aiohttp sub-application mounted at `/archive/` on the
server of `/healthz` and `/metrics`. Each page lives under the group's link
(`/archive/{token}/...`); an unknown or revoked token, another group's round
or member, or any path not served gets the same 404 page. Every response
carries strict security headers (no script, no inline style, no framing, no
caching, no referrer), each remote address is rate limited, and nothing here
logs a path (the token is in it).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Middleware

from bot.archive_access import ArchiveAccess
from bot.model import Group
from bot.telemetry.logs import mask_archive_tokens
from bot.web.pages import ArchiveInputError, ArchivePages

__all__ = [
    "SECURITY_HEADERS",
    "MaskedAccessLogger",
    "RateLimit",
    "archive_app",
    "client_address",
]

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_BOARD = "leaderboard"  # a path, not the command (tests/test_command_mentions.py)
_PAGE = re.compile(r"\d{1,7}")
_ID = r"{%s:\d{1,18}}"
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class MaskedAccessLogger(AbstractAccessLogger):
    """An access log (at DEBUG) whose paths have the web archive's tokens masked."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Log one request: address, method, masked path, status and seconds taken."""
        self.logger.debug(
            "%s %s %s %d %.3fs",
            request.remote,
            request.method,
            mask_archive_tokens(request.path_qs),
            response.status,
            time,
        )


class RateLimit:
    """A token bucket per remote address: `burst` requests, refilled over `per` seconds."""

    def __init__(
        self, burst: int = 30, per: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._burst = burst
        self._rate = burst / per
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, at)

    def wait(self, address: str) -> float:
        """Take one request from an address's bucket: 0 if allowed, else seconds to wait."""
        now = self._clock()
        tokens, at = self._buckets.get(address, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - at) * self._rate)
        if tokens < 1:
            self._buckets[address] = (tokens, now)
            return (1 - tokens) / self._rate
        if len(self._buckets) > 10_000:  # forget full buckets: they are as good as new
            self._forget_full(now)
        self._buckets[address] = (tokens - 1, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        for address, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * self._rate >= self._burst:
                del self._buckets[address]


class _Site:
    """The handlers, with what they read pages and links from."""

    def __init__(self, access: ArchiveAccess, pages: ArchivePages) -> None:
        self.access = access
        self.pages = pages
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["percent"] = lambda value: f"{value:.0%}"

    def render(self, template: str, status: int = 200, **values: Any) -> web.Response:
        """Return a template rendered as an HTML response."""
        body = self.env.get_template(template).render(**values)
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

    def not_found(self) -> web.Response:
        """Return the one 404 page: the same for an unknown token and anything not found."""
        return self.render("not_found.html", status=404)

    async def group_of(self, request: web.Request) -> tuple[Group, bool, str]:
        """Return the group the link opens, whether answers show, and the link's base path."""
        token = request.match_info["token"]
        opened = await self.access.open(token)
        if opened is None:
            raise web.HTTPNotFound()
        group, show_answers = opened
        return group, show_answers, f"/archive/{token}"

    async def rounds(self, request: web.Request) -> web.Response:
        """Show the rounds list: revealed rounds, newest first, by category, 50 a page."""
        group, _, base = await self.group_of(request)
        page = _page(request)
        found = await self.pages.rounds(group, request.query.get("category"), page)
        return self.render("rounds.html", base=base, view=found, section="rounds")

    async def round(self, request: web.Request) -> web.Response:
        """Show a round: question, reference answer, key points, results (answers if shown)."""
        group, show_answers, base = await self.group_of(request)
        found = await self.pages.round(group, int(request.match_info["round_id"]), show_answers)
        if found is None:
            raise web.HTTPNotFound()
        return self.render("round.html", base=base, view=found, section="rounds")

    async def leaderboard(self, request: web.Request) -> web.Response:
        """Show a leaderboard: `?period=week|month|all&when=last|2026-W49|2026-11&category=`."""
        group, _, base = await self.group_of(request)
        query = request.query
        found = await self.pages.board(
            group, query.get("period"), query.get("when"), query.get("category"), _page(request)
        )
        return self.render("leaderboard.html", base=base, view=found, section="leaderboard")

    async def member(self, request: web.Request) -> web.Response:
        """Show a member's progress: totals, coverage per category, and the /stats chart."""
        group, _, base = await self.group_of(request)
        found = await self.pages.member(group, int(request.match_info["member_id"]))
        if found is None:
            raise web.HTTPNotFound()
        return self.render("member.html", base=base, view=found, section="")

    async def chart(self, request: web.Request) -> web.Response:
        """Send a member's /stats chart as a PNG (404 when there is nothing to draw yet)."""
        group, _, _ = await self.group_of(request)
        data = await self.pages.member_chart(group, int(request.match_info["member_id"]))
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="image/png")

    async def style(self, request: web.Request) -> web.Response:
        """Send the site's one style sheet."""
        text = (_HERE / "static" / "site.css").read_text(encoding="utf-8")
        return web.Response(text=text, content_type="text/css", charset="utf-8")


def _page(request: web.Request) -> int:
    """Return the `?page=` asked for (1 without one), or raise ArchiveInputError."""
    text = request.query.get("page", "1")
    if _PAGE.fullmatch(text) is None:
        raise ArchiveInputError("The page must be a number, such as page=2.")
    return int(text)


def client_address(request: web.BaseRequest) -> str:
    """Return the address a request came from, as the rate limit counts it.

    A request from a private or loopback address (a reverse proxy in front) is
    counted by the last `X-Forwarded-For` entry, the one that proxy added; any
    other peer by its own address, so a client cannot name itself another.
    """
    remote = request.remote or "unknown"
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        peer = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if forwarded and (peer.is_private or peer.is_loopback):
        return forwarded.split(",")[-1].strip() or remote
    return remote


def _middleware(site: _Site, limit: RateLimit) -> Middleware:
    @web.middleware
    async def guard(request: web.Request, handler: _Handler) -> web.StreamResponse:
        """Rate limit, answer errors with the site's pages, and add the security headers."""
        wait = limit.wait(client_address(request))
        response: web.StreamResponse
        if wait > 0:
            response = site.render("too_many.html", status=429)
            response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        else:
            response = await _answer(site, request, handler)
        response.headers.update(SECURITY_HEADERS)
        return response

    return guard


async def _answer(site: _Site, request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Return the handler's response, or the site's page for what went wrong (never a path)."""
    try:
        return await handler(request)
    except ArchiveInputError as exc:
        return site.render("bad_request.html", status=400, message=str(exc))
    except web.HTTPMethodNotAllowed:
        return site.render("bad_request.html", status=405, message="Only reading is allowed.")
    except web.HTTPException:
        return site.not_found()
    except Exception as exc:  # logged without the request's path, which holds the token
        log.error("an archive page failed: %s", type(exc).__name__)
        return site.render("bad_request.html", status=500, message="Something went wrong.")


def archive_app(
    access: ArchiveAccess, pages: ArchivePages, limit: RateLimit | None = None
) -> web.Application:
    """Return the archive's sub-application, to be mounted at `/archive/`."""
    site = _Site(access, pages)
    app = web.Application(middlewares=[_middleware(site, limit or RateLimit())])
    app.router.add_get("/static/site.css", site.style)
    app.router.add_get("/{token}/", site.rounds)
    app.router.add_get("/{token}/rounds/" + _ID % "round_id", site.round)
    app.router.add_get("/{token}/" + _BOARD, site.leaderboard)
    app.router.add_get("/{token}/members/" + _ID % "member_id", site.member)
    app.router.add_get("/{token}/members/" + _ID % "member_id" + "/chart.png", site.chart)
    return app
