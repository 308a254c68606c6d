"""The loopback Slack's Socket Mode websocket: hello, envelopes, and the client's acks."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web


@dataclass
class Envelope:
    """A Socket Mode envelope the fake sent, and the client's answer to it."""

    envelope_id: str
    answered: asyncio.Future[dict[str, Any]]


class SocketMode:
    """The Socket Mode connections, and the envelopes waiting for their acknowledgement."""

    def __init__(self) -> None:
        self.sockets: list[web.WebSocketResponse] = []
        self._socket_ready = asyncio.Event()
        self._envelopes = itertools.count(1)
        self._pending: dict[str, Envelope] = {}

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one Socket Mode connection (`/socket`)."""
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

    async def close(self) -> None:
        """Close every Socket Mode connection."""
        for ws in list(self.sockets):
            await ws.close()

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
