"""The loopback Discord's REST API: the routes studybot uses, each call recorded.

Login, application info, `GET /gateway/bot`, command registration (kept per
scope by `CommandStore`), messages (with Discord's size limits and enforced
nonces), threads started on messages, reactions, DMs (refused as Discord
refuses them: 50007 to a user whose DMs are closed, 10013 for an account gone),
and the interaction routes `Interactions` serves. A request is checked in
Discord's order: the token, injected failures, the global limit, the route's
bucket; each call the bot makes in a guild channel is checked against its
permissions there as Discord checks it (`permissions`: 50001 Missing Access,
50013 Missing Permissions, 50008 and 50024 for what a forum or voice channel
cannot do). It counts the answers Discord bans a bot for when there are too
many (401, 403, 429).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from loopback.discord.faults import Faults
from loopback.discord.gateway import Gateway
from loopback.discord.interactions import Interactions
from loopback.discord.members import Members
from loopback.discord.permissions import (
    ATTACH_FILES,
    EMBED_LINKS,
    READ_MESSAGE_HISTORY,
    refusal,
)
from loopback.discord.ratelimits import RateLimiter, exempt
from loopback.discord.responses import Json, answer, error, json_response, now_iso
from loopback.discord.rules import message_problem
from loopback.discord.state import State
from loopback.discord.uploads import UPLOADS, attach, multipart_body

_QUERY_HANDLERS = frozenset({"_get_my_guilds"})  # route handlers that read the query string


@dataclass
class RestCall:
    """One REST request the fake received, and how it answered."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float
    status: int = 0


