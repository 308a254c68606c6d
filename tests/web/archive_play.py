"""A console group with revealed rounds, and an HTTP client of its web archive."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.archive_access import ArchiveAccess
from bot.charts import ChartService
from bot.health import HealthServer
from bot.web.pages import ArchivePages
from bot.web.site import RateLimit, archive_app
from tests.conftest import Console

SETUP = "/studybot setup time=09:00 tz=UTC days=daily categories=algorithms difficulty=medium"
PATH = re.compile(r"/archive/([A-Za-z0-9_\-]{40,})/")
EVIL = "<script>alert(1)</script> @everyone"
GOOD_ANSWER = "L1 drives some weights to exactly zero, so it selects features."


async def play_rounds(c: Console, days: int = 2) -> None:
    """Set the group up and play `days` rounds answered by Bea and a member named EVIL."""
    await c.run(SETUP)
    for day in range(days):
        at = (date(2026, 11, 30) + timedelta(days=day)).isoformat()
        await c.run(f":at {at}T09:00", ":as Bea", GOOD_ANSWER)
        await c.run(f":as {EVIL}", "Something about trees, maybe.")
        await c.run(f":at {at}T10:00", ":as Alice", "/studybot reveal")


async def turn_on(c: Console, choice: str = "on") -> str:
    """Turn the archive on with `web=choice` as Alice; return the link's path."""
    out = await c.run(":as Alice", f"/studybot settings web={choice}")
    found = PATH.search(out)
    assert found is not None, out
    return found.group(0)


@asynccontextmanager
async def archive_client(app: App, limit: RateLimit | None = None) -> AsyncIterator[TestClient]:
    """An HTTP client of the app's archive, mounted at /archive/ as the health server does."""
    pages = ArchivePages(app.store, app.bank, app.clock, ChartService(app.store, app.clock))
    root = web.Application()
    root.add_subapp("/archive/", archive_app(ArchiveAccess(app.store), pages, limit))
    async with TestClient(TestServer(root)) as client:
        yield client


class Connected:
    def is_connected(self) -> bool:
        return True


@asynccontextmanager
async def served_archive(app: App) -> AsyncIterator[aiohttp.ClientSession]:
    """A client of the real health server (the archive mounted on it) on a free port."""
    server = HealthServer(app, Connected(), 0, "127.0.0.1")
    await server.start()
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as session:
            yield session
    finally:
        await server.stop()
