"""Starting the Slack adapter: `studybot run --platform slack`.

Socket Mode when `SLACK_APP_TOKEN` is set (one process, no public URL),
otherwise HTTP mode: bolt's aiohttp application served on `SLACK_PORT` at
`/slack/events` (several replicas may sit behind a load balancer).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Mapping

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import SlackBot, build_bolt_app
from adapters.slack.chat import PostPacer, SlackChat, retry_handlers
from adapters.slack.settings import SlackSettings
from bot.app import App
from bot.ports import ChatPort

__all__ = ["EVENTS_PATH", "SlackPlatform", "platform_from_env"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
_BACKLOG = 1024


class SlackPlatform:
    """Slack as a `bot.service.Platform`: the chat port, and serving Slack's requests."""

    name = "slack"

    def __init__(self, settings: SlackSettings, host: str = "0.0.0.0") -> None:
        self.settings = settings
        self._host = host
        self._pacer = PostPacer(settings.posts_per_second, settings.channel_interval)
        self._session: aiohttp.ClientSession | None = None
        self.client = AsyncWebClient(
            token=settings.bot_token,
            base_url=settings.api_url,
            retry_handlers=retry_handlers(self._pacer),
        )
        self._chat = SlackChat(self.client, self._pacer)
        self.bot: SlackBot | None = None
        self.bolt: AsyncApp | None = None
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._closed = asyncio.Event()
        self._serving = False
        self.port: int | None = None  # the port HTTP mode listens on, once it does

    @property
    def chat(self) -> ChatPort:
        """The port the core posts rounds and reveals through."""
        return self._chat

    def _attach(self, app: App) -> AsyncApp:
        # One pooled HTTP session for every Web API call (the client opens one per call
        # otherwise), made inside the running loop.
        self._session = aiohttp.ClientSession()
        self.client.session = self._session
        bolt = build_bolt_app(self.client, self.settings.signing_secret, self.settings.socket_mode)
        self.bot = SlackBot(app.core, app.deliveries, self._chat, self.client, self._session)
        self.bot.register(bolt)
        self.bolt = bolt
        return bolt

    async def run(self, app: App) -> None:
        """Serve Slack's requests for `app` (Socket Mode or HTTP) until closed."""
        bolt = self._attach(app)
        # What start-up built (the bank, the app, the libraries) lives as long as the
        # process: freezing it keeps the collector's full passes short, so that they do
        # not stall acks for a tenth of a second now and then.
        gc.freeze()
        try:
            if self.settings.socket_mode:
                await self._run_socket_mode(bolt)
            else:
                await self._run_http(bolt)
        finally:
            await self._shutdown()

    async def _run_http(self, bolt: AsyncApp) -> None:
        self._runner = web.AppRunner(bolt.web_app(path=EVENTS_PATH), access_log=None)
        await self._runner.setup()
        # Slack may open many connections at once (a burst of commands): a deep backlog.
        site = web.TCPSite(self._runner, self._host, self.settings.port, backlog=_BACKLOG)
        await site.start()
        addresses = self._runner.addresses  # tells the port when 0 (any free one) was asked
        self.port = int(addresses[0][1]) if addresses else self.settings.port
        self._serving = True
        log.info("slack: HTTP mode, listening on port %s at %s", self.port, EVENTS_PATH)
        await self._closed.wait()

    async def _run_socket_mode(self, bolt: AsyncApp) -> None:
        self._socket = AsyncSocketModeHandler(bolt, self.settings.app_token, web_client=self.client)
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        self._serving = True
        log.info("slack: connected over Socket Mode")
        await self._closed.wait()

    async def _shutdown(self) -> None:
        self._serving = False
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            await self._runner.cleanup()
        if self.bot is not None:
            await self.bot.background.drain()
        if self._session is not None:
            await self._session.close()

    async def close(self) -> None:
        """Stop serving; `run` returns once the work under way is done."""
        self._closed.set()

    def is_connected(self) -> bool:
        """Say whether Slack can reach the bot now (the socket is up, or the port listens)."""
        if not self._serving:
            return False
        if self._socket is not None:
            client = self._socket.client
            session = client.current_session
            return not client.closed and session is not None and not session.closed
        return True


def platform_from_env(env: Mapping[str, str]) -> SlackPlatform:
    """Return the Slack platform configured by `env`; raise ConfigError if a setting is missing."""
    return SlackPlatform(SlackSettings.from_env(env))
