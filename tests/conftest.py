"""Shared fixtures: the fixture bank, and a console session on a real SQLite file."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.console.adapter import ConsoleSession
from adapters.console.chat import ConsoleChat
from bot.app import App, build_app
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank, load_bank
from bot.jobs import ManualJobScheduler
from tests.postgres import postgres_schema, schema_url

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
CONSOLE_START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday, before the first post
REPO = Path(__file__).resolve().parents[1]


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Say which order the tests ran in, so a failure in company can be run again."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int):
        terminalreporter.write_line(f"test order: ./scripts/test --randomly-seed={seed}")


@pytest.fixture(scope="session")
def fixture_bank() -> QuestionBank:
    return load_bank(FIXTURE_CONTENT)


@dataclass
class Console:
    """A console session whose output the test reads."""

    app: App
    session: ConsoleSession
    out: io.StringIO
    clock: ManualClock
    chat: ConsoleChat

    async def run(self, *lines: str) -> str:
        """Run lines and return what they printed."""
        start = self.out.tell()
        for line in lines:
            assert await self.session.handle_line(line)
        self.out.seek(start)
        printed = self.out.read()
        self.out.seek(0, io.SEEK_END)
        return printed


async def open_console(
    db_path: Path | str, bank: QuestionBank, start: datetime, admin: bool = True, **config: Any
) -> Console:
    """Start the bot on a console chat and a manual clock; `config` changes its settings.

    `db_path` is a SQLite file, or a database URL (a PostgreSQL schema, say).
    """
    if not isinstance(db_path, str):  # charts beside the database, not in the system's temp
        config.setdefault("chart_dir", db_path.parent / "charts")
    settings = Config(
        database_url=db_path if isinstance(db_path, str) else f"sqlite:///{db_path}",
        content_dir=FIXTURE_CONTENT,
        member_limits=False,  # as the console runs
        **config,
    )
    clock = ManualClock(start)
    out = io.StringIO()
    chat = ConsoleChat(out, chart_dir=settings.chart_dir)
    app = await build_app(settings, chat, clock, bank=bank)
    await app.start()
    assert isinstance(app.scheduler, ManualJobScheduler)
    session = ConsoleSession(app.core, chat, clock, app.scheduler, member="Alice", admin=admin)
    return Console(app, session, out, clock, chat)


@asynccontextmanager
async def console_on(
    database: str, tmp_path: Path, bank: QuestionBank, start: datetime = CONSOLE_START
) -> AsyncIterator[Console]:
    """A console on a real SQLite file (`sqlite`) or a throwaway PostgreSQL schema (`postgresql`).

    `console_on_both` opens one on each database in turn; PostgreSQL skips, with its
    reason, where no server answers.
    """
    if database == "sqlite":
        c = await open_console(tmp_path / "bot.sqlite3", bank, start)
        try:
            yield c
        finally:
            await c.app.stop()
        return
    async with postgres_schema() as schema:
        c = await open_console(schema_url(schema), bank, start)
        try:
            yield c
        finally:
            await c.app.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
async def console_on_both(
    request: pytest.FixtureRequest, tmp_path: Path, fixture_bank: QuestionBank
) -> AsyncIterator[Console]:
    """The console on a real SQLite file, then on a real PostgreSQL server."""
    async with console_on(request.param, tmp_path, fixture_bank) as c:
        yield c


@pytest.fixture
async def console(tmp_path: Path, fixture_bank: QuestionBank) -> AsyncIterator[Console]:
    c = await open_console(tmp_path / "bot.sqlite3", fixture_bank, CONSOLE_START)
    yield c
    await c.app.stop()