class Rest:
    """The REST routes, the calls they received and the invalid requests among them."""

    def __init__(
        self,
        state: State,
        *,
        gateway: Gateway,
        limiter: RateLimiter,
        faults: Faults,
        members: Members,
        interactions: Interactions,
        max_concurrency: int,
        gateway_url: Callable[[], str],
    ) -> None:
        self.state = state
        self.gateway = gateway
        self.limiter = limiter
        self.faults = faults
        self.members = members
        self.interactions = interactions
        self.max_concurrency = max_concurrency
        self.gateway_url = gateway_url  # the gateway's URL, once the server listens
        self.calls: list[RestCall] = []
        # answers Discord counts toward its ban of 10,000 invalid requests in 10 minutes:
        # 401, 403 and 429 (but a 429 of a shared bucket's scope)
        self.invalid_requests = 0
        self.list_limit = 50  # GET /channels/{id}/messages answers this many (newest first)
        self.announce_threads = True  # dispatch THREAD_CREATE (off: the bot must look threads up)

    def calls_to(self, method: str, pattern: str) -> list[RestCall]:
        """Return the recorded calls whose method matches and whose path matches a regex."""
        rx = re.compile(pattern)
        return [c for c in self.calls if c.method == method and rx.fullmatch(c.path)]

    async def handle(self, request: web.Request) -> web.Response:
        """Serve one REST request (`/api/v10/...`): record it, check it, route it."""
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            if request.content_type.startswith("multipart/"):
                body = await multipart_body(request)  # files: payload_json and files[n]
            else:
                raw = await request.read()
                if request.content_type == "application/json":
                    body = json.loads(raw or b"null")
        loop = asyncio.get_running_loop()
        now = loop.time()
        call = RestCall(request.method, path, dict(request.query), body, now)
        self.calls.append(call)
        await self.faults.delay(request.method, path)
        response: web.Response | None
        if request.headers.get("Authorization") != f"Bot {self.state.token}" and not exempt(path):
            response = error(401, 0, "401: Unauthorized")
        else:
            limiter = self.limiter
            response = self.faults.injected(request.method, path) or limiter.global_refusal(
                request.method, path, now
            )
            if response is None:
                headers, over = limiter.route_headers(request.method, path, now)
                if over:
                    response = limiter.route_refusal(headers)
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
        return error(404, 0, f"404: no route {method} {path}")

    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Any]]]:
        r = re.compile
        interactions = self.interactions
        return [
            ("GET", r(r"/users/@me"), self._get_me),
            ("GET", r(r"/oauth2/applications/@me"), self._get_application),
            ("GET", r(r"/gateway/bot"), self._get_gateway_bot),
            ("GET", r(r"/users/@me/guilds"), self._get_my_guilds),
            ("GET", r(r"/applications/(\d+)/commands"), self._get_global_commands),
            ("GET", r(r"/applications/(\d+)/guilds/(\d+)/commands"), self._get_guild_commands),
            ("PUT", r(r"/applications/(\d+)/commands"), self._put_global_commands),
            ("PUT", r(r"/applications/(\d+)/guilds/(\d+)/commands"), self._put_guild_commands),
            ("POST", r(r"/interactions/(\d+)/([^/]+)/callback"), interactions.callback),
            ("POST", r(r"/webhooks/(\d+)/([^/]+)"), interactions.followup),
            (
                "PATCH",
                r(r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)"),
                interactions.edit_webhook_message,
            ),
            (
                "DELETE",
                r(r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)"),
                interactions.delete_webhook_message,
            ),
            ("GET", r(r"/channels/(\d+)"), self._get_channel),
            ("GET", r(r"/channels/(\d+)/messages"), self._list_messages),
            ("POST", r(r"/channels/(\d+)/messages"), self._post_message),
            ("PATCH", r(r"/channels/(\d+)/messages/(\d+)"), self._edit_message),
            ("DELETE", r(r"/channels/(\d+)/messages/(\d+)"), self._delete_message),
            ("POST", r(r"/channels/(\d+)/messages/(\d+)/threads"), self._start_thread),
            ("PUT", r(r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me"), self._add_reaction),
            ("POST", r(r"/users/@me/channels"), self._open_dm),
        ]

    def _refused(self, action: str, channel: Json, **details: Any) -> web.Response | None:
        """Answer as Discord does when the bot may not do `action` in a guild channel."""
        if not channel.get("guild_id"):
            return None
        permissions = self.state.permissions_in(channel, self.state.bot_user)
        problem = refusal(action, channel, permissions, **details)
        return None if problem is None else error(*problem)

    # -- the application ----------------------------------------------------------------

    async def _get_me(self, *, body: Any) -> web.Response:
        return json_response(self.state.bot_user)

    async def _get_application(self, *, body: Any) -> web.Response:
        return json_response(
            {
                "id": str(self.state.app_id),
                "name": "studybot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.state.user("owner"),
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _get_gateway_bot(self, *, body: Any) -> web.Response:
        return json_response(
            {
                "url": self.gateway_url(),
                "shards": self.state.shard_count,
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
        guilds = self.state.guilds
        ids = sorted(gid for gid in guilds if gid > after)[:limit]
        partial = [
            {
                "id": str(gid),
                "name": guilds[gid]["name"],
                "icon": None,
                "owner": False,
                "permissions": str(self.state.bot_permissions(gid)),
                "features": [],
            }
            for gid in ids
        ]
        return json_response(partial)

    async def _get_global_commands(self, app_id: int, *, body: Any) -> web.Response:
        return answer(self.state.command_store.get(app_id, None))

    async def _get_guild_commands(self, app_id: int, guild_id: int, *, body: Any) -> web.Response:
        return answer(self.state.command_store.get(app_id, guild_id))

    async def _put_global_commands(self, app_id: int, *, body: Any) -> web.Response:
        return answer(self.state.command_store.put(app_id, None, body))

    async def _put_guild_commands(self, app_id: int, guild_id: int, *, body: Any) -> web.Response:
        return answer(self.state.command_store.put(app_id, guild_id, body))

    # -- channels and messages -------------------------------------------------------

    async def _get_channel(self, channel_id: int, *, body: Any) -> web.Response:
        channel = self.state.channels.get(channel_id)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        return self._refused("view", channel) or json_response(channel)

    async def _list_messages(self, channel_id: int, *, body: Any) -> web.Response:
        state = self.state
        channel = state.channels.get(channel_id)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        refused = self._refused("view", channel)
        if refused is not None:
            return refused
        bot = state.bot_user
        if (
            channel.get("guild_id")
            and not state.permissions_in(channel, bot) & READ_MESSAGE_HISTORY
        ):
            return json_response([])  # as Discord: no history, no messages (not an error)
        newest_first = sorted(state.messages_in(channel_id), key=lambda m: -int(m["id"]))
        return json_response(newest_first[: self.list_limit])

    async def _post_message(self, channel_id: int, *, body: Any) -> web.Response:
        state = self.state
        channel = state.channels.get(channel_id)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        if channel["type"] == 1 and int(channel["recipients"][0]["id"]) in state.closed_dms:
            return error(403, 50007, "Cannot send messages to this user")
        body = body or {}
        refused = self._refused(
            "post",
            channel,
            reply=bool(body.get("message_reference")),
            embeds_only=bool(body.get("embeds")) and not body.get("content"),
        )
        if refused is not None:
            return refused
        shown = state.permissions_in(channel, state.bot_user) if channel.get("guild_id") else -1
        if body.get("embeds") and not shown & EMBED_LINKS:
            body = {**body, "embeds": []}  # with text, Discord drops embeds it may not show
        problem = message_problem(body)
        if problem is not None:
            return error(400, 50035, f"Invalid Form Body: {problem}")
        if body.get(UPLOADS) and not shown & ATTACH_FILES:
            return error(403, 50013, "Missing Permissions")
        attachments = attach(body, body, state.files, state.snowflake)
        if isinstance(attachments, web.Response):
            return attachments
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce"):
            existing = state.nonces.get((channel_id, str(nonce)))
            if existing is not None:
                return json_response(state.messages[existing])
        reference = None
        if body.get("message_reference"):
            reference = {**body["message_reference"], "channel_id": str(channel_id)}
        message = state.new_message(
            channel_id,
            state.bot_user,
            body.get("content") or "",
            embeds=body.get("embeds"),
            components=body.get("components"),
            reference=reference,
        )
        message["attachments"] = attachments
        if body.get("allowed_mentions") is not None:
            message["allowed_mentions"] = body["allowed_mentions"]
        state.messages[int(message["id"])] = message
        if nonce:
            state.nonces[(channel_id, str(nonce))] = int(message["id"])
        if channel.get("guild_id"):
            await self.gateway.dispatch("MESSAGE_CREATE", message, int(channel["guild_id"]))
        return json_response(message)

    def _seen_message(self, channel_id: int, message_id: int) -> Json | web.Response:
        """Return a message of a channel the bot can view, or Discord's refusal."""
        message = self.state.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            return error(404, 10008, "Unknown Message")
        refused = self._refused("view", self.state.channels[channel_id])
        return message if refused is None else refused

    async def _edit_message(self, channel_id: int, message_id: int, *, body: Any) -> web.Response:
        message = self._seen_message(channel_id, message_id)
        if isinstance(message, web.Response):
            return message
        problem = message_problem({**message, **(body or {})})
        if problem is not None:
            return error(400, 50035, f"Invalid Form Body: {problem}")
        for key in ("content", "embeds", "components"):
            if key in (body or {}):
                message[key] = body[key]
        message["edited_timestamp"] = now_iso()
        return json_response(message)

    async def _delete_message(self, channel_id: int, message_id: int, *, body: Any) -> web.Response:
        """Delete one of the bot's own messages (others' need Manage Messages: refused)."""
        message = self._seen_message(channel_id, message_id)
        if isinstance(message, web.Response):
            return message
        if str(message["author"]["id"]) != str(self.state.bot_user["id"]):
            return error(403, 50013, "Missing Permissions")
        del self.state.messages[message_id]
        return web.Response(status=204)

    async def _start_thread(self, channel_id: int, message_id: int, *, body: Any) -> web.Response:
        state = self.state
        message = state.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            return error(404, 10008, "Unknown Message")
        parent = state.channels[channel_id]
        refused = self._refused("thread", parent)
        if refused is not None:
            return refused
        if message_id in state.thread_ids:
            return error(400, 160004, "A thread has already been created for this message")
        if not 1 <= len(body.get("name") or "") <= 100:
            return error(400, 50035, "Invalid Form Body: name: Must be between 1 and 100")
        thread = state.thread_payload(
            message_id,
            parent,
            body["name"],
            state.app_id,
            auto_archive=body.get("auto_archive_duration", 1440),
        )
        state.channels[message_id] = thread
        state.thread_ids[message_id] = message_id
        guild_id = int(parent["guild_id"])
        state.guilds[guild_id]["threads"].append(thread)
        if self.announce_threads:
            thread_create = {**thread, "newly_created": True}
            await self.gateway.dispatch("THREAD_CREATE", thread_create, guild_id)
        return json_response(thread, 201)

    async def _add_reaction(
        self, channel_id: int, message_id: int, emoji: str, *, body: Any
    ) -> web.Response:
        state = self.state
        message = state.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            return error(404, 10008, "Unknown Message")
        name = unquote(emoji)
        custom = re.fullmatch(r"(\w+):(\d+)", name)
        key = name if custom is None else custom[2]
        new_emoji = not any(r[0] == message_id and r[2] == key for r in state.reacted)
        refused = self._refused("react", state.channels[channel_id], new_emoji=new_emoji)
        if refused is not None:
            return refused
        state.reactions.append((channel_id, message_id, name))
        await self.members.toggle_reaction(
            message,
            state.bot_user,
            name if custom is None else custom[1],
            int(custom[2]) if custom else None,
            added=True,
            admin=True,
        )
        return web.Response(status=204)

    async def _open_dm(self, *, body: Any) -> web.Response:
        recipient = int(body["recipient_id"])
        if recipient in self.state.gone_users:
            return error(404, 10013, "Unknown User")
        return json_response(self.state.dm_channel(recipient))
