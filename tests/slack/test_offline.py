"""Slack without a network (#16): Socket Mode tries again, one line per try, backing off."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

from adapters.slack import main as slack_main
from adapters.slack.main import SlackPlatform
from adapters.slack.settings import SlackSettings
from bot.config import Config
from bot.reconnect import Backoff
from bot.service import run_service
from loopback.slack import FakeSlack
from tests.conftest import FIXTURE_CONTENT
from tests.slack.conftest import wait_until

BOT_TOKEN = "xoxb-offline-bot-token"
APP_TOKEN = "xapp-offline-app-token"
FAILED = "slack: cannot reach Slack to open a Socket Mode connection"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port where nothing listens: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slack_main, "CONNECT_BACKOFF", Backoff(first=0.05, cap=0.2))


def socket_mode_platform(api_url: str) -> SlackPlatform:
    settings = SlackSettings(
        bot_token=BOT_TOKEN, app_token=APP_TOKEN, signing_secret=None, api_url=api_url
    )
    return SlackPlatform(settings, host="127.0.0.1")


def config(tmp_path: Path) -> Config:
    return Config(
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        content_dir=FIXTURE_CONTENT,
        cache_dir=None,
    )


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(FAILED)]


@pytest.mark.slow  # the Web API client itself tries each call twice, about a second apart
async def test_an_unreachable_slack_is_one_line_per_try_backing_off(
    tmp_path: Path, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    platform = socket_mode_platform(f"http://127.0.0.1:{closed_port}/api/")
    service = asyncio.create_task(run_service(config(tmp_path), platform))
    await wait_until(lambda: len(failures(caplog)) >= 3 or service.done(), within=30)
    assert not service.done(), caplog.text  # still trying, not stopped
    await platform.close()
    assert await asyncio.wait_for(service, 5) == 0  # closing stops the trying at once

    lines = failures(caplog)
    waits = [line.rsplit("trying again in ", 1)[1] for line in lines[:3]]
    assert waits == ["0.05 s", "0.1 s", "0.2 s"]  # doubling, capped
    assert f"127.0.0.1:{closed_port}" in lines[0]  # says where and why
    assert not [r for r in caplog.records if r.exc_info], "no tracebacks"
    assert "Traceback" not in caplog.text
    assert BOT_TOKEN not in caplog.text and APP_TOKEN not in caplog.text


@pytest.mark.slow
async def test_it_connects_once_slack_answers(
    tmp_path: Path, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with FakeSlack() as fake:
        platform = socket_mode_platform(f"http://127.0.0.1:{closed_port}/api/")
        service = asyncio.create_task(run_service(config(tmp_path), platform))
        await wait_until(lambda: len(failures(caplog)) >= 1 or service.done(), within=30)
        platform.client.base_url = fake.api_url  # the network is back
        await asyncio.wait_for(fake.wait_for_socket(), 15)
        await wait_until(platform.is_connected, within=10)
        await platform.close()
        assert await asyncio.wait_for(service, 10) == 0
    assert not [r for r in caplog.records if r.exc_info], "no tracebacks"


@asynccontextmanager
async def answering_slack(*answers: dict[str, object]) -> AsyncIterator[str]:
    """A Slack Web API that gives `answers` in turn (the last one from then on)."""
    given = iter(answers)
    last = answers[-1]

    async def answer(request: web.Request) -> web.Response:
        return web.json_response(next(given, last))

    app = web.Application()
    app.router.add_post("/api/{method}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/api/"
    finally:
        await runner.cleanup()


async def test_a_refused_app_token_stops_the_bot(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with answering_slack({"ok": False, "error": "invalid_auth"}) as api_url:
        platform = socket_mode_platform(api_url)
        status = await asyncio.wait_for(run_service(config(tmp_path), platform), 10)
    assert status == 1
    stopped = [r for r in caplog.records if "Slack refused to open a Socket Mode" in r.message]
    assert len(stopped) == 1 and "invalid_auth" in stopped[0].getMessage()
    assert APP_TOKEN not in caplog.text and BOT_TOKEN not in caplog.text


async def test_slack_in_trouble_is_tried_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    trouble = {"ok": False, "error": "internal_error"}
    async with answering_slack(trouble, trouble) as api_url:
        platform = socket_mode_platform(api_url)
        service = asyncio.create_task(run_service(config(tmp_path), platform))
        await wait_until(lambda: len(failures(caplog)) >= 2 or service.done(), within=10)
        assert not service.done(), caplog.text
        await platform.close()
        assert await asyncio.wait_for(service, 5) == 0
    assert "(Slack answered internal_error); try 1 failed" in failures(caplog)[0]
