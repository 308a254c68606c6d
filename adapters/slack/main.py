"""Starting the Slack adapter: `studybot run --platform slack`.

Socket Mode when `SLACK_APP_TOKEN` is set (one process, no public URL),
otherwise HTTP mode: an aiohttp server on `SLACK_PORT` that takes Slack's
requests at `/slack/events` (several replicas may sit behind a load balancer).

In HTTP mode every request is checked here, before bolt sees it: its body is
at most `MAX_REQUEST_BYTES` (413 otherwise, before it is read in full), and
it carries Slack's signature of that body, made less than five minutes ago
(401 otherwise). A refused request is logged as one WARNING line saying why
and how big it was, never with its body: that would let anyone who can reach
the port fill the log, forge log lines, and would copy a member's text and
its `response_url` (which can post as the bot) into the log. Bolt's own check
is off, because it logs the whole body of what it refuses.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import hmac
import logging
import time
import urllib.parse
from collections.abc import Callable, Mapping

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.chat import PostPacer, SlackChat, retry_handlers
from adapters.slack.listeners import SlackBot, build_bolt_app
from adapters.slack.settings import SlackSettings
from bot.app import App
from bot.ports import ChatPort
from bot.reconnect import Backoff, OneLineFailures, keep_trying
from bot.service import PlatformError

__all__ = [
    "CONNECT_BACKOFF",
    "EVENTS_PATH",
    "MAX_REQUEST_BYTES",
    "SignedRequests",
    "SlackPlatform",
    "platform_from_env",
    "request_problem",
]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
_BACKLOG = 1024
# The largest request body taken. The largest that Slack sends this app, encoded as
# Slack encodes them (JSON with non-ASCII as \u escapes; interactivity also
# form-encoded), measured with the adapter's own views and messages:
# - an edit of a member's 4,000-character thread reply (Slack's composer turns longer
#   text into a snippet), all emoji: text and rich_text blocks, new and previous, 193 KB;
# - a submitted answer modal holding 4,000 emoji (the core's limit), 66 KB;
# - a button on a full 50-block message of 3,000-character English sections, 168 KB.
# 256 KiB holds each with room to spare; aiohttp's default would be 1 MiB.
MAX_REQUEST_BYTES = 256 * 1024
_MAX_AGE = 5 * 60  # seconds a signature stays good (Slack's and bolt's window)
# Waits between tries to open a Socket Mode connection while Slack cannot be reached.
CONNECT_BACKOFF = Backoff(first=1.0, cap=60.0)
_BOLT_LOGGER = "adapters.slack.bolt"  # the logger of bolt and of its Socket Mode client
# Errors of apps.connections.open that no retry mends: the app token is wrong.
_REFUSED_TOKEN = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "missing_scope",
    }
)


class _SocketClient(SocketModeClient):
    """slack_sdk's Socket Mode client, asking for a connection URL until Slack answers.

    The library tries again every `ping_interval` seconds forever, logging a
    traceback each time; here each failed try is one line, the waits grow to a cap,
    and a refused app token stops the client (`refused` says why) instead.
    """

    refused: SlackApiError | None = None
    backoff: Backoff

    async def issue_new_wss_url(self) -> str:
        """Return a new WebSocket URL from `apps.connections.open`, trying until Slack answers."""
        url: str = await keep_trying(
            self._issue_once,
            what="slack: cannot reach Slack to open a Socket Mode connection",
            log=log,
            backoff=self.backoff,
        )
        self.backoff.tries = 0
        return url

    async def _issue_once(self) -> str:
        try:
            url: str = await super().issue_new_wss_url()
        except SlackApiError as exc:
            error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            if error not in _REFUSED_TOKEN:  # Slack itself in trouble: try again
                raise ConnectionError(f"Slack answered {error}") from exc
            self.refused = exc
            self.closed = True  # the library's connect loop then stops instead of retrying
            raise
        return url


class _SocketHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler over `_SocketClient`."""

    client: _SocketClient

    def __init__(self, app: AsyncApp, app_token: str, web_client: AsyncWebClient) -> None:
        # As AsyncSocketModeHandler.__init__, with the client above.
        self.app = app
        self.app_token = app_token
        self.client = _SocketClient(
            app_token=app_token, logger=app.logger, web_client=web_client, ping_interval=10
        )
        self.client.backoff = Backoff(CONNECT_BACKOFF.first, CONNECT_BACKOFF.cap)
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]


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
        bolt = build_bolt_app(self.client)
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
        if not self.settings.signing_secret:
            raise RuntimeError("HTTP mode needs SLACK_SIGNING_SECRET to check Slack's requests")
        handler = SignedRequests(bolt, self.settings.signing_secret)
        web_app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        web_app.router.add_post(EVENTS_PATH, handler.handle)
        self._runner = web.AppRunner(web_app, access_log=None)
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
        bolt_log = logging.getLogger(_BOLT_LOGGER)
        if not any(isinstance(f, OneLineFailures) for f in bolt_log.filters):
            bolt_log.addFilter(OneLineFailures())  # the library's reconnects: one line each
        if self.settings.app_token is None:
            raise RuntimeError("Socket Mode needs SLACK_APP_TOKEN")
        socket = self._socket = _SocketHandler(bolt, self.settings.app_token, self.client)
        connecting = asyncio.ensure_future(socket.connect_async())  # type: ignore[no-untyped-call]
        closing = asyncio.ensure_future(self._closed.wait())
        await asyncio.wait({connecting, closing}, return_when=asyncio.FIRST_COMPLETED)
        closing.cancel()
        if not connecting.done():  # closed while Slack could not be reached
            connecting.cancel()
            await asyncio.gather(connecting, return_exceptions=True)
            return
        connecting.result()
        refused = socket.client.refused
        if refused is not None:
            raise PlatformError(
                f"Slack refused to open a Socket Mode connection: {refused.response.get('error')} "
                "(check SLACK_APP_TOKEN: an app-level token, xapp-..., with connections:write)"
            )
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


