"""Starting the console adapter: build the bot on a simulated clock and read lines."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from adapters.console.adapter import ConsoleChat, ConsoleSession
from bot.app import build_app
from bot.clock import ManualClock
from bot.commands import UsageError
from bot.config import Config
from bot.content.bank import ContentError
from bot.jobs import ManualJobScheduler
from bot.store.urls import DatabaseToolError

__all__ = ["FIRST_START", "ConsoleOptions", "run_console"]

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


async def run_console(config: Config, options: ConsoleOptions, lines: Iterable[str] | None) -> int:
    """Run the bot on the console: from `lines` (a script), or the terminal when None."""
    clock = ManualClock(options.start or FIRST_START)
    chat = ConsoleChat(sys.stdout)
    try:
        # One trusted person at a terminal, and scripts that run lines as fast as they can.
        app = await build_app(replace(config, member_limits=False), chat, clock)
    except (ContentError, UsageError, DatabaseToolError) as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    try:
        if options.start is None:
            await app.store.migrate()
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
            await session.run_interactive()
        else:
            await session.run_script(lines)
    finally:
        await app.stop()
    return 0
