"""A loopback fake of Slack: the Web API, response_url posts and the Socket Mode websocket.

It serves on 127.0.0.1 (an ephemeral port), records every call, answers the
methods the adapter uses with Slack's shapes, can answer 429 with Retry-After
(on demand, or by enforcing chat.postMessage's per-channel and per-method
limits), and keeps each channel's messages (with metadata) for
conversations.history. `SignedSender` sends correctly signed requests to a
bolt app in HTTP mode, the way Slack does; `event_callback`, `reaction_event`,
`block_actions` and `view_submission` build what it sends in Slack's shapes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import math
import multiprocessing
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
from aiohttp import web

TEAM = "T0TEAM"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
_JSON_FIELDS = ("blocks", "view", "metadata", "attachments")


@dataclass
class Call:
    """One call the fake received: a Web API method, or a post to a response_url."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int = 200


@dataclass
class RateLimit:
    """A generic cell rate limit: `rate` a second with `burst` at once."""

    rate: float
    burst: int = 1
    tat: float = 0.0

    def admit(self, now: float) -> float:
        """Return 0 and count the call if it may pass now, else how long to wait."""
        interval = 1.0 / self.rate
        tat = max(self.tat, now)
        wait = tat - interval * (self.burst - 1) - now
        if wait > 1e-9:
            return wait
        self.tat = tat + interval
        return 0.0


@dataclass
class PostLimits:
    """chat.postMessage's limits: per channel, and for the method workspace-wide."""

    per_channel_rate: float = 1.0
    per_channel_burst: int = 1
    method_rate: float = 50.0
    method_burst: int = 1
    channels: dict[str, RateLimit] = field(default_factory=dict)
    method: RateLimit | None = None

    def admit(self, channel: str, now: float) -> float:
        """Return 0 if a post to `channel` may pass now (and count it), else the wait."""
        if self.method is None:
            self.method = RateLimit(self.method_rate, self.method_burst)
        limit = self.channels.setdefault(
            channel, RateLimit(self.per_channel_rate, self.per_channel_burst)
        )
        wait_channel = RateLimit(limit.rate, limit.burst, limit.tat).admit(now)
        wait_method = RateLimit(self.method.rate, self.method.burst, self.method.tat).admit(now)
        wait = max(wait_channel, wait_method)
        if wait > 0:
            return wait
        limit.admit(now)
        self.method.admit(now)
        return 0.0


@dataclass
class Envelope:
    """A Socket Mode envelope the fake sent, and the client's answer to it."""

    envelope_id: str
    answered: asyncio.Future[dict[str, Any]]


