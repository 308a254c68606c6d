"""Starting the Discord adapter: `studybot run --platform discord`.

`DiscordPlatform` is studybot on Discord as the service runs it: the client,
its chat port, and its life cycle; `platform_from_env` builds it from the
environment.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping

import discord

from adapters.discord.chat import DiscordChat
from adapters.discord.client import StudybotClient
from adapters.discord.interactions import BUSY_AFTER, DEFER_AFTER, FORM_DEFER_AFTER
from adapters.discord.settings import DiscordSettings
from bot.app import App
from bot.service import Platform, PlatformError

__all__ = ["DiscordPlatform", "platform_from_env"]


def _intent_refused(settings: DiscordSettings) -> str:
    """Say, in one line, that Discord refused a privileged intent and how to go on."""
    if settings.message_content:
        return (
            "Discord refused the Message Content intent (gateway close 4014): turn it on in "
            "the developer portal under Bot → Privileged Gateway Intents → Message Content "
            "Intent, or set DISCORD_MESSAGE_CONTENT=off to run without it (members then answer "
            "with the Answer privately button or /answer, not in the thread)"
        )
    return (  # the adapter asks for no other privileged intent (see intents_for)
        "Discord refused a privileged gateway intent (close 4014): turn it on in the "
        "developer portal under Bot → Privileged Gateway Intents"
    )


class DiscordPlatform:
    """Studybot on Discord: the client, its chat port, and its life cycle."""

    name = "discord"

    def __init__(
        self,
        settings: DiscordSettings,
        *,
        defer_after: float = DEFER_AFTER,
        busy_after: int = BUSY_AFTER,
        form_defer_after: float = FORM_DEFER_AFTER,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        self.settings = settings
        self.client = StudybotClient(
            settings,
            defer_after=defer_after,
            busy_after=busy_after,
            form_defer_after=form_defer_after,
            guild_ready_timeout=guild_ready_timeout,
        )
        self._started = False

    @property
    def chat(self) -> DiscordChat:
        """The port the core posts rounds and reveals through."""
        return self.client.chat

    async def run(self, app: App) -> None:
        """Connect to Discord (at the configured API base) and serve events until closed."""
        # discord.py keeps its REST base (webhooks and interaction callbacks included)
        # in a class attribute: one API base per process.
        discord.http.Route.BASE = self.settings.api_base
        # The app is built: its question bank and modules live as long as the process.
        # Moving them out of the garbage collector's reach spares the event loop full
        # collections of 50-200 ms, which would stall every interaction in flight.
        gc.collect()
        gc.freeze()
        self.client.core = app.core
        self._started = True
        try:
            async with self.client:
                await self.client.start(self.settings.token)
        except discord.PrivilegedIntentsRequired:
            raise PlatformError(_intent_refused(self.settings)) from None

    async def close(self) -> None:
        """Disconnect from Discord (nothing to do if `run` never started)."""
        if self._started:
            await self.client.close()

    def is_connected(self) -> bool:
        """Say whether a shard is connected and the client has not been closed."""
        if self.client.is_closed():
            return False
        return any(not shard.is_closed() for shard in self.client.shards.values())


def platform_from_env(env: Mapping[str, str]) -> Platform:
    """Return studybot's Discord platform; ConfigError if a setting is missing or wrong."""
    return DiscordPlatform(DiscordSettings.from_env(env))
