"""Starting the Discord adapter: `studybot run --platform discord`.

`DiscordPlatform` is studybot on Discord as the service runs it: the client,
its chat port, and its life cycle; `platform_from_env` builds it from the
environment.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Mapping

import discord
import yarl

from adapters.discord.chat import DiscordChat
from adapters.discord.client import StudybotClient
from adapters.discord.interactions import BUSY_AFTER, DEFER_AFTER, FORM_DEFER_AFTER
from adapters.discord.settings import DiscordSettings
from bot.app import App
from bot.reconnect import TRANSIENT, Backoff, OneLineFailures, keep_trying
from bot.service import Platform, PlatformError

__all__ = ["LOGIN_BACKOFF", "DiscordPlatform", "platform_from_env", "quiet_discord_logs"]

log = logging.getLogger(__name__)

# Waits between tries to log in while Discord cannot be reached: 1 s, doubling, at most 60 s.
LOGIN_BACKOFF = Backoff(first=1.0, cap=60.0)
_VOICE_WARNING = "voice will NOT be supported"


class _NoVoiceWarnings(logging.Filter):
    """Drops discord.py's warnings that voice needs PyNaCl and davey: studybot has no voice."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but those warnings."""
        return not (record.levelno == logging.WARNING and _VOICE_WARNING in record.getMessage())


def quiet_discord_logs() -> None:
    """Keep discord.py's logs to what matters here (safe to call again).

    No warnings about voice support (the bot never joins a voice channel), and a
    connection that fails is one line, not a traceback (see `bot.reconnect`).
    """
    for name in ("discord.client", "discord.shard", "discord.gateway", "discord.http"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLineFailures) for f in logger.filters):
            logger.addFilter(OneLineFailures())
    client_log = logging.getLogger("discord.client")
    if not any(isinstance(f, _NoVoiceWarnings) for f in client_log.filters):
        client_log.addFilter(_NoVoiceWarnings())


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
        quiet_discord_logs()  # before the client is made: it warns about voice then
        self.client = StudybotClient(
            settings,
            defer_after=defer_after,
            busy_after=busy_after,
            form_defer_after=form_defer_after,
            guild_ready_timeout=guild_ready_timeout,
        )
        self._started = False
        self._closing = False
        self._work: asyncio.Future[None] | None = None
        self.login_backoff = Backoff(LOGIN_BACKOFF.first, LOGIN_BACKOFF.cap)

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
        self._work = asyncio.ensure_future(self._serve())
        try:
            await self._work
        except asyncio.CancelledError:
            if self._closing and self._work.cancelled():
                return  # closed while still connecting
            raise

    async def _serve(self) -> None:
        """Log in (trying again while Discord cannot be reached), then serve the gateway."""
        where = yarl.URL(self.settings.api_base).host or self.settings.api_base
        try:
            async with self.client:
                await keep_trying(
                    self._log_in,
                    what=f"discord: cannot reach Discord at {where}",
                    log=log,
                    backoff=self.login_backoff,
                    transient=(*TRANSIENT, discord.DiscordServerError),
                )
                await self.client.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired:
            raise PlatformError(_intent_refused(self.settings)) from None

    async def _log_in(self) -> None:
        """Log in once; after a failure, leave the client ready for another try."""
        try:
            await self.client.login(self.settings.token)
        except BaseException:
            # discord.py opens a new session at each login; close this one and its
            # connections (the client's login makes a new pool when there is none).
            await self.client.http.close()
            self.client.http.connector = discord.utils.MISSING
            raise

    async def close(self) -> None:
        """Disconnect from Discord (nothing to do if `run` never started)."""
        if not self._started:
            return
        self._closing = True
        if self._work is not None and not self._work.done() and not self.client.is_ready():
            self._work.cancel()  # still logging in or connecting: stop trying
        await self.client.close()

    def is_connected(self) -> bool:
        """Say whether a shard is connected and the client has not been closed."""
        if self.client.is_closed():
            return False
        return any(not shard.is_closed() for shard in self.client.shards.values())


def platform_from_env(env: Mapping[str, str]) -> Platform:
    """Return studybot's Discord platform; ConfigError if a setting is missing or wrong."""
    return DiscordPlatform(DiscordSettings.from_env(env))
