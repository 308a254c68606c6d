"""Running the bot as a service on a real platform (Discord, Slack) and the real clock.

An adapter package offers a `Platform`: its chat port, and a `run` that connects
and serves the platform's events until it is closed. `run_service` builds the
app around that port, starts it (migrations, recovery, the scheduler), runs
the platform until it stops or the process is asked to stop (SIGTERM, SIGINT),
then shuts everything down in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Protocol

from bot.app import App, build_app
from bot.clock import Clock, SystemClock
from bot.commands import UsageError
from bot.config import Config
from bot.content.bank import ContentError, QuestionBank
from bot.health import HealthServer, start_health_server
from bot.ports import ChatPort
from bot.store.urls import DatabaseToolError

__all__ = ["Platform", "PlatformError", "run_service"]

log = logging.getLogger(__name__)

_CLOSE_TIMEOUT = 10.0


class PlatformError(RuntimeError):
    """The platform cannot be used (bad token, refused connection): a clear message for the log."""


class Platform(Protocol):
    """A chat platform an adapter connects the core to."""

    name: str

    @property
    def chat(self) -> ChatPort:
        """The port the core uses for the work it starts itself (posting rounds)."""
        ...

    async def run(self, app: App) -> None:
        """Connect and hand the platform's events to `app.core` until closed."""
        ...

    async def close(self) -> None:
        """Disconnect; `run` returns soon after."""
        ...

    def is_connected(self) -> bool:
        """Say whether the platform connection is up now."""
        ...


async def run_service(
    config: Config,
    platform: Platform,
    clock: Clock | None = None,
    bank: QuestionBank | None = None,
) -> int:
    """Run the bot on `platform` until it stops or the process is told to stop; return a status.

    `bank` is the question bank already loaded (by the command line); else it is loaded here.
    """
    try:
        app = await build_app(config, platform.chat, clock or SystemClock(), bank=bank)
    except (ContentError, UsageError, DatabaseToolError) as exc:
        log.error("cannot start: %s", exc)
        return 2
    health: HealthServer | None = None
    if config.http_port is not None:
        try:
            health = await start_health_server(app, platform, config.http_port, config.http_host)
        except OSError as exc:
            log.error("cannot serve /healthz and /metrics on port %d: %s", config.http_port, exc)
            await app.stop()
            return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Signal handlers need the main thread of a Unix process; elsewhere (a test running the
    # service in a thread, Windows) the service still runs, stopped by closing the platform.
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    status = 0
    try:
        await app.start()
        serving = asyncio.create_task(platform.run(app), name=f"{platform.name}-platform")
        stopping = asyncio.create_task(stop.wait(), name="stop-signal")
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not serving.done():
            log.info("stopping: closing the %s connection", platform.name)
            await platform.close()
            try:
                await asyncio.wait_for(serving, _CLOSE_TIMEOUT)
            except TimeoutError:
                log.warning("the %s connection did not close in time", platform.name)
        elif (failure := serving.exception()) is not None:
            # A PlatformError says all there is to say; anything else is a bug: its traceback.
            trace = None if isinstance(failure, PlatformError) else failure
            log.error("the %s connection stopped: %s", platform.name, failure, exc_info=trace)
            status = 1
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        if health is not None:
            await health.stop()
        await app.stop()
    return status
