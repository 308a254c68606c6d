"""/healthz and /metrics over HTTP, around a real app; and run_service serving them."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.service import PlatformError, run_service
from tests.conftest import FIXTURE_CONTENT
from tests.telemetry.conftest import Served
from tests.telemetry.console_platform import ConsolePlatform
from tests.telemetry.http_probe import get_health, sample, scrape, wait_for_status


async def test_healthz_is_200_when_database_scheduler_and_platform_are_up(served: Served) -> None:
    status, body = await get_health(served.server.port)
    assert status == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "scheduler": "running",
        "platform": "connected",
    }


async def test_healthz_is_503_when_the_platform_is_disconnected(served: Served) -> None:
    served.platform.connected = False
    status, body = await get_health(served.server.port)
    assert status == 503
    assert body == {
        "status": "unhealthy",
        "database": "ok",
        "scheduler": "running",
        "platform": "disconnected",
    }
    served.platform.connected = True
    assert (await get_health(served.server.port))[0] == 200


async def test_healthz_is_503_when_the_database_is_closed(served: Served) -> None:
    await served.app.store.db.close()
    status, body = await get_health(served.server.port)
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["database"] == "unreachable (ProgrammingError)"
    assert body["scheduler"] == "running" and body["platform"] == "connected"


async def test_healthz_is_503_when_the_scheduler_stops(served: Served) -> None:
    served.app.scheduler.shutdown()
    body = await wait_for_status(served.server.port, 503, seconds=5)
    assert body["scheduler"] == "stopped" and body["database"] == "ok"


async def test_metrics_is_the_prometheus_exposition(served: Served) -> None:
    samples = await scrape(served.server.port)
    assert sample(samples, "studybot_open_rounds") == 0
    assert ("studybot_rounds_posted_total", ()) in samples
    assert ("process_cpu_seconds_total", ()) in samples  # the standard collectors are there
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{served.server.port}/nothing") as response,
    ):
        assert response.status == 404


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(tmp_path: Path, port: int | None) -> Config:
    return Config(
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        content_dir=FIXTURE_CONTENT,
        http_port=port,
    )


async def test_run_service_serves_health_while_running_and_stops_serving(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    port = _free_port()
    platform = ConsolePlatform()
    service = asyncio.create_task(run_service(_config(tmp_path, port), platform))
    await asyncio.wait_for(platform.running.wait(), 10)
    body = await wait_for_status(port, 200)
    assert body["scheduler"] == "running"
    platform.connected = False
    assert (await get_health(port))[0] == 503
    platform.connected = True
    await platform.close()
    assert await asyncio.wait_for(service, 10) == 0
    with pytest.raises(aiohttp.ClientConnectionError):
        await get_health(port)


async def test_run_service_refuses_to_start_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        platform = ConsolePlatform()
        status = await asyncio.wait_for(run_service(_config(tmp_path, port), platform), 10)
    assert status == 2
    assert not platform.running.is_set()


class _FailingPlatform(ConsolePlatform):
    """A platform whose connection fails at once with `failure`."""

    def __init__(self, failure: Exception) -> None:
        super().__init__()
        self.failure = failure

    async def run(self, app: App) -> None:
        raise self.failure


@pytest.mark.parametrize(
    ("failure", "traced"),
    [(PlatformError("the token was refused"), False), (KeyError("a bug"), True)],
)
async def test_a_platform_that_cannot_be_used_is_one_line_and_a_bug_keeps_its_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, failure: Exception, traced: bool
) -> None:
    caplog.set_level(logging.ERROR, logger="bot.service")
    assert await run_service(_config(tmp_path, None), _FailingPlatform(failure)) == 1
    [record] = [r for r in caplog.records if "connection stopped" in r.getMessage()]
    assert str(failure) in record.getMessage()
    assert (record.exc_info is not None) is traced
