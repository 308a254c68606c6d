"""Discord without a network (#16): one line per failed try, backing off, no voice warnings."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import discord
import pytest

from adapters.discord.main import DiscordPlatform
from adapters.discord.settings import DEFAULT_API_BASE, DiscordSettings
from bot.config import Config
from bot.reconnect import Backoff
from bot.service import run_service
from loopback.discord import FakeDiscord
from tests.conftest import FIXTURE_CONTENT

TOKEN = "discord-offline-token-for-tests"
FAILED = "discord: cannot reach Discord at 127.0.0.1"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port where nothing listens: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def restore_route_base() -> Iterator[None]:
    yield
    discord.http.Route.BASE = DEFAULT_API_BASE  # run() sets it, for the whole process


def offline_platform(port: int) -> DiscordPlatform:
    settings = DiscordSettings(token=TOKEN, api_base=f"http://127.0.0.1:{port}/api/v10")
    platform = DiscordPlatform(settings)
    platform.login_backoff = Backoff(first=0.05, cap=0.2)
    return platform


def config(tmp_path: Path) -> Config:
    return Config(
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        content_dir=FIXTURE_CONTENT,
        cache_dir=None,
    )


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith(FAILED)]


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait until `condition` holds (or fail after `within` seconds)."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.01)


def test_no_warnings_about_voice(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # discord.py warns once per process, when the first client is made: as if this were it.
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    caplog.set_level(logging.DEBUG)
    DiscordPlatform(DiscordSettings(token=TOKEN))
    assert [r.getMessage() for r in caplog.records if "voice" in r.getMessage()] == []
    assert not discord.VoiceClient.warn_nacl  # discord.py did try to warn


async def test_an_unreachable_discord_is_one_line_per_try_backing_off(
    tmp_path: Path, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    platform = offline_platform(closed_port)
    service = asyncio.create_task(run_service(config(tmp_path), platform))
    await until(lambda: len(failures(caplog)) >= 5 or service.done())
    assert not service.done(), caplog.text  # still trying, not stopped
    await platform.close()
    assert await asyncio.wait_for(service, 5) == 0

    lines = [r.getMessage() for r in failures(caplog)]
    waits = [line.rsplit("trying again in ", 1)[1] for line in lines[:5]]
    assert waits == ["0.05 s", "0.1 s", "0.2 s", "0.2 s", "0.2 s"]  # doubling, capped
    assert all(f"try {n} failed" in line for n, line in enumerate(lines[:5], 1))
    assert f"127.0.0.1:{closed_port}" in lines[0]  # says where and why
    assert all(r.levelno == logging.WARNING for r in failures(caplog))
    assert not [r for r in caplog.records if r.exc_info], "no tracebacks"
    assert "Traceback" not in caplog.text and TOKEN not in caplog.text
    assert "voice" not in caplog.text


async def test_it_connects_once_discord_answers(
    tmp_path: Path, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with FakeDiscord(token=TOKEN) as fake:
        fake.add_guild("ML study")
        platform = offline_platform(closed_port)
        service = asyncio.create_task(run_service(config(tmp_path), platform))
        await until(lambda: len(failures(caplog)) >= 2 or service.done())
        discord.http.Route.BASE = fake.api_base  # the network is back
        await asyncio.wait_for(fake.wait_ready(), 10)
        assert platform.is_connected()
        await platform.close()
        assert await asyncio.wait_for(service, 10) == 0
    assert not [r for r in caplog.records if r.exc_info], "no tracebacks"
