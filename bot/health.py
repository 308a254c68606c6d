"""The HTTP server of `/healthz` and `/metrics` (aiohttp), served when a port is configured.

`GET /healthz` answers 200 with `{"status": "ok", "database": "ok",
"scheduler": "running", "platform": "connected"}` when the database answers a
trivial query within a short timeout, the scheduler runs and the platform is
connected; otherwise 503 with the same fields saying what is wrong.
`GET /metrics` is the Prometheus text exposition of `bot.telemetry.metrics`.
`/archive/...` are the groups' web archives (`bot.web.site`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.app import App
from bot.archive_access import ArchiveAccess
from bot.charts import ChartService
from bot.jobs import ApsJobScheduler
from bot.model import RoundStatus
from bot.telemetry.metrics import exposition, set_open_rounds
from bot.web.pages import ArchivePages
from bot.web.site import MaskedAccessLogger, archive_app

__all__ = ["OPEN_ROUNDS_EVERY", "Connection", "HealthServer", "start_health_server"]

# Seconds a count of the open rounds serves /metrics before the database is asked again.
OPEN_ROUNDS_EVERY = 10.0

log = logging.getLogger(__name__)

DB_TIMEOUT = 1.0  # seconds; a probe's own timeout should be longer (2 s or more)


class Connection(Protocol):
    """What the health check asks the platform (bot.service.Platform offers it)."""

    def is_connected(self) -> bool:
        """Say whether the platform connection is up now."""
        ...


class HealthServer:
    """Serves `/healthz` and `/metrics` for one app and its platform connection."""

    def __init__(
        self,
        app: App,
        platform: Connection,
        port: int,
        host: str | None = None,
        db_timeout: float = DB_TIMEOUT,
        open_rounds_every: float = OPEN_ROUNDS_EVERY,
    ) -> None:
        self._app = app
        self._open_rounds_every = open_rounds_every
        self._platform = platform
        self._host = host
        self._port = port
        self._db_timeout = db_timeout
        web_app = web.Application()
        web_app.router.add_get("/healthz", self._healthz)
        web_app.router.add_get("/metrics", self._metrics)
        # The web archive (bot.web.site): groups' read-only pages, once an admin turns them on.
        pages = ArchivePages(app.store, app.bank, app.clock, ChartService(app.store, app.clock))
        web_app.add_subapp("/archive/", archive_app(ArchiveAccess(app.store), pages))
        # Requests are logged at DEBUG (probes come every few seconds), archive tokens masked.
        self._runner = web.AppRunner(web_app, access_log_class=MaskedAccessLogger)
        self._counted_at: float | None = None  # when the open rounds were last counted
        self._counting: asyncio.Future[None] | None = None
        self._was_healthy = True

    async def start(self) -> None:
        """Listen on the port (all interfaces unless a host was given); OSError if taken."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            raise
        log.info("serving /healthz, /metrics and /archive/ on port %d", self.port)

    @property
    def port(self) -> int:
        """Return the port listened on (the one chosen by the system when 0 was asked)."""
        for address in self._runner.addresses:
            return int(address[1])
        return self._port

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        await self._runner.cleanup()

    async def database_status(self) -> str:
        """Return "ok" when the database answers `SELECT 1` in time, else what went wrong."""
        try:
            await asyncio.wait_for(self._app.store.db.fetchrow("SELECT 1"), self._db_timeout)
        except TimeoutError:
            return f"no answer within {self._db_timeout:g} s"
        except Exception as exc:
            return f"unreachable ({type(exc).__name__})"
        return "ok"

    def scheduler_status(self) -> str:
        """Return "running", "stopped", or "manual" (the simulated clock's, always ready)."""
        scheduler = self._app.scheduler
        if isinstance(scheduler, ApsJobScheduler):
            return "running" if scheduler.running else "stopped"
        return "manual"

    async def check(self) -> tuple[bool, dict[str, str]]:
        """Return whether all is well, and the status of each part."""
        database = await self.database_status()
        scheduler = self.scheduler_status()
        platform = "connected" if self._platform.is_connected() else "disconnected"
        healthy = (
            database == "ok" and scheduler in ("running", "manual") and platform == "connected"
        )
        if healthy != self._was_healthy:
            self._was_healthy = healthy
            report = "healthy again" if healthy else "unhealthy"
            level = logging.INFO if healthy else logging.WARNING
            log.log(
                level,
                "%s: database %s, scheduler %s, platform %s",
                report,
                database,
                scheduler,
                platform,
            )
        return healthy, {
            "status": "ok" if healthy else "unhealthy",
            "database": database,
            "scheduler": scheduler,
            "platform": platform,
        }

    async def _healthz(self, request: web.Request) -> web.Response:
        healthy, body = await self.check()
        return web.json_response(body, status=200 if healthy else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        await self._count_open_rounds()
        return web.Response(body=exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _count_open_rounds(self) -> None:
        """Refresh the open-rounds gauge from the database, at most once per interval.

        Scrapes within `open_rounds_every` seconds of the last count reuse it, and
        scrapes that arrive together share one query, so a crowd of scrapes
        costs the database one COUNT.
        """
        now = time.monotonic()
        if self._counted_at is not None and now - self._counted_at < self._open_rounds_every:
            return
        if self._counting is None or self._counting.done():
            self._counting = asyncio.ensure_future(self._query_open_rounds())
        await asyncio.shield(self._counting)

    async def _query_open_rounds(self) -> None:
        try:
            count = await asyncio.wait_for(
                self._app.store.count_rounds(RoundStatus.OPEN), self._db_timeout
            )
        except Exception as exc:  # the counters still deserve to be scraped
            log.debug("open rounds not counted: %s", exc)
            return
        set_open_rounds(count)
        self._counted_at = time.monotonic()


async def start_health_server(
    app: App, platform: Connection, port: int, host: str | None = None
) -> HealthServer:
    """Start serving `/healthz` and `/metrics` on `port`; OSError if it cannot listen."""
    server = HealthServer(app, platform, port, host)
    await server.start()
    return server