class FakeSlack:
    """The fake Slack server; use `async with FakeSlack() as slack:`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)  # channel -> messages
        self.reactions: set[tuple[str, str, str]] = set()
        self.rejected: list[Call] = []  # calls answered 429
        self.post_limits: PostLimits | None = None
        self._failures: dict[str, list[int]] = defaultdict(list)  # method -> Retry-After list
        self._ts = itertools.count(1)
        self._envelopes = itertools.count(1)
        self._pending: dict[str, Envelope] = {}
        self._runner: web.AppRunner | None = None
        self.sockets: list[web.WebSocketResponse] = []
        self._socket_ready = asyncio.Event()
        self.port = 0

    # -- lifecycle -------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/response/{hook}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """The Web API base URL (for `SLACK_API_URL`)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, hook: str) -> str:
        """Return a response_url that lands on this fake."""
        return f"http://127.0.0.1:{self.port}/response/{hook}"

    # -- set-up by tests -------------------------------------------------------

    def add_user(
        self, user_id: str, name: str, *, admin: bool = False, owner: bool = False
    ) -> None:
        """Make users.info know a member."""
        self.users[user_id] = {
            "id": user_id,
            "name": name.lower(),
            "real_name": name,
            "is_admin": admin,
            "is_owner": owner,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": name},
        }

    def fail_next(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """Answer the next `times` calls of `method` with 429 and `Retry-After`."""
        self._failures[method].extend([retry_after] * times)

    # -- reading what happened -------------------------------------------------

    def of(self, method: str) -> list[Call]:
        """Return the answered (not rate-limited) calls of a method, in order."""
        return [c for c in self.calls if c.method == method and c.status == 200]

    def _record(self, call: Call) -> None:
        self.calls.append(call)

    def summary(self) -> dict[str, Any]:
        """Return what happened: calls per method, 429s, posts per channel, when replies came."""
        methods: dict[str, int] = defaultdict(int)
        for call in self.calls:
            if call.status == 200:
                methods[call.method] += 1
        posts = self.of("chat.postMessage")
        per_channel: dict[str, int] = defaultdict(int)
        for call in posts:
            per_channel[str(call.args.get("channel"))] += 1
        return {
            "methods": dict(methods),
            "rejected": len(self.rejected),
            "posts_per_channel": dict(per_channel),
            "responses": {c.token: c.at for c in self.of("response_url")},
            "first_post": posts[0].at if posts else None,
            "last_post": posts[-1].at if posts else None,
        }

    # -- the Web API -----------------------------------------------------------

    @staticmethod
    async def _args(request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)  # slack-sdk sends some methods' args here
        if request.method == "GET":
            return args
        if request.content_type == "application/json":
            data = await request.json()
            return args | (dict(data) if isinstance(data, dict) else {})
        form = await request.post()
        args.update({k: str(v) for k, v in form.items()})
        for key in _JSON_FIELDS:
            if isinstance(args.get(key), str):
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        now = time.monotonic()
        retry_after: int | None = None
        if self._failures.get(method):
            retry_after = self._failures[method].pop(0)
        elif method == "chat.postMessage" and self.post_limits is not None:
            wait = self.post_limits.admit(str(args.get("channel")), now)
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
        if retry_after is not None:
            call = Call(method, args, token, now, status=429)
            self.rejected.append(call)
            self._record(call)
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        body = self._answer(method, args)
        self._record(Call(method, args, token, now))
        return web.json_response(body)

    def _new_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _answer(self, method: str, args: Mapping[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        match method:
            case "auth.test":
                return {
                    "ok": True,
                    "url": "https://fake.slack.test/",
                    "team": "Fake team",
                    "team_id": TEAM,
                    "user": "studybot",
                    "user_id": BOT_USER,
                    "bot_id": BOT_ID,
                }
            case "chat.postMessage":
                ts = self._new_ts()
                message = {
                    "type": "message",
                    "ts": ts,
                    "user": BOT_USER,
                    "bot_id": BOT_ID,
                    "text": args.get("text", ""),
                    "blocks": args.get("blocks", []),
                }
                if args.get("thread_ts"):
                    message["thread_ts"] = args["thread_ts"]
                if args.get("metadata"):
                    message["metadata"] = args["metadata"]
                self.messages[channel].append(message)
                return {"ok": True, "channel": channel, "ts": ts, "message": message}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": self._new_ts()}
            case "chat.update":
                return {"ok": True, "channel": channel, "ts": args.get("ts"), "text": ""}
            case "chat.getPermalink":
                ts = str(args.get("message_ts", "")).replace(".", "")
                return {
                    "ok": True,
                    "channel": channel,
                    "permalink": f"https://fake.slack.test/archives/{channel}/p{ts}",
                }
            case "views.open" | "views.publish":
                return {"ok": True, "view": {"id": f"V{next(self._ts)}", **dict(args)}}
            case "users.info":
                user = self.users.get(str(args.get("user")))
                if user is None:
                    return {"ok": False, "error": "user_not_found"}
                return {"ok": True, "user": user}
            case "reactions.add":
                key = (channel, str(args.get("timestamp")), str(args.get("name")))
                if key in self.reactions:
                    return {"ok": False, "error": "already_reacted"}
                self.reactions.add(key)
                return {"ok": True}
            case "apps.connections.open":
                return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
            case "conversations.history" | "conversations.replies":
                found = self.messages.get(channel, [])
                if method == "conversations.replies":
                    parent = args.get("ts")
                    found = [m for m in found if parent in (m["ts"], m.get("thread_ts"))]
                else:
                    found = [m for m in found if m.get("thread_ts") is None]
                return {"ok": True, "messages": list(reversed(found)), "has_more": False}
        return {"ok": False, "error": "unknown_method"}

    async def _response_url(self, request: web.Request) -> web.Response:
        args = await request.json()
        self._record(Call("response_url", dict(args), request.match_info["hook"], time.monotonic()))
        return web.Response(text="ok")

    # -- Socket Mode -----------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        self._socket_ready.set()
        async for frame in ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            answer = json.loads(frame.data)
            pending = self._pending.pop(str(answer.get("envelope_id")), None)
            if pending is not None and not pending.answered.done():
                pending.answered.set_result(answer)
        self.sockets.remove(ws)
        return ws

    async def wait_for_socket(self, within: float = 5.0) -> None:
        """Wait until a Socket Mode client is connected."""
        await asyncio.wait_for(self._socket_ready.wait(), within)

    async def send_envelope(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        retry_attempt: int = 0,
        within: float = 5.0,
    ) -> dict[str, Any]:
        """Send a Socket Mode envelope (`slash_commands`, `interactive`, `events_api`).

        Returns the client's acknowledgement (its `envelope_id`, and a payload if any).
        """
        envelope_id = f"env-{next(self._envelopes)}"
        answered: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = Envelope(envelope_id, answered)
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": dict(payload),
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return await asyncio.wait_for(answered, within)


# -- Slack's requests to the app, signed -------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return Slack's v0 signature of a request body."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SignedSender:
    """Sends requests to a bolt app the way Slack does: signed with the signing secret."""

    session: aiohttp.ClientSession
    url: str
    secret: str
    clock_skew: float = 0.0  # seconds added to the timestamp (e.g. -600: a stale request)

    def _headers(self, body: bytes, content_type: str, secret: str | None) -> dict[str, str]:
        timestamp = str(int(time.time() + self.clock_skew))
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature(secret or self.secret, timestamp, body),
        }

    async def send(
        self,
        body: bytes,
        content_type: str,
        *,
        secret: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str]:
        """Post a raw body, signed (with `secret` instead, to forge a bad signature)."""
        all_headers = {**self._headers(body, content_type, secret), **(headers or {})}
        async with self.session.post(self.url, data=body, headers=all_headers) as response:
            return response.status, await response.text()

    async def command(
        self, command: str, text: str, *, user: str, channel: str, response_url: str, **extra: Any
    ) -> tuple[int, str]:
        """Send a slash command."""
        form = {
            "token": "unused",
            "team_id": TEAM,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0APP",
            "response_url": response_url,
            "trigger_id": f"trigger-{user}-{time.monotonic_ns()}",
        }
        body = urllib.parse.urlencode(form).encode()
        return await self.send(body, "application/x-www-form-urlencoded", **extra)

    async def interactive(self, payload: Mapping[str, Any], **extra: Any) -> tuple[int, str]:
        """Send an interactivity payload (block_actions, view_submission)."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return await self.send(body, "application/x-www-form-urlencoded", **extra)

    async def event(
        self, event: Mapping[str, Any], event_id: str, *, retry_num: int = 0, **extra: Any
    ) -> tuple[int, str]:
        """Send an Events API callback; `retry_num` > 0 sends it as Slack's retry."""
        body = json.dumps(event_callback(event, event_id)).encode()
        headers = dict(extra.pop("headers", None) or {})
        if retry_num:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "timeout"})
        return await self.send(body, "application/json", headers=headers, **extra)


