"""Interactions on the loopback Discord: sending them, and the bot's answers to them.

The fake sends INTERACTION_CREATE (slash commands, button presses, modal
submits) and serves the routes a bot answers with: the callback (with the
3-second deadline, the "already acknowledged" error for any second response,
a modal included, and the response types and modal limits Discord accepts)
and webhook followups and edits (whose token expires after 15 minutes).
Interactions carry the member's and the app's permissions in their channel;
in the bot's DM with a user they come as Discord sends those: no guild, no
member, the user, context 1, and only from the DM's recipient.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from loopback.discord.gateway import Gateway
from loopback.discord.permissions import (
    ATTACH_FILES,
    DM,
    EMBED_LINKS,
    MENTION_EVERYONE,
    USE_EXTERNAL_EMOJIS,
)
from loopback.discord.responses import Json, error, json_response
from loopback.discord.rules import message_problem, response_problem
from loopback.discord.state import State
from loopback.discord.uploads import attach

INTERACTION_DEADLINE = 3.0
INTERACTION_TOKEN_TTL = 15 * 60.0  # follow-ups and edits: an interaction token lives 15 minutes
# What an app may do in its bot's DM (Discord's `app_permissions` there)
DM_APP_PERMISSIONS = ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE | USE_EXTERNAL_EMOJIS


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


class Interactions:
    """The interactions sent, by id and by token, and the routes that answer them."""

    def __init__(self, state: State, gateway: Gateway) -> None:
        self.state = state
        self.gateway = gateway
        self.records: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}

    # -- sending ------------------------------------------------------------------

    def payload(
        self,
        kind: int,
        data: Json,
        *,
        user: Json,
        channel: Json,
        admin: bool = False,
        message: Json | None = None,
    ) -> Json:
        """Return an INTERACTION_CREATE payload from a member in a channel (or thread).

        In the bot's DM with a user (channel type 1) it is Discord's DM interaction.
        """
        if channel["type"] == DM:
            return self._dm_payload(kind, data, user=user, channel=channel, message=message)
        state = self.state
        guild_id = int(channel["guild_id"])
        member = state.member(user, guild_id, admin=admin)
        # Discord sends the member's and the app's permissions in the channel (overwrites too)
        member["permissions"] = str(state.permissions_in(channel, user, admin=admin))
        payload: Json = {
            "id": str(state.snowflake()),
            "application_id": str(state.app_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild_id),
            "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
            "channel_id": channel["id"],
            "channel": channel,
            "member": member,
            "token": f"itoken-{state.serial()}",
            "version": 1,
            "app_permissions": str(state.permissions_in(channel, state.bot_user)),
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

    def _dm_payload(
        self, kind: int, data: Json, *, user: Json, channel: Json, message: Json | None
    ) -> Json:
        """Return an interaction in the bot's DM with a user, as Discord sends it.

        No guild, no member: the user as `user`, no permissions of theirs, the
        app's DM permissions, context 1 (the bot's DM) and, for a guild-installed
        app, "0" as the authorizing guild. Only the DM's recipient sees its
        messages, so only they can press its buttons or answer from it.
        """
        recipient = channel["recipients"][0]
        if str(recipient["id"]) != str(user["id"]):
            raise ValueError("only a DM's recipient can interact in it")
        state = self.state
        payload: Json = {
            "id": str(state.snowflake()),
            "application_id": str(state.app_id),
            "type": kind,
            "data": data,
            "channel_id": channel["id"],
            "channel": {
                "id": channel["id"],
                "type": DM,
                "last_message_id": channel.get("last_message_id"),
                "flags": 0,
                "recipients": [user],
            },
            "user": user,
            "token": f"itoken-{state.serial()}",
            "version": 1,
            "app_permissions": str(DM_APP_PERMISSIONS),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
            "attachment_size_limit": 10_485_760,
        }
        if message is not None:
            payload["message"] = message
        return payload

    async def send(self, payload: Json) -> InteractionRecord:
        """Dispatch INTERACTION_CREATE and return its record (await `record.callback`)."""
        loop = asyncio.get_running_loop()
        record = InteractionRecord(
            int(payload["id"]), payload["token"], payload, loop.time(), loop.create_future()
        )
        self.records[record.id] = record
        self._by_token[record.token] = record
        record.sent_at = loop.time()
        # DM interactions come on shard 0, as Discord sends every DM event
        guild_id = int(payload.get("guild_id", 0))
        await self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id)
        return record

    def command_data(
        self, name: str, options: list[Json] | None = None, sub: str | None = None
    ) -> Json:
        """Return the data of a slash command interaction (`sub`: a subcommand's name)."""
        opts = options or []
        if sub is not None:
            opts = [{"type": 1, "name": sub, "options": opts}]
        return {"id": str(self.state.snowflake()), "name": name, "type": 1, "options": opts}

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
        payload = self.payload(
            2, self.command_data(name, opts, sub), user=user, channel=channel, admin=admin
        )
        record = await self.send(payload)
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
        channel = self.state.channels[int(message["channel_id"])]
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self.payload(3, data, user=user, channel=channel, admin=admin, message=message)
        record = await self.send(payload)
        await asyncio.wait_for(asyncio.shield(record.callback), within)
        return record

    async def submit_modal(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        user: Json,
        channel: Json,
        admin: bool = False,
        within: float = 5.0,
    ) -> InteractionRecord:
        """Submit a modal with text input values and wait for the callback."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
            for k, v in values.items()
        ]
        payload = self.payload(
            5, {"custom_id": custom_id, "components": rows}, user=user, channel=channel, admin=admin
        )
        record = await self.send(payload)
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
            records.append(await self.send(payload))
        await asyncio.wait([r.callback for r in records], timeout=30)
        return [r.latency if r.callback.done() else float("inf") for r in records]

    def forget_answered(self) -> None:
        """Forget the interactions the bot has answered (those still waiting stay)."""
        for record in [r for r in self.records.values() if r.callback.done()]:
            del self.records[record.id]
            self._by_token.pop(record.token, None)

    def cancel_waiting(self) -> None:
        """Cancel the callbacks still awaited (the server is stopping)."""
        for record in self.records.values():
            if not record.callback.done():
                record.callback.cancel()

    # -- the bot's answers (REST routes) -----------------------------------------------

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

    async def callback(self, interaction_id: int, token: str, *, body: Any) -> web.Response:
        """Answer `POST /interactions/{id}/{token}/callback`: the interaction's response."""
        record = self.records.get(interaction_id)
        if record is None or record.token != token:
            return error(404, 10062, "Unknown interaction")
        if record.callback.done():  # a modal after a deferral too: only the first counts
            return error(400, 40060, "Interaction has already been acknowledged.")
        now = asyncio.get_running_loop().time()
        if now - record.sent_at > INTERACTION_DEADLINE:
            return error(404, 10062, "Unknown interaction")
        kind = int(body["type"])
        data = body.get("data") or {}
        problem = response_problem(int(record.payload["type"]), kind, data)
        if problem is not None:
            return error(400, 50035, f"Invalid Form Body: {problem}")
        attachments = attach(body, data, self.state.files, self.state.snowflake)
        if isinstance(attachments, web.Response):
            return attachments
        if kind in (4, 5, 7):
            record.original = self.state.new_message(
                int(record.payload["channel_id"]),
                self.state.bot_user,
                data.get("content") or "",
                embeds=data.get("embeds"),
                components=data.get("components"),
                flags=data.get("flags", 0) | (128 if kind == 5 else 0),
            )
            record.original["attachments"] = attachments
        record.callback_at = now
        record.callback.set_result(body)
        return json_response(self._callback_response(record, kind, data))

    def _token_expired(self, record: InteractionRecord) -> web.Response | None:
        """Answer as Discord does once an interaction's token has expired (15 minutes)."""
        if asyncio.get_running_loop().time() - record.sent_at > INTERACTION_TOKEN_TTL:
            return error(401, 50027, "Invalid Webhook Token")
        return None

    async def followup(self, app_id: int, token: str, *, body: Any) -> web.Response:
        """Answer `POST /webhooks/{app}/{token}`: a followup message."""
        record = self._by_token.get(token)
        if record is None or not record.callback.done():
            return error(404, 10015, "Unknown Webhook")
        expired = self._token_expired(record)
        if expired is not None:
            return expired
        problem = message_problem(body or {})
        if problem is not None:
            return error(400, 50035, f"Invalid Form Body: {problem}")
        message = self.state.new_message(
            int(record.payload["channel_id"]),
            self.state.bot_user,
            body.get("content") or "",
            embeds=body.get("embeds"),
            components=body.get("components"),
            flags=body.get("flags", 0),
        )
        attachments = attach(body, body, self.state.files, self.state.snowflake)
        if isinstance(attachments, web.Response):
            return attachments
        message["attachments"] = attachments
        record.followups.append(message)
        return json_response(message)

    async def edit_webhook_message(
        self, app_id: int, token: str, which: str, *, body: Any
    ) -> web.Response:
        """Answer `PATCH /webhooks/{app}/{token}/messages/{id}`: edit the response or a followup."""
        record = self._by_token.get(token)
        if record is None or record.original is None:
            return error(404, 10008, "Unknown Message")
        expired = self._token_expired(record)
        if expired is not None:
            return expired
        target = (
            record.original
            if which == "@original"
            else next((m for m in record.followups if m["id"] == which), None)
        )
        if target is None:
            return error(404, 10008, "Unknown Message")
        problem = message_problem({**target, **(body or {})})
        if problem is not None:
            return error(400, 50035, f"Invalid Form Body: {problem}")
        if "attachments" in body:
            kept = target.get("attachments") or []
            attachments = attach(body, body, self.state.files, self.state.snowflake, kept)
            if isinstance(attachments, web.Response):
                return attachments
            target["attachments"] = attachments
        for key in ("content", "embeds", "components"):
            if key in body:
                target[key] = body[key]
        target["flags"] = target.get("flags", 0) & ~128  # no longer loading
        record.edits.append(body)
        return json_response(target)

    async def delete_webhook_message(
        self, app_id: int, token: str, which: str, *, body: Any
    ) -> web.Response:
        """Answer `DELETE /webhooks/{app}/{token}/messages/{id}`: delete the response."""
        record = self._by_token.get(token)
        if record is None or record.original is None:
            return error(404, 10008, "Unknown Message")
        expired = self._token_expired(record)
        if expired is not None:
            return expired
        record.deleted = True
        return web.Response(status=204)
