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

TRIGGER_LIFETIME = 3.0  # seconds a trigger_id can open a modal, once
RESPONSE_URL_TTL = 30 * 60.0  # seconds a response_url takes posts ...
RESPONSE_URL_POSTS = 5  # ... and how many
TEAM = "T0TEAM"  # the workspace that installed the app
PARTNER_TEAM = "T0PARTNER"  # another organisation, sharing a Slack Connect channel
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
    error: str | None = None  # the `error` of an answer with `ok: false`


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


def block_kit_errors(payload: Mapping[str, Any]) -> list[str]:
    """Return why Slack would answer `invalid_blocks` to a payload's blocks (or its view's).

    Slack's documented Block Kit limits that studybot's blocks meet: 50 blocks a
    message and 100 a view; text objects of 1 to 3,000 characters and not only
    whitespace (header 150, section field 2,000, button 75, input label 2,000); 10
    fields a section, 1 to 10 context and 1 to 25 actions elements; block_id and
    action_id 255, button value 2,000.
    """
    view = payload.get("view")
    most = 100 if isinstance(view, Mapping) else 50
    blocks = view.get("blocks") if isinstance(view, Mapping) else payload.get("blocks")
    if blocks is None:
        return []
    if not isinstance(blocks, list) or len(blocks) > most:
        return [f"no more than {most} items allowed [json-pointer:/blocks]"]
    errors: list[str] = []
    for i, block in enumerate(b if isinstance(b, dict) else {} for b in blocks):
        at, kind = f"/blocks/{i}", block.get("type")
        fields = block.get("fields") or []
        elements = [e if isinstance(e, dict) else {} for e in block.get("elements") or []]
        texts: list[tuple[Any, int, str]] = []  # (text object, its limit, where)
        if kind == "section":
            texts += [(block.get("text"), 3000, "/text")] if "text" in block or not fields else []
            texts += [(f, 2000, f"/fields/{j}") for j, f in enumerate(fields)]
        elif kind == "header":
            texts.append((block.get("text"), 150, "/text"))
        elif kind == "input":
            texts.append((block.get("label"), 2000, "/label"))
        elif kind == "context":
            texts += [(e, 3000, f"/elements/{j}") for j, e in enumerate(elements)]
        elif kind == "actions":
            texts += [(e.get("text"), 75, f"/elements/{j}/text") for j, e in enumerate(elements)]
        counts = {"section": (0, 10, fields), "context": (1, 10, elements)}
        counts["actions"] = (1, 25, elements)
        low, high, counted = counts.get(kind, (0, 0, []))
        if not low <= len(counted) <= high:
            errors.append(f"must have {low} to {high} items [json-pointer:{at}]")
        for obj, limit, where in texts:
            text = obj.get("text") if isinstance(obj, dict) else None
            if not isinstance(text, str) or not text.strip() or len(text) > limit:
                errors.append(f"must be 1 to {limit} characters [json-pointer:{at}{where}/text]")
        ids = [(block, "block_id", 255)]
        ids += [(e, key, n) for e in elements for key, n in (("action_id", 255), ("value", 2000))]
        for obj, key, n in ids:
            if len(str(obj.get(key, ""))) > n:
                errors.append(f"must be at most {n} characters [json-pointer:{at}/{key}]")
    return errors


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
        self.delays: dict[str, float] = {}  # method -> seconds before it answers (`slow`)
        self.response_url_ttl = RESPONSE_URL_TTL
        self._hooks: dict[str, float] = {}  # response_url hook -> when it was issued
        self._exchanged: set[str] = set()  # trigger_ids that opened a modal
        self.views: dict[str, dict[str, Any]] = {}  # open modals by view id
        self.opened: list[str] = []  # view ids of the modals opened, in order
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
        """Return a response_url that lands on this fake (good for 30 minutes and 5 posts)."""
        self._hooks.setdefault(hook, time.monotonic())
        return f"http://127.0.0.1:{self.port}/response/{hook}"

    # -- set-up by tests -------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        admin: bool = False,
        owner: bool = False,
        team: str = TEAM,
    ) -> None:
        """Make users.info know a member (of `team`: another one for a Slack Connect guest)."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": team,
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

    def slow(self, method: str, seconds: float) -> None:
        """Answer `method` only after `seconds` (as a loaded Slack does), from now on."""
        self.delays[method] = seconds

    # -- reading what happened -------------------------------------------------

    def of(self, method: str) -> list[Call]:
        """Return the calls of a method Slack did (not rate-limited, not refused), in order."""
        return [c for c in self.calls if c.method == method and c.status == 200 and c.error is None]

    def modal(self, index: int = -1) -> dict[str, Any]:
        """Return what a modal shows now: the `index`-th opened, with its updates."""
        return self.views[self.opened[index]]

    def errors(self, method: str) -> list[str]:
        """Return the errors (`ok: false`) Slack answered calls of a method with, in order."""
        return [c.error for c in self.calls if c.method == method and c.error is not None]

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
        if errors := block_kit_errors(args):
            self._record(Call(method, args, token, now, error="invalid_blocks"))
            return web.json_response({"ok": False, "error": "invalid_blocks", "errors": errors})
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        body = self._answer(method, args)
        error = None if body.get("ok") else str(body.get("error"))
        self._record(Call(method, args, token, now, error=error))
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
            case "views.open":
                refused = self._exchange(str(args.get("trigger_id") or ""))
                if refused is not None:
                    return {"ok": False, "error": refused}
                view = {"id": f"V{next(self._ts)}", "hash": f"h{next(self._ts)}"}
                self.views[view["id"]] = view | dict(args.get("view") or {})
                self.opened.append(view["id"])
                return {"ok": True, "view": self.views[view["id"]]}
            case "views.update":
                view_id = str(args.get("view_id") or "")
                if view_id not in self.views:
                    return {"ok": False, "error": "not_found"}
                self.views[view_id] = {"id": view_id, "hash": f"h{next(self._ts)}"} | dict(
                    args.get("view") or {}
                )
                return {"ok": True, "view": self.views[view_id]}
            case "views.publish":
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

    def _exchange(self, trigger_id: str) -> str | None:
        """Use a trigger_id to open a modal: None if it may, else Slack's error."""
        issued = trigger_issued(trigger_id)
        if issued is None:
            return "invalid_trigger_id"
        if trigger_id in self._exchanged:
            return "exchanged_trigger_id"
        if time.monotonic() - issued > TRIGGER_LIFETIME:
            return "expired_trigger_id"
        self._exchanged.add(trigger_id)
        return None

    def _response_url_refusal(self, hook: str) -> str | None:
        """Return why Slack refuses one more post to a response_url (None if it takes it)."""
        issued = self._hooks.setdefault(hook, time.monotonic())
        if time.monotonic() - issued > self.response_url_ttl:
            return "expired_url"
        taken = sum(1 for c in self.of("response_url") if c.token == hook)
        return "used_url" if taken >= RESPONSE_URL_POSTS else None

    async def _response_url(self, request: web.Request) -> web.Response:
        args = await request.json()
        hook = request.match_info["hook"]
        refused = self._response_url_refusal(hook)
        if refused is not None:  # Slack answers 404 with the reason as text
            call = Call("response_url", dict(args), hook, time.monotonic(), 404, refused)
            self._record(call)
            return web.Response(status=404, text=refused)
        errors = block_kit_errors(args)
        status = 400 if errors else 200  # as Slack's webhooks answer invalid blocks
        error = "invalid_blocks" if errors else None
        self._record(Call("response_url", dict(args), hook, time.monotonic(), status, error))
        if errors:
            body = {"ok": False, "error": "invalid_blocks", "errors": errors}
            return web.json_response(body, status=status)
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


