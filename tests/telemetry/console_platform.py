"""A small but honest `bot.service.Platform` for the telemetry tests: the console's chat port.

It connects at once, serves until closed, and reports its connection as the test
sets it; the console chat prints what the core posts.
"""

from __future__ import annotations

import asyncio
import io

from adapters.console.chat import ConsoleChat
from bot.app import App
from bot.ports import ChatPort


class ConsolePlatform:
    name = "console"

    def __init__(self) -> None:
        self.console = ConsoleChat(io.StringIO())
        self.connected = False
        self.running = asyncio.Event()
        self._closed = asyncio.Event()
        self.app: App | None = None

    @property
    def chat(self) -> ChatPort:
        return self.console

    async def run(self, app: App) -> None:
        self.app = app
        self.connected = True
        self.running.set()
        try:
            await self._closed.wait()
        finally:
            self.connected = False

    async def close(self) -> None:
        self._closed.set()

    def is_connected(self) -> bool:
        return self.connected