def request_problem(secret: str, body: bytes, headers: Mapping[str, str], now: float) -> str | None:
    """Return why a request is not Slack's (unsigned, stale, bad signature), or None if it is.

    The reason names only what was checked, never what the request carried.
    """
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp or not signature:
        return "unsigned"
    if not timestamp.isascii() or not timestamp.isdigit():
        return "malformed timestamp"
    age = now - int(timestamp)
    if abs(age) > _MAX_AGE:
        return f"stale signature ({int(age)} s old)"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "bad signature"
    return None


def _is_ssl_check(body: bytes, content_type: str) -> bool:
    """Tell whether a request is Slack's `ssl_check` (bolt answers it before any check)."""
    if content_type != "application/x-www-form-urlencoded" or len(body) > 1024:
        return False
    return urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("ssl_check") == ["1"]


class SignedRequests:
    """The HTTP handler of Slack's requests: size and signature checked, then bolt's."""

    def __init__(self, bolt: AsyncApp, secret: str, clock: Callable[[], float] = time.time) -> None:
        if not secret:
            raise ValueError("a signing secret is needed to check Slack's requests")
        self._bolt = bolt
        self._secret = secret
        self._clock = clock

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one request: 413 if too big, 401 unless signed by Slack, else bolt's answer."""
        declared = request.content_length
        if declared is not None and declared > MAX_REQUEST_BYTES:
            log.warning("slack: refused a request: too large (%d bytes)", declared)
            raise web.HTTPRequestEntityTooLarge(MAX_REQUEST_BYTES, declared)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("slack: refused a request: too large (over %d bytes)", MAX_REQUEST_BYTES)
            raise
        problem = request_problem(self._secret, body, request.headers, self._clock())
        if problem is not None:
            if _is_ssl_check(body, request.content_type):
                return web.Response(status=200)
            log.warning("slack: refused a request: %s (%d bytes)", problem, len(body))
            return web.json_response({"error": "invalid request"}, status=401)
        bolt_request = AsyncBoltRequest(
            body=body.decode("utf-8", "replace"),
            query=request.query_string,
            headers=dict(request.headers),
        )
        return await to_aiohttp_response(await self._bolt.async_dispatch(bolt_request))


def platform_from_env(env: Mapping[str, str]) -> SlackPlatform:
    """Return the Slack platform configured by `env`; raise ConfigError if a setting is missing."""
    return SlackPlatform(SlackSettings.from_env(env))
