"""Slack's requests to an app in HTTP mode, signed with the signing secret as Slack signs them.

`signature` is Slack's v0 signature; `SignedSender` posts slash commands,
interactivity payloads and Events API callbacks (retries too) to a bolt app.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from loopback.slack.events import event_callback
from loopback.slack.state import TEAM
from loopback.slack.text import SlackText, command_text
from loopback.slack.triggers import new_trigger_id


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
