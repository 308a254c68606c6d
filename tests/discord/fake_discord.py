"""A loopback Discord for tests and benchmarks: the REST routes studybot uses and the gateway.

An aiohttp server on 127.0.0.1 (ephemeral port) that the real discord.py
client talks to. REST: login, application info, `GET /gateway/bot`, command
registration, kept per scope as Discord does (global, and per guild the app is
in; refusing descriptions and their localizations Discord would refuse),
messages (with Discord's size limits and enforced nonces), threads started on
messages, reactions, DMs, interaction callbacks (with the 3-second deadline,
the "already acknowledged" error for any second response, a modal included,
and the response types and modal limits Discord accepts) and webhook followups
(whose token expires after 15 minutes). Every REST call is recorded. The
gateway speaks HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeats, dispatches
and RESUME (replaying what a dropped connection missed), per shard. Like
Discord, it closes with 4014 an IDENTIFY asking for a privileged intent the
app has not enabled, and sends message and reaction events only to a session
whose IDENTIFY intents ask for them (and members' messages without their text
to a session without Message Content); members' reactions arrive as
MESSAGE_REACTION_ADD / MESSAGE_REACTION_REMOVE, and so do the bot's own.

Channels have types (text, voice, forum) and permission overwrites; the bot has
its own role with the permissions of the README's invite link, and each call
it makes in a guild channel is checked as Discord checks it
(`fake_permissions`: 50001 Missing Access, 50013 Missing Permissions, 50008 and
50024 for what a forum or voice channel cannot do). Interactions carry the
member's and the app's permissions in their channel. Payload limits live in
`fake_rules`.

It can inject failures (429 with Retry-After, a `Via` header and a JSON body;
5xx), drop gateway connections, and enforce Discord's global rate limit and
per-route buckets when asked, counting violations, and it counts the answers
Discord bans a bot for when there are too many (401, 403, 429).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import multiprocessing
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from aiohttp import WSMsgType, web

from tests.discord.fake_commands import CommandStore
from tests.discord.fake_permissions import (
    BOT_PERMISSIONS,
    EMBED_LINKS,
    FORUM,
    MANAGE_CHANNELS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    TEXT,
    VIEW_CHANNEL,
    VOICE,
    channel_permissions,
    refusal,
)
from tests.discord.fake_rules import message_problem, response_problem

DISCORD_EPOCH_MS = 1_420_070_400_000
EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | SEND_MESSAGES_IN_THREADS | READ_MESSAGE_HISTORY
)
ADMIN_PERMISSIONS = EVERYONE_PERMISSIONS | MANAGE_CHANNELS
INTERACTION_DEADLINE = 3.0
INTERACTION_TOKEN_TTL = 15 * 60.0  # follow-ups and edits: an interaction token lives 15 minutes
GUILD_MESSAGES = 1 << 9  # gateway intents
GUILD_MESSAGE_REACTIONS = 1 << 10
MESSAGE_CONTENT = 1 << 15  # privileged: without it, guild messages come without their text
GUILD_MEMBERS = 1 << 1  # privileged
GUILD_PRESENCES = 1 << 8  # privileged
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
DISALLOWED_INTENTS = 4014  # gateway close code: a privileged intent not enabled in the portal
# the intent a session needs to be sent a guild event (events not listed need none here)
EVENT_INTENTS = {
    "MESSAGE_CREATE": GUILD_MESSAGES,
    "MESSAGE_UPDATE": GUILD_MESSAGES,
    "MESSAGE_DELETE": GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE_ALL": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE_EMOJI": GUILD_MESSAGE_REACTIONS,
}
GATEWAY_BUFFER = 10_000

Json = dict[str, Any]
_QUERY_HANDLERS = frozenset({"_get_my_guilds"})  # route handlers that read the query string


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses JSON only when the content type is exactly application/json
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _answer(result: tuple[int, Any]) -> web.Response:
    status, body = result
    return _json(body, status)


def _error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return _json({"code": code, "message": message}, status, headers)


@dataclass
class RestCall:
    """One REST request the fake received, and how it answered."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float
    status: int = 0


@dataclass
class Failure:
    """An injected failure for the next matching requests."""

    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    retry_after: float = 0.0
    via: bool = True
    json_body: bool = True
    global_: bool = False


@dataclass
class Slowdown:
    """An injected delay for the next matching requests (Discord or the network being slow)."""

    method: str
    pattern: re.Pattern[str]
    seconds: float
    times: int


@dataclass
class InteractionRecord:
    """An interaction the fake sent, and what the bot answered."""

    id: int
    token: str
    payload: Json
    sent_at: float
    callback: asyncio.Future[Json]
    callback_at: float | None = None
    original: Json | None = None
    followups: list[Json] = field(default_factory=list)
    edits: list[Json] = field(default_factory=list)
    deleted: bool = False

    @property
    def latency(self) -> float:
        """Seconds from sending INTERACTION_CREATE to receiving the callback."""
        assert self.callback_at is not None
        return self.callback_at - self.sent_at

    def messages(self) -> list[Json]:
        """Return everything the bot showed: the response (as last edited) and followups."""
        shown = [self.original] if self.original is not None and not self.deleted else []
        return shown + self.followups


@dataclass
class Session:
    """One shard's gateway session: its sequence and the events it was sent."""

    shard: int
    session_id: str
    intents: int = 0  # as sent in IDENTIFY
    seq: int = 0
    buffer: deque[tuple[int, Json]] = field(default_factory=lambda: deque(maxlen=GATEWAY_BUFFER))
    ws: web.WebSocketResponse | None = None
    request: web.BaseRequest | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)