def event_callback(event: Mapping[str, Any], event_id: str) -> dict[str, Any]:
    """Return an Events API `event_callback` envelope around an event."""
    return {
        "token": "unused",
        "team_id": TEAM,
        "api_app_id": "A0APP",
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def reaction_event(
    user: str,
    name: str,
    channel: str,
    ts: str,
    *,
    item_user: str | None = None,
    removed: bool = False,
) -> dict[str, Any]:
    """Return a `reaction_added` (or `reaction_removed`) event on a message, as Slack sends it.

    `name` is Slack's emoji name (`+1`, `thumbsup::skin-tone-2`, `heart`);
    `item_user` is the message's author (absent for messages no member wrote).
    """
    event: dict[str, Any] = {
        "type": "reaction_removed" if removed else "reaction_added",
        "user": user,
        "reaction": name,
        "item": {"type": "message", "channel": channel, "ts": ts, "channel_type": "channel"},
        "event_ts": f"{time.time():.6f}",
    }
    if item_user is not None:
        event["item_user"] = item_user
    return event


def block_actions(
    user: str, channel: str, message_ts: str, action_id: str, value: str, response_url: str
) -> dict[str, Any]:
    """Return a `block_actions` payload: a member pressed a button on a message."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0APP",
        "team": {"id": TEAM, "domain": "fake"},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": message_ts, "user": BOT_USER, "bot_id": BOT_ID},
        "trigger_id": f"trigger-{user}-{time.monotonic_ns()}",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }


def view_submission(
    user: str, view: Mapping[str, Any], values: Mapping[str, str]
) -> dict[str, Any]:
    """Return a `view_submission` payload for an opened modal, with text typed in its inputs."""
    state = {
        block["block_id"]: {
            "value": {"type": "plain_text_input", "value": values.get(block["block_id"])}
        }
        for block in view.get("blocks", [])
        if block.get("type") == "input"
    }
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0APP",
        "trigger_id": f"trigger-{user}-{time.monotonic_ns()}",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": view.get("callback_id"),
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view.get("blocks", []),
            "state": {"values": state},
        },
    }


# -- the fake in a process of its own (for benchmarks) ------------------------------


async def _serve_in_child(conn: Connection, users: int, limits: PostLimits | None) -> None:
    async with FakeSlack() as fake:
        for i in range(users):
            fake.add_user(f"U{i:05d}", f"Member {i}", admin=i == 0)
        fake.post_limits = limits
        conn.send(fake.port)
        loop = asyncio.get_running_loop()
        while True:
            request = await loop.run_in_executor(None, conn.recv)
            if request == "stop":
                conn.send("stopped")
                return
            conn.send(fake.summary())


def _child_main(conn: Connection, users: int, limits: PostLimits | None) -> None:
    asyncio.run(_serve_in_child(conn, users, limits))


class FakeSlackProcess:
    """The fake Slack in a process of its own, so that it does not share the measured loop.

    Members `U00000` (an admin) to `U{users-1:05d}` are known to users.info.
    """

    def __init__(self, users: int = 0, limits: PostLimits | None = None) -> None:
        self._users = users
        self._limits = limits
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self.port = 0

    def start(self) -> FakeSlackProcess:
        """Start the process and wait until the fake listens."""
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(
            target=_child_main, args=(child, self._users, self._limits), daemon=True
        )
        self._process.start()
        self._conn = parent
        self.port = int(parent.recv())
        return self

    @property
    def api_url(self) -> str:
        """The Web API base URL."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, hook: str) -> str:
        """Return a response_url that lands on the fake."""
        return f"http://127.0.0.1:{self.port}/response/{hook}"

    def summary(self) -> dict[str, Any]:
        """Return what the fake saw (see `FakeSlack.summary`)."""
        assert self._conn is not None
        self._conn.send("summary")
        answer: dict[str, Any] = self._conn.recv()
        return answer

    def stop(self) -> None:
        """Stop the process."""
        if self._conn is not None and self._process is not None:
            self._conn.send("stop")
            self._conn.recv()
            self._process.join(10)
