"""A real app (SQLite file, APScheduler on the real clock) served by the health server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.clock import SystemClock
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.health import HealthServer
from tests.conftest import FIXTURE_CONTENT
from tests.telemetry.console_platform import ConsolePlatform


@dataclass
class Served:
    app: App
    platform: ConsolePlatform
    server: HealthServer


@pytest.fixture
async def served(tmp_path: Path, fixture_bank: QuestionBank) -> AsyncIterator[Served]:
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", content_dir=FIXTURE_CONTENT
    )
    platform = ConsolePlatform()
    platform.connected = True
    app = await build_app(config, platform.chat, SystemClock(), bank=fixture_bank)
    await app.start()
    server = HealthServer(app, platform, port=0, host="127.0.0.1")
    await server.start()
    yield Served(app, platform, server)
    await server.stop()
    await app.stop()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the root logger's handlers and level back after a test that configures logging."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