class FakeDiscord:
    """Discord on 127.0.0.1: REST plus gateway, with recording and fault injection."""

    def __init__(
        self,
        *,
        shard_count: int = 1,
        max_concurrency: int = 16,
        global_limit: int | None = None,
        route_limit: tuple[int, float] | None = None,
        token: str = "fake-bot-token",
        enabled_intents: int = MESSAGE_CONTENT,
    ) -> None:
        self.shard_count = shard_count
        self.max_concurrency = max_concurrency
        self.global_limit = global_limit  # requests per second, interaction routes exempt
        self.route_limit = route_limit  # (requests, per seconds) per route bucket
        self.token = token
        # the privileged intents turned on in the developer portal (Bot page)
        self.enabled_intents = enabled_intents
        self.calls: list[RestCall] = []
        self.failures: list[Failure] = []
        self.slowdowns: list[Slowdown] = []
        self.global_violations = 0
        self.route_violations = 0
        # answers Discord counts toward its ban of 10,000 invalid requests in 10 minutes:
        # 401, 403 and 429 (but a 429 of a shared bucket's scope)
        self.invalid_requests = 0
        self.identifies: list[Json] = []
        self.resumes: list[Json] = []
        self.guilds: dict[int, Json] = {}
        self.channels: dict[int, Json] = {}
        self.messages: dict[int, Json] = {}
        self.list_limit = 50  # GET /channels/{id}/messages answers this many (newest first)
        self.reactions: list[tuple[int, int, str]] = []  # the bot's: (channel, message, emoji)
        self.reacted: set[tuple[int, int, str, bool]] = set()  # (message, user, emoji, burst)
        self.closed_dms: set[int] = set()
        self.announce_threads = True  # dispatch THREAD_CREATE (off: the bot must look threads up)
        self.interactions: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}
        self.sessions: dict[int, Session] = {}
        self._sessions_by_id: dict[str, Session] = {}
        self._nonces: dict[tuple[int, str], int] = {}
        self._thread_of: dict[int, int] = {}
        self._dm_of: dict[int, int] = {}
        self._ids = itertools.count(1)
        self._id_base = int(time.time() * 1000) - DISCORD_EPOCH_MS
        self._recent: deque[float] = deque()
        self._buckets: dict[str, deque[float]] = {}
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._connected = asyncio.Event()
        self.port = 0
        self.app_id = self.snowflake()
        self.command_store = CommandStore(self.app_id, self.guilds.keys(), self.snowflake)
        self.commands = self.command_store.lists  # "global", and guild ids: what is registered
        self.no_commands_scope = self.command_store.no_scope  # guilds invited without commands
        self.bot_user: Json = {
            "id": str(self.app_id),
            "username": "studybot",
            "global_name": "studybot",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "flags": 0,
        }

    # -- ids and world ----------------------------------------------------------

    def snowflake(self, shard: int | None = None) -> int:
        """Return a new id; with `shard`, a guild id that lands on that shard."""
        while True:
            n = next(self._ids)
            value = ((self._id_base + n) << 22) | (n & 0xFFF)
            if shard is None or (value >> 22) % self.shard_count == shard:
                return value

    def shard_of(self, guild_id: int) -> int:
        """Return the shard a guild belongs to (Discord's formula)."""
        return (guild_id >> 22) % self.shard_count

    def user(self, name: str, user_id: int | None = None) -> Json:
        """Return a user payload."""
        uid = user_id or self.snowflake()
        return {
            "id": str(uid),
            "username": name,
            "global_name": name,
            "discriminator": "0",
            "avatar": None,
            "bot": False,
            "flags": 0,
        }

    def add_guild(self, name: str = "Study group", *, channels: int = 1, shard: int = 0) -> Json:
        """Create a guild with text channels, an @everyone role and an admin role."""
        gid = self.snowflake(shard)
        admin_role = self.snowflake()
        bot_role = self.snowflake()
        guild: Json = {
            "id": str(gid),
            "name": name,
            "owner_id": str(self.snowflake()),
            "unavailable": False,
            "member_count": 2,
            "large": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                _role(gid, "@everyone", EVERYONE_PERMISSIONS, 0),
                _role(admin_role, "admins", ADMIN_PERMISSIONS, 1),
                # the bot's own role, with what the invite link grants it
                {**_role(bot_role, "studybot", BOT_PERMISSIONS, 2), "managed": True},
            ],
            "channels": [],
            "threads": [],
            "members": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": _now_iso(),
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
            "admin_role_id": str(admin_role),
            "bot_role_id": str(bot_role),
        }
        self.guilds[gid] = guild
        for i in range(channels):
            self.add_channel(gid, f"study-{i}")
        return guild

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        kind: int = TEXT,
        overwrites: list[Json] | None = None,
    ) -> Json:
        """Add a channel to a guild: text by default, or a voice (2) or forum (15) channel."""
        cid = self.snowflake()
        channel: Json = {
            "id": str(cid),
            "type": kind,
            "guild_id": str(guild_id),
            "name": name,
            "position": len(self.guilds[guild_id]["channels"]),
            "permission_overwrites": list(overwrites or []),
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if kind == VOICE:
            channel.update(bitrate=64000, user_limit=0, rtc_region=None, video_quality_mode=1)
        elif kind == FORUM:
            channel.update(
                available_tags=[],
                default_reaction_emoji=None,
                default_sort_order=None,
                default_forum_layout=0,
                default_thread_rate_limit_per_user=0,
            )
        self.guilds[guild_id]["channels"].append(channel)
        self.channels[cid] = channel
        return channel

    async def set_overwrites(self, channel_id: int, overwrites: list[Json]) -> None:
        """Replace a channel's permission overwrites (CHANNEL_UPDATE is dispatched)."""
        channel = self.channels[channel_id]
        channel["permission_overwrites"] = list(overwrites)
        await self.dispatch("CHANNEL_UPDATE", channel, int(channel["guild_id"]))

    async def add_forum_post(self, forum_id: int, name: str, author: Json) -> Json:
        """A member opens a post in a forum channel: a public thread whose parent is the forum."""
        forum = self.channels[forum_id]
        tid = self.snowflake()
        thread = self._thread_payload(tid, forum, name, int(author["id"]))
        self.channels[tid] = thread
        guild_id = int(forum["guild_id"])
        self.guilds[guild_id]["threads"].append(thread)
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, guild_id)
        return thread

    def _roles_of(self, user: Json, guild_id: int, admin: bool) -> list[str]:
        guild = self.guilds[guild_id]
        if user["id"] == self.bot_user["id"]:
            return [guild["bot_role_id"]]
        return [guild["admin_role_id"]] if admin else []

    def permissions_in(self, channel: Json, user: Json, *, admin: bool = False) -> int:
        """Return a member's (or the bot's) permissions in a guild channel or thread."""
        guild_id = int(channel["guild_id"])
        parent = self.channels.get(int(channel["parent_id"])) if channel.get("parent_id") else None
        return channel_permissions(
            self.guilds[guild_id],
            channel,
            self._roles_of(user, guild_id, admin),
            str(user["id"]),
            parent,
        )

    def bot_permissions(self, guild_id: int) -> int:
        """Return the bot's guild-wide permissions (its roles', without channel overwrites)."""
        return self.permissions_in({"guild_id": str(guild_id), "type": TEXT}, self.bot_user)

    def _refused(self, action: str, channel: Json, **details: Any) -> web.Response | None:
        """Answer as Discord does when the bot may not do `action` in a guild channel."""
        if not channel.get("guild_id"):
            return None
        problem = refusal(action, channel, self.permissions_in(channel, self.bot_user), **details)
        return None if problem is None else _error(*problem)

    def member(self, user: Json, guild_id: int, *, admin: bool = False) -> Json:
        """Return a guild member payload; an admin has the role with Manage Channels."""
        roles = self._roles_of(user, guild_id, admin)
        return {
            "user": user,
            "roles": roles,
            "nick": None,
            "avatar": None,
            "joined_at": _now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }

    def thread_of(self, message_id: int) -> Json | None:
        """Return the thread started on a message, if any."""
        tid = self._thread_of.get(message_id)
        return self.channels.get(tid) if tid is not None else None

    def messages_in(self, channel_id: int) -> list[Json]:
        """Return the messages of a channel, oldest first."""
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id]

    def calls_to(self, method: str, pattern: str) -> list[RestCall]:
        """Return the recorded calls whose method matches and whose path matches a regex."""
        rx = re.compile(pattern)
        return [c for c in self.calls if c.method == method and rx.fullmatch(c.path)]

    # -- failure injection ------------------------------------------------------

    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float = 0.0,
        via: bool = True,
        json_body: bool = True,
        global_: bool = False,
    ) -> None:
        """Answer the next `times` requests matching (method, path regex) with an error."""
        self.failures.append(
            Failure(
                method, re.compile(pattern), status, times, retry_after, via, json_body, global_
            )
        )

    def slow(self, method: str, pattern: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next `times` requests matching (method, path regex) `seconds` late."""
        self.slowdowns.append(Slowdown(method, re.compile(pattern), seconds, times))

    async def _delay(self, method: str, path: str) -> None:
        for slowdown in self.slowdowns:
            if (
                slowdown.times > 0
                and slowdown.method == method
                and slowdown.pattern.fullmatch(path)
            ):
                slowdown.times -= 1
                await asyncio.sleep(slowdown.seconds)
                return

    def _injected(self, method: str, path: str) -> web.Response | None:
        for failure in self.failures:
            if failure.times > 0 and failure.method == method and failure.pattern.fullmatch(path):
                failure.times -= 1
                return self._failure_response(failure)
        return None

    @staticmethod
    def _failure_response(failure: Failure) -> web.Response:
        headers = {"Via": "1.1 google"} if failure.via else {}
        if failure.status == 429:
            headers["Retry-After"] = str(failure.retry_after)
            headers["X-RateLimit-Scope"] = "global" if failure.global_ else "user"
            if failure.global_:
                headers["X-RateLimit-Global"] = "true"
            body = {
                "message": "You are being rate limited.",
                "retry_after": failure.retry_after,
                "global": failure.global_,
            }
        else:
            body = {"code": 0, "message": f"{failure.status}: injected failure"}
        if not failure.json_body:
            return web.Response(status=failure.status, text="error", headers=headers)
        return _json(body, failure.status, headers)

    # -- rate limits ------------------------------------------------------------

    @staticmethod
    def _exempt(path: str) -> bool:
        return path.startswith(("/interactions/", "/webhooks/"))

    @staticmethod
    def bucket_key(method: str, path: str) -> str:
        """Return a request's rate-limit bucket: the route with its major parameter."""
        parts = path.strip("/").split("/")
        out = []
        for i, part in enumerate(parts):
            major = i == 1 and parts[0] in ("channels", "guilds", "webhooks")
            if part.isdigit() and not major:
                out.append("{id}")
            elif i == 2 and parts[0] == "webhooks":
                out.append(part)  # the webhook token is major too
            elif i > 0 and parts[i - 1] == "reactions":
                out.append("{emoji}")
            else:
                out.append(part)
        return method + " /" + "/".join(out)

    def _rate_limited(self, method: str, path: str, now: float) -> web.Response | None:
        if self.global_limit is not None and not self._exempt(path):
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.global_limit:
                self.global_violations += 1
                retry = round(1.0 - (now - self._recent[0]), 3)
                return _json(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": retry,
                        "global": True,
                    },
                    429,
                    {
                        "Retry-After": str(retry),
                        "X-RateLimit-Global": "true",
                        "X-RateLimit-Scope": "global",
                        "Via": "1.1 google",
                    },
                )
            self._recent.append(now)
        return None

    def _route_headers(self, method: str, path: str, now: float) -> tuple[dict[str, str], bool]:
        """Return the bucket headers for a request, and whether it exceeds its bucket."""
        if self.route_limit is None or self._exempt(path):
            return {}, False
        limit, per = self.route_limit
        key = self.bucket_key(method, path)
        hits = self._buckets.setdefault(key, deque())
        while hits and now - hits[0] >= per:
            hits.popleft()
        over = len(hits) >= limit
        if not over:
            hits.append(now)
        reset_after = per - (now - hits[0]) if hits else per
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - len(hits))),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": str(abs(hash(key))),
        }
        return headers, over

    # -- server -----------------------------------------------------------------

    @property
    def base(self) -> str:
        """The server's root URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The REST base to give the client (`DISCORD_API_BASE`)."""
        return f"{self.base}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The gateway URL `GET /gateway/bot` names."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> FakeDiscord:
        """Start serving on an ephemeral port of 127.0.0.1."""
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Close every connection and stop the server."""
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        for record in self.interactions.values():
            if not record.callback.done():
                record.callback.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- REST -------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json":
                body = json.loads(raw or b"null")
            elif request.content_type.startswith("multipart/"):
                body = {"multipart": raw.decode(errors="replace")}
        loop = asyncio.get_running_loop()
        now = loop.time()
        call = RestCall(request.method, path, dict(request.query), body, now)
        self.calls.append(call)
        await self._delay(request.method, path)
        response: web.Response | None
        if request.headers.get("Authorization") != f"Bot {self.token}" and not self._exempt(path):
            response = _error(401, 0, "401: Unauthorized")
        else:
            response = self._injected(request.method, path) or self._rate_limited(
                request.method, path, now
            )
            if response is None:
                headers, over = self._route_headers(request.method, path, now)
                if over:
                    self.route_violations += 1
                    retry = float(headers["X-RateLimit-Reset-After"])
                    response = _json(
                        {
                            "message": "You are being rate limited.",
                            "retry_after": retry,
                            "global": False,
                        },
                        429,
                        {
                            **headers,
                            "Retry-After": str(retry),
                            "Via": "1.1 google",
                            "X-RateLimit-Scope": "user",
                        },
                    )
                else:
                    response = await self._route(request.method, path, body, call.query)
                    response.headers.update(headers)
        call.status = response.status
        scope = response.headers.get("X-RateLimit-Scope")
        if response.status in (401, 403) or (response.status == 429 and scope != "shared"):
            self.invalid_requests += 1
        return response

    async def _route(
        self, method: str, path: str, body: Any, query: dict[str, str]
    ) -> web.Response:
        for route_method, pattern, handler in self._routes():
            if route_method == method:
                match = pattern.fullmatch(path)
                if match:
                    kwargs: Json = {"body": body}
                    if handler.__name__ in _QUERY_HANDLERS:
                        kwargs["query"] = query
                    response: web.Response = await handler(
                        *[int(g) if g.isdigit() else g for g in match.groups()], **kwargs
                    )
                    return response
        return _error(404, 0, f"404: no route {method} {path}")

    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Any]]]:
        r = re.compile
        return [
            ("GET", r(r"/users/@me"), self._get_me),
            ("GET", r(r"/oauth2/applications/@me"), self._get_application),
            ("GET", r(r"/gateway/bot"), self._get_gateway_bot),
            ("GET", r(r"/users/@me/guilds"), self._get_my_guilds),
            ("GET", r(r"/applications/(\d+)/commands"), self._get_global_commands),
            ("GET", r(r"/applications/(\d+)/guilds/(\d+)/commands"), self._get_guild_commands),
            ("PUT", r(r"/applications/(\d+)/commands"), self._put_global_commands),
            ("PUT", r(r"/applications/(\d+)/guilds/(\d+)/commands"), self._put_guild_commands),
            ("POST", r(r"/interactions/(\d+)/([^/]+)/callback"), self._interaction_callback),
            ("POST", r(r"/webhooks/(\d+)/([^/]+)"), self._followup),
            (
                "PATCH",
                r(r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)"),
                self._edit_webhook_message,
            ),
            (
                "DELETE",
                r(r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)"),
                self._delete_webhook_message,
            ),
            ("GET", r(r"/channels/(\d+)"), self._get_channel),
            ("GET", r(r"/channels/(\d+)/messages"), self._list_messages),
            ("POST", r(r"/channels/(\d+)/messages"), self._post_message),
            ("PATCH", r(r"/channels/(\d+)/messages/(\d+)"), self._edit_message),
            ("POST", r(r"/channels/(\d+)/messages/(\d+)/threads"), self._start_thread),
            ("PUT", r(r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me"), self._add_reaction),
            ("POST", r(r"/users/@me/channels"), self._open_dm),
        ]

    async def _get_me(self, *, body: Any) -> web.Response:
        return _json(self.bot_user)

    async def _get_application(self, *, body: Any) -> web.Response:
        return _json(
            {
                "id": str(self.app_id),
                "name": "studybot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.user("owner"),
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _get_gateway_bot(self, *, body: Any) -> web.Response:
        return _json(
            {
                "url": self.gateway_url,
                "shards": self.shard_count,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": self.max_concurrency,
                },
            }
        )

    async def _get_my_guilds(self, *, body: Any, query: dict[str, str]) -> web.Response:
        after = int(query.get("after") or 0)
        limit = min(int(query.get("limit") or 200), 200)
        ids = sorted(gid for gid in self.guilds if gid > after)[:limit]
        partial = [
            {
                "id": str(gid),
                "name": self.guilds[gid]["name"],
                "icon": None,
                "owner": False,
                "permissions": str(self.bot_permissions(gid)),
                "features": [],
            }
            for gid in ids
        ]
        return _json(partial)

    def visible_commands(self, guild_id: int) -> list[str]:
        """Return the slash command names members of a guild see: global, then the guild's."""
        return self.command_store.visible(guild_id)

    async def _get_global_commands(self, app_id: int, *, body: Any) -> web.Response:
        return _answer(self.command_store.get(app_id, None))

    async def _get_guild_commands(self, app_id: int, guild_id: int, *, body: Any) -> web.Response:
        return _answer(self.command_store.get(app_id, guild_id))

    async def _put_global_commands(self, app_id: int, *, body: Any) -> web.Response:
        return _answer(self.command_store.put(app_id, None, body))

    async def _put_guild_commands(self, app_id: int, guild_id: int, *, body: Any) -> web.Response:
        return _answer(self.command_store.put(app_id, guild_id, body))

    def _new_message(
        self,
        channel_id: int,
        author: Json,
        content: str,
        *,
        embeds: Any = None,
        components: Any = None,
        flags: int = 0,
        member: Json | None = None,
        reference: Json | None = None,
    ) -> Json:
        channel = self.channels.get(channel_id, {})
        message: Json = {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": embeds or [],
            "components": components or [],
            "pinned": False,
            "type": 19 if reference else 0,
            "flags": flags,
        }
        if channel.get("guild_id"):
            message["guild_id"] = channel["guild_id"]
        if member is not None:
            message["member"] = {k: v for k, v in member.items() if k != "user"}
        if reference is not None:
            message["message_reference"] = reference
        return message

    async def _get_channel(self, channel_id: int, *, body: Any) -> web.Response:
        channel = self.channels.get(channel_id)
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        return self._refused("view", channel) or _json(channel)

    async def _list_messages(self, channel_id: int, *, body: Any) -> web.Response:
        channel = self.channels.get(channel_id)
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        refused = self._refused("view", channel)
        if refused is not None:
            return refused
        guild_channel = bool(channel.get("guild_id"))
        if guild_channel and not self.permissions_in(channel, self.bot_user) & READ_MESSAGE_HISTORY:
            return _json([])  # as Discord: no history, no messages (not an error)
        newest_first = sorted(self.messages_in(channel_id), key=lambda m: -int(m["id"]))
        return _json(newest_first[: self.list_limit])

    async def _post_message(self, channel_id: int, *, body: Any) -> web.Response:
        channel = self.channels.get(channel_id)
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        if channel["type"] == 1 and int(channel["recipients"][0]["id"]) in self.closed_dms:
            return _error(403, 50007, "Cannot send messages to this user")
        body = body or {}
        refused = self._refused(
            "post",
            channel,
            reply=bool(body.get("message_reference")),
            embeds_only=bool(body.get("embeds")) and not body.get("content"),
        )
        if refused is not None:
            return refused
        shown = self.permissions_in(channel, self.bot_user) if channel.get("guild_id") else -1
        if body.get("embeds") and not shown & EMBED_LINKS:
            body = {**body, "embeds": []}  # with text, Discord drops embeds it may not show
        problem = message_problem(body)
        if problem is not None:
            return _error(400, 50035, f"Invalid Form Body: {problem}")
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce"):
            existing = self._nonces.get((channel_id, str(nonce)))
            if existing is not None:
                return _json(self.messages[existing])
        reference = None
        if body.get("message_reference"):
            reference = {**body["message_reference"], "channel_id": str(channel_id)}
        message = self._new_message(
            channel_id,
            self.bot_user,
            body.get("content") or "",
            embeds=body.get("embeds"),
            components=body.get("components"),
            reference=reference,
        )
        if body.get("allowed_mentions") is not None:
            message["allowed_mentions"] = body["allowed_mentions"]
        self.messages[int(message["id"])] = message
        if nonce:
            self._nonces[(channel_id, str(nonce))] = int(message["id"])
        if channel.get("guild_id"):
            await self.dispatch("MESSAGE_CREATE", message, int(channel["guild_id"]))
        return _json(message)

    async def _edit_message(self, channel_id: int, message_id: int, *, body: Any) -> web.Response:
        message = self.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            return _error(404, 10008, "Unknown Message")
        refused = self._refused("view", self.channels[channel_id])
        if refused is not None:
            return refused
        problem = message_problem({**message, **(body or {})})
        if problem is not None:
            return _error(400, 50035, f"Invalid Form Body: {problem}")
        for key in ("content", "embeds", "components"):
            if key in (body or {}):
                message[key] = body[key]
        message["edited_timestamp"] = _now_iso()
        return _json(message)

    async def _start_thread(self, channel_id: int, message_id: int, *, body: Any) -> web.Response:
        message = self.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            return _error(404, 10008, "Unknown Message")
        parent = self.channels[channel_id]
        refused = self._refused("thread", parent)
        if refused is not None:
            return refused
        if message_id in self._thread_of:
            return _error(400, 160004, "A thread has already been created for this message")
        if not 1 <= len(body.get("name") or "") <= 100:
            return _error(400, 50035, "Invalid Form Body: name: Must be between 1 and 100")
        thread = self._thread_payload(
            message_id,
            parent,
            body["name"],
            self.app_id,
            auto_archive=body.get("auto_archive_duration", 1440),
        )
        self.channels[message_id] = thread
        self._thread_of[message_id] = message_id
        guild_id = int(parent["guild_id"])
        self.guilds[guild_id]["threads"].append(thread)
        if self.announce_threads:
            await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, guild_id)
        return _json(thread, 201)

    def _thread_payload(
        self, thread_id: int, parent: Json, name: str, owner_id: int, *, auto_archive: int = 1440
    ) -> Json:
        return {
            "id": str(thread_id),
            "type": 11,
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "owner_id": str(owner_id),
            "name": name,
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": auto_archive,
                "archive_timestamp": _now_iso(),
                "locked": False,
            },
        }

    async def _add_reaction(
        self, channel_id: int, message_id: int, emoji: str, *, body: Any
    ) -> web.Response:
        message = self.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            return _error(404, 10008, "Unknown Message")
        name = unquote(emoji)
        custom = re.fullmatch(r"(\w+):(\d+)", name)
        key = name if custom is None else custom[2]
        new_emoji = not any(r[0] == message_id and r[2] == key for r in self.reacted)
        refused = self._refused("react", self.channels[channel_id], new_emoji=new_emoji)
        if refused is not None:
            return refused
        self.reactions.append((channel_id, message_id, name))
        await self._react(
            message,
            self.bot_user,
            name if custom is None else custom[1],
            int(custom[2]) if custom else None,
            added=True,
            admin=True,
        )
        return web.Response(status=204)

    async def _open_dm(self, *, body: Any) -> web.Response:
        user_id = int(body["recipient_id"])
        cid = self._dm_of.get(user_id)
        if cid is None:
            cid = self.snowflake()
            self._dm_of[user_id] = cid
            self.channels[cid] = {
                "id": str(cid),
                "type": 1,
                "last_message_id": None,
                "recipients": [self.user(f"user{user_id}", user_id)],
            }
        return _json(self.channels[cid])

    def dms_to(self, user_id: int) -> list[Json]:
        """Return the direct messages the bot sent a user."""
        cid = self._dm_of.get(user_id)
        return self.messages_in(cid) if cid is not None else []

    # -- interactions -----------------------------------------------------------

    def _callback_response(self, record: InteractionRecord, kind: int, data: Json) -> Json:
        ephemeral = bool(data.get("flags", 0) & 64)
        result: Json = {
            "interaction": {
                "id": str(record.id),
                "type": record.payload["type"],
                "response_message_loading": kind == 5,
                "response_message_ephemeral": ephemeral,
            },
            "resource": {"type": kind},
        }
        if record.original is not None:
            result["interaction"]["response_message_id"] = record.original["id"]
            result["resource"]["message"] = record.original
        return result

    async def _interaction_callback(
        self, interaction_id: int, token: str, *, body: Any
    ) -> web.Response:
        record = self.interactions.get(interaction_id)
        if record is None or record.token != token:
            return _error(404, 10062, "Unknown interaction")
        if record.callback.done():  # a modal after a deferral too: only the first counts
            return _error(400, 40060, "Interaction has already been acknowledged.")
        now = asyncio.get_running_loop().time()
        if now - record.sent_at > INTERACTION_DEADLINE:
            return _error(404, 10062, "Unknown interaction")
        kind = int(body["type"])
        data = body.get("data") or {}
        problem = response_problem(int(record.payload["type"]), kind, data)
        if problem is not None:
            return _error(400, 50035, f"Invalid Form Body: {problem}")
        if kind in (4, 5, 7):
            record.original = self._new_message(
                int(record.payload["channel_id"]),
                self.bot_user,
                data.get("content") or "",
                embeds=data.get("embeds"),
                components=data.get("components"),
                flags=data.get("flags", 0) | (128 if kind == 5 else 0),
            )
        record.callback_at = now
        record.callback.set_result(body)
        return _json(self._callback_response(record, kind, data))

    def _record_by_token(self, token: str) -> InteractionRecord | None:
        return self._by_token.get(token)

    def _token_expired(self, record: InteractionRecord) -> web.Response | None:
        """Answer as Discord does once an interaction's token has expired (15 minutes)."""
        if asyncio.get_running_loop().time() - record.sent_at > INTERACTION_TOKEN_TTL:
            return _error(401, 50027, "Invalid Webhook Token")
        return None

    async def _followup(self, app_id: int, token: str, *, body: Any) -> web.Response:
        record = self._record_by_token(token)
        if record is None or not record.callback.done():
            return _error(404, 10015, "Unknown Webhook")
        expired = self._token_expired(record)
        if expired is not None:
            return expired
        problem = message_problem(body or {})
        if problem is not None:
            return _error(400, 50035, f"Invalid Form Body: {problem}")
        message = self._new_message(
            int(record.payload["channel_id"]),
            self.bot_user,
            body.get("content") or "",
            embeds=body.get("embeds"),
            components=body.get("components"),
            flags=body.get("flags", 0),
        )
        record.followups.append(message)
        return _json(message)

    async def _edit_webhook_message(
        self, app_id: int, token: str, which: str, *, body: Any
    ) -> web.Response:
        record = self._record_by_token(token)
        if record is None or record.original is None:
            return _error(404, 10008, "Unknown Message")
        expired = self._token_expired(record)
        if expired is not None:
            return expired
        target = (
            record.original
            if which == "@original"
            else next((m for m in record.followups if m["id"] == which), None)
        )
        if target is None:
            return _error(404, 10008, "Unknown Message")
        problem = message_problem({**target, **(body or {})})
        if problem is not None:
            return _error(400, 50035, f"Invalid Form Body: {problem}")
        for key in ("content", "embeds", "components"):
            if key in body:
                target[key] = body[key]
        target["flags"] = target.get("flags", 0) & ~128  # no longer loading
        record.edits.append(body)
        return _json(target)

    async def _delete_webhook_message(
        self, app_id: int, token: str, which: str, *, body: Any
    ) -> web.Response:
        record = self._record_by_token(token)
        if record is None or record.original is None:
            return _error(404, 10008, "Unknown Message")
        expired = self._token_expired(record)
        if expired is not None:
            return expired
        record.deleted = True
        return web.Response(status=204)

    def interaction_payload(
        self,
        kind: int,
        data: Json,
        *,
        user: Json,
        channel: Json,
        admin: bool = False,
        message: Json | None = None,
    ) -> Json:
        """Return an INTERACTION_CREATE payload from a member in a channel (or thread)."""
        guild_id = int(channel["guild_id"])
        member = self.member(user, guild_id, admin=admin)
        # Discord sends the member's and the app's permissions in the channel (overwrites too)
        member["permissions"] = str(self.permissions_in(channel, user, admin=admin))
        payload: Json = {
            "id": str(self.snowflake()),
            "application_id": str(self.app_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild_id),
            "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
            "channel_id": channel["id"],
            "channel": channel,
            "member": member,
            "token": f"itoken-{next(self._ids)}",
            "version": 1,
            "app_permissions": str(self.permissions_in(channel, self.bot_user)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
            "attachment_size_limit": 26_214_400,
        }
        if message is not None:
            payload["message"] = message
        return payload

    async def send_interaction(self, payload: Json) -> InteractionRecord:
        """Dispatch INTERACTION_CREATE and return its record (await `record.callback`)."""
        loop = asyncio.get_running_loop()
        record = InteractionRecord(
            int(payload["id"]), payload["token"], payload, loop.time(), loop.create_future()
        )
        self.interactions[record.id] = record
        self._by_token[record.token] = record
        record.sent_at = loop.time()
        await self.dispatch("INTERACTION_CREATE", payload, int(payload["guild_id"]))
        return record

    def command_data(
        self, name: str, options: list[Json] | None = None, sub: str | None = None
    ) -> Json:
        """Return the data of a slash command interaction (`sub`: a subcommand's name)."""
        opts = options or []
        if sub is not None:
            opts = [{"type": 1, "name": sub, "options": opts}]
        return {"id": str(self.snowflake()), "name": name, "type": 1, "options": opts}

    async def run_command(
        self,
        name: str,
        *,
        user: Json,
        channel: Json,
        sub: str | None = None,
        options: dict[str, str] | None = None,
        admin: bool = False,
        within: float = 5.0,
    ) -> InteractionRecord:
        """Invoke a slash command and wait for its callback."""
        opts = [{"type": 3, "name": k, "value": v} for k, v in (options or {}).items()]
        payload = self.interaction_payload(
            2, self.command_data(name, opts, sub), user=user, channel=channel, admin=admin
        )
        record = await self.send_interaction(payload)
        await asyncio.wait_for(asyncio.shield(record.callback), within)
        return record

    async def press(
        self,
        message: Json,
        custom_id: str,
        *,
        user: Json,
        admin: bool = False,
        within: float = 5.0,
    ) -> InteractionRecord:
        """Press a button of a message and wait for the callback."""
        channel = self.channels[int(message["channel_id"])]
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self.interaction_payload(
            3, data, user=user, channel=channel, admin=admin, message=message
        )
        record = await self.send_interaction(payload)
        await asyncio.wait_for(asyncio.shield(record.callback), within)
        return record

    async def submit_modal(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        user: Json,
        channel: Json,
        within: float = 5.0,
    ) -> InteractionRecord:
        """Submit a modal with text input values and wait for the callback."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
            for k, v in values.items()
        ]
        payload = self.interaction_payload(
            5, {"custom_id": custom_id, "components": rows}, user=user, channel=channel
        )
        record = await self.send_interaction(payload)
        await asyncio.wait_for(asyncio.shield(record.callback), within)
        return record

    async def drive(self, payloads: list[Json], rate: float | None) -> list[float]:
        """Send interactions, `rate` a second (or all at once); return each one's latency.

        An interaction whose callback did not come, or came as an error, counts as
        infinitely slow.
        """
        loop = asyncio.get_running_loop()
        records = []
        start = loop.time()
        for i, payload in enumerate(payloads):
            if rate is not None:
                delay = start + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            records.append(await self.send_interaction(payload))
        await asyncio.wait([r.callback for r in records], timeout=30)
        return [r.latency if r.callback.done() else float("inf") for r in records]

    def forget_calls(self) -> None:
        """Forget the calls recorded so far (a benchmark measures from here)."""
        self.calls.clear()

    def settle(self) -> None:
        """Forget recorded calls and answered interactions, and exempt what stays from GC.

        For benchmarks: the fake keeps every message and interaction it saw, so
        without this its own garbage collections grow longer from one measured
        phase to the next and show up as latency of whichever bot runs then.
        """
        self.calls.clear()
        for record in [r for r in self.interactions.values() if r.callback.done()]:
            del self.interactions[record.id]
            self._by_token.pop(record.token, None)
        gc.collect()
        gc.freeze()

    def bench_report(self) -> Json:
        """Return what a fan-out benchmark checks: calls, violations, posts per channel."""
        posts: dict[str, int] = {}
        threads: dict[str, int] = {}
        for message in self.messages.values():
            if message["author"]["id"] == self.bot_user["id"] and message["embeds"]:
                posts[message["channel_id"]] = posts.get(message["channel_id"], 0) + 1
                if int(message["id"]) in self._thread_of:
                    threads[message["channel_id"]] = threads.get(message["channel_id"], 0) + 1
        limited = [c for c in self.calls if not self._exempt(c.path)]
        return {
            "calls": len(limited),
            "statuses": [c.status for c in limited],
            "first": min((c.at for c in limited), default=0.0),
            "last": max((c.at for c in limited), default=0.0),
            "global_violations": self.global_violations,
            "route_violations": self.route_violations,
            "posts": posts,
            "threads": threads,
        }

    # -- members' messages ----------------------------------------------------

    async def user_message(
        self, channel_id: int, user: Json, content: str, *, admin: bool = False
    ) -> Json:
        """A member posts a message (MESSAGE_CREATE is dispatched)."""
        channel = self.channels[channel_id]
        guild_id = int(channel["guild_id"])
        member = self.member(user, guild_id, admin=admin)
        message = self._new_message(channel_id, user, content, member=member)
        self.messages[int(message["id"])] = message
        await self.dispatch("MESSAGE_CREATE", message, guild_id)
        return message

    async def edit_user_message(self, message_id: int, content: str) -> Json:
        """A member edits their message (MESSAGE_UPDATE is dispatched)."""
        message = self.messages[message_id]
        message["content"] = content
        message["edited_timestamp"] = _now_iso()
        await self.dispatch("MESSAGE_UPDATE", message, int(message["guild_id"]))
        return message

    async def delete_message(self, message_id: int) -> None:
        """A message is deleted (MESSAGE_DELETE is dispatched)."""
        message = self.messages.pop(message_id)
        await self.dispatch(
            "MESSAGE_DELETE",
            {
                "id": str(message_id),
                "channel_id": message["channel_id"],
                "guild_id": message["guild_id"],
            },
            int(message["guild_id"]),
        )

    async def react(
        self,
        message: Json,
        user: Json,
        emoji: str,
        *,
        custom_id: int | None = None,
        admin: bool = False,
        burst: bool = False,
    ) -> bool:
        """A member reacts to a message (MESSAGE_REACTION_ADD, with the member, is dispatched).

        `emoji` is a Unicode emoji, or with `custom_id` the name of the guild's custom
        emoji; `burst` makes it a super reaction, which a member may hold beside the
        normal one of the same emoji. As on Discord, reacting twice with the same emoji
        and kind changes nothing and sends nothing the second time; returns whether the
        reaction was new.
        """
        return await self._react(
            message, user, emoji, custom_id, added=True, admin=admin, burst=burst
        )

    async def unreact(
        self,
        message: Json,
        user: Json,
        emoji: str,
        *,
        custom_id: int | None = None,
        burst: bool = False,
    ) -> bool:
        """A member takes a reaction back (MESSAGE_REACTION_REMOVE, without the member).

        Returns whether there was such a reaction (Discord sends nothing otherwise).
        """
        return await self._react(message, user, emoji, custom_id, added=False, burst=burst)

    async def clear_reactions(self, message: Json, emoji: str | None = None) -> None:
        """A moderator removes a message's reactions: all, or one Unicode emoji's.

        Dispatches MESSAGE_REACTION_REMOVE_ALL, or MESSAGE_REACTION_REMOVE_EMOJI.
        """
        message_id = int(message["id"])
        self.reacted = {
            k for k in self.reacted if k[0] != message_id or (emoji is not None and k[2] != emoji)
        }
        data: Json = {
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "guild_id": message["guild_id"],
        }
        if emoji is None:
            await self.dispatch("MESSAGE_REACTION_REMOVE_ALL", data, int(message["guild_id"]))
            return
        data["emoji"] = {"id": None, "name": emoji}
        await self.dispatch("MESSAGE_REACTION_REMOVE_EMOJI", data, int(message["guild_id"]))

    def reaction_payload(
        self,
        message: Json,
        user: Json,
        emoji: str,
        custom_id: int | None = None,
        *,
        added: bool = True,
        admin: bool = False,
        burst: bool = False,
    ) -> Json:
        """Return Discord's Message Reaction Add (or Remove) event data for a reaction."""
        data: Json = {
            "user_id": user["id"],
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "emoji": {"id": None if custom_id is None else str(custom_id), "name": emoji},
            "burst": burst,
            "type": 1 if burst else 0,  # 0: normal, 1: burst ("super")
        }
        if custom_id is not None:
            data["emoji"]["animated"] = False
        if "guild_id" in message:
            data["guild_id"] = message["guild_id"]
            if added:  # the member who reacted, in a guild, only when added
                data["member"] = self.member(user, int(message["guild_id"]), admin=admin)
        if added:
            data["message_author_id"] = message["author"]["id"]
            data["burst_colors"] = ["#5865f2"] if burst else []
        return data

    async def _react(
        self,
        message: Json,
        user: Json,
        emoji: str,
        custom_id: int | None,
        *,
        added: bool,
        admin: bool = False,
        burst: bool = False,
    ) -> bool:
        guild_id = int(message["guild_id"])  # reactions in DMs are not modelled
        name = emoji if custom_id is None else str(custom_id)
        key = (int(message["id"]), int(user["id"]), name, burst)
        if (key in self.reacted) == added:
            return False
        if added:
            self.reacted.add(key)
        else:
            self.reacted.discard(key)
        data = self.reaction_payload(
            message, user, emoji, custom_id, added=added, admin=admin, burst=burst
        )
        event = "MESSAGE_REACTION_ADD" if added else "MESSAGE_REACTION_REMOVE"
        await self.dispatch(event, data, guild_id)
        return True

    # -- gateway ----------------------------------------------------------------

    async def dispatch(self, event: str, data: Json, guild_id: int) -> None:
        """Send a dispatch to the shard of a guild; buffered for RESUME if it is disconnected."""
        session = self.sessions.get(self.shard_of(guild_id))
        if session is None:
            return
        needed = EVENT_INTENTS.get(event, 0)
        if session.intents & needed != needed:
            return  # Discord sends an event only to sessions that asked for its intent
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not session.intents & MESSAGE_CONTENT:
            data = self._without_content(data)
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.buffer.append((session.seq, payload))
        ws = session.ws
        if ws is not None and not ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(json.dumps(payload))

    def _without_content(self, message: Json) -> Json:
        """Return a guild message as a session without the Message Content intent gets it.

        Discord leaves the text, embeds, attachments and components of the bot's own
        messages and of messages that mention it; it empties them in all others.
        """
        own = message.get("author", {}).get("id") == self.bot_user["id"]
        mentioned = any(u.get("id") == self.bot_user["id"] for u in message.get("mentions", []))
        if own or mentioned:
            return message
        return {**message, "content": "", "embeds": [], "attachments": [], "components": []}

    async def wait_ready(self, shards: int | None = None, within: float = 10.0) -> None:
        """Wait until every shard (or the first `shards`) has identified or resumed."""
        wanted = range(shards if shards is not None else self.shard_count)
        async with asyncio.timeout(within):
            while not all(s in self.sessions and self.sessions[s].ready.is_set() for s in wanted):
                self._connected.clear()
                await self._connected.wait()

    async def drop_gateway(self, shard: int = 0) -> None:
        """Cut a shard's gateway connection without a close frame (as a network failure does)."""
        session = self.sessions[shard]
        session.ready.clear()
        ws, request = session.ws, session.request
        session.ws = None
        if request is not None and request.transport is not None:
            request.transport.abort()
        elif ws is not None:
            await ws.close(code=4000)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: Session | None = None
        try:
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op = frame.get("op")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11}))
                elif op == 2:
                    asked = int(frame["d"].get("intents", 0))
                    if asked & PRIVILEGED_INTENTS & ~self.enabled_intents:
                        self.identifies.append(frame["d"])
                        await ws.close(code=DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
                        break
                    session = await self._identify(ws, request, frame["d"])
                elif op == 6:
                    session = await self._resume(ws, request, frame["d"])
                    if session is None:
                        break
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
                session.ready.clear()
        return ws

    async def _identify(
        self, ws: web.WebSocketResponse, request: web.Request, data: Json
    ) -> Session:
        self.identifies.append(data)
        shard_id, count = data.get("shard", [0, 1])
        session = Session(shard_id, f"session-{next(self._ids)}", int(data.get("intents", 0)))
        session.ws, session.request = ws, request
        self.sessions[shard_id] = session
        self._sessions_by_id[session.session_id] = session
        guilds = [g for gid, g in self.guilds.items() if (gid >> 22) % count == shard_id]
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": g["id"], "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, count],
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._send_dispatch(session, "READY", ready)
        for guild in guilds:
            body = {k: v for k, v in guild.items() if k not in ("admin_role_id", "bot_role_id")}
            body["members"] = [self.member(self.bot_user, int(guild["id"]))]
            await self._send_dispatch(session, "GUILD_CREATE", body)
        session.ready.set()
        self._connected.set()
        return session

    async def _send_dispatch(self, session: Session, event: str, data: Json) -> None:
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.buffer.append((session.seq, payload))
        assert session.ws is not None
        await session.ws.send_str(json.dumps(payload))

    async def _resume(
        self, ws: web.WebSocketResponse, request: web.Request, data: Json
    ) -> Session | None:
        self.resumes.append(data)
        session = self._sessions_by_id.get(data.get("session_id", ""))
        if session is None or data.get("token") != self.token:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return None
        session.ws, session.request = ws, request
        last = int(data.get("seq") or 0)
        for seq, payload in list(session.buffer):
            if seq > last:
                await ws.send_str(json.dumps(payload))
        await self._send_dispatch(session, "RESUMED", {})
        session.ready.set()
        self._connected.set()
        return session


