"""Starting the console adapter: build the bot on a simulated clock and read lines."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.adapter import ConsoleSession
from adapters.console.chat import ConsoleChat
from adapters.console.terminal import HISTORY_FILE
from bot.app import build_app
from bot.clock import ManualClock
from bot.commands import UsageError
from bot.config import Config
from bot.content.bank import ContentError, QuestionBank
from bot.jobs import ManualJobScheduler
from bot.store.urls import DatabaseToolError, sqlite_path

__all__ = ["FIRST_START", "ConsoleOptions", "history_file", "run_console"]

# Where the simulated clock starts on a new database (a Monday, before the README's
# walk-through); on a database with data, where its last activity left it.
FIRST_START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ConsoleOptions:
    """How the console session starts."""

    start: datetime | None = None  # None: FIRST_START, or where the data left off
    member: str = "alice"
    admin: bool = False
    channel: str = "general"


def history_file(database_url: str) -> Path | None:
    """Return where the console keeps its history: the SQLite file's folder (else nowhere)."""
    if not database_url.startswith("sqlite:///"):
        return None
    path = sqlite_path(database_url)
    return path.parent / HISTORY_FILE if isinstance(path, Path) else None


async def run_console(
    config: Config,
    options: ConsoleOptions,
    lines: Iterable[str] | None,
    *,
    bank: QuestionBank | None = None,
) -> int:
    """Run the bot on the console: from `lines` (a script), or the terminal when None.

    Return the exit status: 0, or 1 when a line of the script failed (see
    `ScriptResult`; the count goes to stderr), or 2 when the bot cannot start.
    `bank` is the question bank when already loaded (else it is read from settings).
    """
    clock = ManualClock(options.start or FIRST_START)
    chat = ConsoleChat(sys.stdout, chart_dir=config.chart_dir)
    try:
        # One trusted person at a terminal, and scripts that run lines as fast as they can.
        app = await build_app(replace(config, member_limits=False), chat, clock, bank=bank)
    except (ContentError, UsageError, DatabaseToolError) as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    try:
        if options.start is None:
            await app.store.migrate(app.bank.category_of)
            resume = await app.store.last_moment()
            if resume is not None and resume > clock.now():
                clock.set(resume)
        await app.start()
        if not isinstance(app.scheduler, ManualJobScheduler):
            raise TypeError("the console needs the manual scheduler")
        session = ConsoleSession(
            app.core,
            chat,
            clock,
            app.scheduler,
            member=options.member,
            admin=options.admin,
            channel=options.channel,
        )
        if lines is None:
            await session.run_interactive(history=history_file(config.database_url))
            return 0
        result = await session.run_script(lines)
    finally:
        await app.stop()
    if result.failed:
        print(f"studybot: {result.summary()}", file=sys.stderr)
        return 1
    return 0