def new_trigger_id(user: str, age: float = 0.0) -> str:
    """Return a trigger_id as Slack issues one with an interaction, `age` seconds ago.

    It carries when it was issued (the monotonic clock, which every process on
    the machine shares), so that the fake can tell when it has expired.
    """
    return f"trigger-{user}-{time.monotonic_ns() - int(age * 1e9)}"


def trigger_issued(trigger_id: str) -> float | None:
    """Return when a trigger_id from `new_trigger_id` was issued, or None if it is not one."""
    prefix, _, issued = trigger_id.rpartition("-")
    if not prefix.startswith("trigger-") or not issued.isdigit():
        return None
    return int(issued) / 1e9


# -- what members write, encoded as Slack sends it ----------------------------------


@dataclass(frozen=True)
class Mention:
    """A member picked in the composer: shown `@name`, sent `<@U…>`."""

    user_id: str
    name: str


@dataclass(frozen=True)
class Link:
    """A link: shown as its label (link text the member put over it) or its address."""

    url: str
    label: str | None = None


@dataclass(frozen=True)
class ChannelLink:
    """A channel mentioned: shown `#name`, sent `<#C…|name>`."""

    channel_id: str
    name: str


@dataclass(frozen=True)
class Broadcast:
    """`@here`, `@channel` or `@everyone`: sent `<!here>`."""

    word: str


Written = str | Mention | Link | ChannelLink | Broadcast


class SlackText(str):
    """Text already encoded as Slack sends it: the senders pass it on as it is."""

    __slots__ = ()


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shown(*parts: Written) -> str:
    """Return what a member sees of what they wrote (and what a modal's input sends)."""
    out: list[str] = []
    for part in parts:
        match part:
            case Mention(name=name):
                out.append(f"@{name}")
            case Link(url=url, label=label):
                out.append(label or url)
            case ChannelLink(name=name):
                out.append(f"#{name}")
            case Broadcast(word=word):
                out.append(f"@{word}")
            case str():
                out.append(part)
    return "".join(out)


