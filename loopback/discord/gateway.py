"""The loopback Discord's gateway: the websocket a bot's shards connect to.

It speaks HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeats, dispatches and
RESUME (replaying what a dropped connection missed), per shard. Like Discord,
it closes with 4014 an IDENTIFY asking for a privileged intent the app has not
enabled, and sends message and reaction events only to a session whose
IDENTIFY intents ask for them (and members' messages without their text to a
session without Message Content).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from loopback.discord.responses import Json
from loopback.discord.state import State

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


class Gateway:
    """The gateway's sessions, one a shard, and what was sent to and asked of it."""

    def __init__(self, state: State, *, enabled_intents: int, url: Callable[[], str]) -> None:
        self.state = state
        # the privileged intents turned on in the developer portal (Bot page)
        self.enabled_intents = enabled_intents
        self.url = url  # the gateway's URL, once the server listens (READY names it)
        self.identifies: list[Json] = []
        self.resumes: list[Json] = []
        self.sessions: dict[int, Session] = {}
        self._sessions_by_id: dict[str, Session] = {}
        self.sockets: set[web.WebSocketResponse] = set()
        self._connected = asyncio.Event()

    async def dispatch(self, event: str, data: Json, guild_id: int) -> None:
        """Send a dispatch to the shard of a guild; buffered for RESUME if it is disconnected."""
        session = self.sessions.get(self.state.shard_of(guild_id))
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
        bot_id = self.state.bot_user["id"]
        own = message.get("author", {}).get("id") == bot_id
        mentioned = any(u.get("id") == bot_id for u in message.get("mentions", []))
        if own or mentioned:
            return message
        return {**message, "content": "", "embeds": [], "attachments": [], "components": []}

    async def wait_ready(self, shards: int | None = None, within: float = 10.0) -> None:
        """Wait until every shard (or the first `shards`) has identified or resumed."""
        wanted = range(shards if shards is not None else self.state.shard_count)
        async with asyncio.timeout(within):
            while not all(s in self.sessions and self.sessions[s].ready.is_set() for s in wanted):
                self._connected.clear()
                await self._connected.wait()

    async def drop(self, shard: int = 0) -> None:
        """Cut a shard's gateway connection without a close frame (as a network failure does)."""
        session = self.sessions[shard]
        session.ready.clear()
        ws, request = session.ws, session.request
        session.ws = None
        if request is not None and request.transport is not None:
            request.transport.abort()
        elif ws is not None:
            await ws.close(code=4000)

    async def close(self) -> None:
        """Close every gateway connection."""
        for ws in list(self.sockets):
            with contextlib.suppress(Exception):
                await ws.close()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one gateway connection (`GET /gateway`)."""
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self.sockets.add(ws)
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
            self.sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
                session.ready.clear()
        return ws

    async def _identify(
        self, ws: web.WebSocketResponse, request: web.Request, data: Json
    ) -> Session:
        state = self.state
        self.identifies.append(data)
        shard_id, count = data.get("shard", [0, 1])
        session = Session(shard_id, f"session-{state.serial()}", int(data.get("intents", 0)))
        session.ws, session.request = ws, request
        self.sessions[shard_id] = session
        self._sessions_by_id[session.session_id] = session
        guilds = [g for gid, g in state.guilds.items() if (gid >> 22) % count == shard_id]
        ready = {
            "v": 10,
            "user": state.bot_user,
            "guilds": [{"id": g["id"], "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "resume_gateway_url": self.url(),
            "shard": [shard_id, count],
            "application": {"id": str(state.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._send_dispatch(session, "READY", ready)
        for guild in guilds:
            body = {k: v for k, v in guild.items() if k not in ("admin_role_id", "bot_role_id")}
            body["members"] = [state.member(state.bot_user, int(guild["id"]))]
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
        if session is None or data.get("token") != self.state.token:
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