def _role(role_id: int, name: str, permissions: int, position: int) -> Json:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


class FakeDiscordProcess:
    """A FakeDiscord serving from a child process (for benchmarks).

    The bot under test then has the interpreter (and its GIL) to itself, so the
    fake's own work never shows up as the bot's latency. `call` runs any method
    of the fake in the child and returns its (picklable) result.
    """

    def __init__(self, **options: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve_in_child, args=(child, options), name="fake-discord", daemon=True
        )

    def start(self) -> FakeDiscordProcess:
        """Start the child process and its server."""
        self._process.start()
        self.port = int(self._call("port"))
        self.api_base = f"http://127.0.0.1:{self.port}/api/v10"
        self.token = str(self._call("token"))
        return self

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self._conn.send((name, args, kwargs))
        ok, value = self._conn.recv()
        if not ok:
            raise RuntimeError(f"the fake failed in {name}: {value}")
        return value

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call a method (or read an attribute) of the fake in the child process."""
        return await asyncio.to_thread(self._call, name, *args, **kwargs)

    def stop(self) -> None:
        """Stop the server and the child process."""
        self._conn.send(None)
        self._process.join(10)
        self._conn.close()


def _serve_in_child(conn: Any, options: dict[str, Any]) -> None:
    asyncio.run(_child_loop(conn, options))


async def _child_loop(conn: Any, options: dict[str, Any]) -> None:
    fake = await FakeDiscord(**options).start()
    try:
        while True:
            request = await asyncio.to_thread(conn.recv)
            if request is None:
                return
            name, args, kwargs = request
            try:
                value = getattr(fake, name)
                if callable(value):
                    value = value(*args, **kwargs)
                if asyncio.iscoroutine(value):
                    value = await value
                conn.send((True, value))
            except Exception as exc:  # reported to the parent, which raises
                conn.send((False, repr(exc)))
    finally:
        await fake.stop()