def message_text(*parts: Written) -> SlackText:
    """Return a message's `text` as Slack sends it: entities, and `<…>` for mentions and links."""
    out: list[str] = []
    for part in parts:
        match part:
            case Mention(user_id=user_id):
                out.append(f"<@{user_id}>")
            case Link(url=url, label=label):
                out.append(f"<{_entities(url)}|{_entities(label)}>" if label else f"<{url}>")
            case ChannelLink(channel_id=channel_id, name=name):
                out.append(f"<#{channel_id}|{name}>")
            case Broadcast(word=word):
                out.append(f"<!{word}>")
            case str():
                out.append(_entities(part))
    return SlackText("".join(out))


def command_text(*parts: Written, should_escape: bool = False) -> SlackText:
    """Return a slash command's `text` as Slack sends it.

    `&`, `<` and `>` always come as entities; mentions, channels and links come
    as in messages only for a command with "Escape channels, users, and links"
    (`should_escape`, off in studybot's manifest), else as the member typed them.
    """
    if should_escape:
        return message_text(*parts)
    return SlackText(_entities(shown(*parts)))


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
        self,
        command: str,
        text: str,
        *,
        user: str,
        channel: str,
        response_url: str,
        team: str = TEAM,
        **extra: Any,
    ) -> tuple[int, str]:
        """Send a slash command; plain `text` is encoded as Slack does (`command_text`).

        `team` is the member's workspace: where they typed it, which for a member of
        another organisation in a Slack Connect channel is theirs, not `TEAM`.
        """
        form = {
            "token": "unused",
            "team_id": team,
            "team_domain": "fake" if team == TEAM else "partner",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text if isinstance(text, SlackText) else command_text(text),
            "api_app_id": "A0APP",
            "response_url": response_url,
            "trigger_id": new_trigger_id(user),
        }
        body = urllib.parse.urlencode(form).encode()
        return await self.send(body, "application/x-www-form-urlencoded", **extra)

    async def interactive(self, payload: Mapping[str, Any], **extra: Any) -> tuple[int, str]:
        """Send an interactivity payload (block_actions, view_submission)."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return await self.send(body, "application/x-www-form-urlencoded", **extra)

    async def event(
        self,
        event: Mapping[str, Any],
        event_id: str,
        *,
        retry_num: int = 0,
        user_team: str = TEAM,
        **extra: Any,
    ) -> tuple[int, str]:
        """Send an Events API callback; `retry_num` > 0 sends it as Slack's retry.

        `user_team` other than `TEAM`: the event of a member of another organisation
        in a Slack Connect channel (see `event_callback`).
        """
        body = json.dumps(event_callback(event, event_id, user_team=user_team)).encode()
        headers = dict(extra.pop("headers", None) or {})
        if retry_num:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "timeout"})
        return await self.send(body, "application/json", headers=headers, **extra)


def event_callback(
    event: Mapping[str, Any], event_id: str, *, user_team: str = TEAM
) -> dict[str, Any]:
    """Return an Events API `event_callback` envelope around an event.

    With a `user_team` other than `TEAM`, the event comes from a member of another
    organisation in a Slack Connect channel, as Slack sends it: the envelope's
    `team_id` and the event's `team` and `user_team` are theirs; only
    `authorizations[0].team_id` names the workspace that installed the app.
    """
    inner = dict(event)
    envelope: dict[str, Any] = {
        "token": "unused",
        "team_id": user_team,
        "api_app_id": "A0APP",
        "event": inner,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": TEAM, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": user_team != TEAM,
    }
    if user_team != TEAM:
        inner.update(team=user_team, user_team=user_team, source_team=user_team)
        envelope["context_team_id"] = TEAM
    return envelope


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
    user: str,
    channel: str,
    message_ts: str,
    action_id: str,
    value: str,
    response_url: str,
    *,
    user_team: str = TEAM,
) -> dict[str, Any]:
    """Return a `block_actions` payload: a member pressed a button on a message.

    A member of another organisation (`user_team`) in a Slack Connect channel has
    their team in `user.team_id`; `team` is the installing workspace's.
    """
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": user_team},
        "api_app_id": "A0APP",
        "team": {"id": TEAM, "domain": "fake"},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": message_ts, "user": BOT_USER, "bot_id": BOT_ID},
        "trigger_id": new_trigger_id(user),
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
    user: str, view: Mapping[str, Any], values: Mapping[str, str], *, user_team: str = TEAM
) -> dict[str, Any]:
    """Return a `view_submission` payload for an opened modal, with text typed in its inputs.

    For a member of another organisation (`user_team`), `team` is theirs and only
    `view.app_installed_team_id` names the workspace that installed the app.
    """
    state = {
        block["block_id"]: {
            "value": {"type": "plain_text_input", "value": values.get(block["block_id"])}
        }
        for block in view.get("blocks", [])
        if block.get("type") == "input"
    }
    return {
        "type": "view_submission",
        "team": {"id": user_team, "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "team_id": user_team},
        "api_app_id": "A0APP",
        "trigger_id": new_trigger_id(user),
        "view": {
            "id": "V1",
            "team_id": user_team,
            "app_installed_team_id": TEAM,
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
