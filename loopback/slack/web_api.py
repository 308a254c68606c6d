"""The loopback Slack's Web API and response_url posts, answered with Slack's shapes.

The methods the adapter uses (`auth.test`, `chat.*`, `views.*`, `users.info`,
`reactions.add`, `apps.connections.open`, `conversations.history`,
`.replies`, `.info` and `.open`, and the file uploads of `loopback.slack.files`),
each call recorded. A post to a member's id goes to
the app's direct messages with them (an IM, `dm_channel`), as Slack posts it,
or is refused with the error a member the app may not DM brings (`refuse_dms`);
an ephemeral message in an IM only reaches its member. A post in a channel the
bot is not in, cannot see or that is archived is refused as Slack refuses it.
It answers 429 with Retry-After on demand (`fail_next`) or by enforcing
chat.postMessage's limits (`post_limits`), `invalid_blocks` for Block Kit Slack
would refuse, and refuses a trigger_id used twice or too late, and a
response_url after 30 minutes or 5 posts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from loopback.slack.blocks import block_kit_errors, blocks_too_long
from loopback.slack.files import FileUploads
from loopback.slack.ratelimits import PostLimits
from loopback.slack.state import (
    BOT_ID,
    BOT_USER,
    TEAM,
    Call,
    SlackState,
    dm_channel,
    is_member_id,
)
from loopback.slack.triggers import TRIGGER_LIFETIME, trigger_issued

RESPONSE_URL_TTL = 30 * 60.0  # seconds a response_url takes posts ...
RESPONSE_URL_POSTS = 5  # ... and how many
_JSON_FIELDS = ("blocks", "view", "metadata", "attachments", "files")


class WebApi:
    """The Web API methods and response_url posts, with the limits and failures asked for."""

    def __init__(
        self,
        state: SlackState,
        *,
        socket_url: Callable[[], str],
        base_url: Callable[[], str] = lambda: "",
    ) -> None:
        self.state = state
        self.socket_url = socket_url  # what apps.connections.open answers
        self.base_url = base_url  # this server's, for the upload URLs files.* hand out
        self.uploads = FileUploads(state)
        self.post_limits: PostLimits | None = None
        self._failures: dict[str, list[int]] = defaultdict(list)  # method -> Retry-After list
        self.delays: dict[str, float] = {}  # method -> seconds before it answers (`slow`)
        self.response_url_ttl = RESPONSE_URL_TTL
        self._hooks: dict[str, float] = {}  # response_url hook -> when it was issued
        self._exchanged: set[str] = set()  # trigger_ids that opened a modal

    def fail_next(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """Answer the next `times` calls of `method` with 429 and `Retry-After`."""
        self._failures[method].extend([retry_after] * times)

    def slow(self, method: str, seconds: float) -> None:
        """Answer `method` only after `seconds` (as a loaded Slack does), from now on."""
        self.delays[method] = seconds

    def issue_hook(self, hook: str) -> None:
        """Note when a response_url hook was issued (its 30 minutes start then)."""
        self._hooks.setdefault(hook, time.monotonic())

    # -- the Web API -----------------------------------------------------------------

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

    async def handle(self, request: web.Request) -> web.Response:
        """Serve one Web API call (`/api/{method}`)."""
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
            self.state.rejected.append(call)
            self.state.record(call)
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        if errors := block_kit_errors(args):
            self.state.record(Call(method, args, token, now, error="invalid_blocks"))
            return web.json_response({"ok": False, "error": "invalid_blocks", "errors": errors})
        if blocks_too_long(method, args):
            self.state.record(Call(method, args, token, now, error="msg_blocks_too_long"))
            return web.json_response({"ok": False, "error": "msg_blocks_too_long"})
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        body = self._answer(method, args)
        error = None if body.get("ok") else str(body.get("error"))
        self.state.record(Call(method, args, token, now, error=error))
        return web.json_response(body)

    def _answer(self, method: str, args: Mapping[str, Any]) -> dict[str, Any]:
        state = self.state
        channel = str(args.get("channel", ""))
        match method:
            case "auth.test":
                return _auth_test()
            case "chat.postMessage":
                return self._chat_post(channel, args)
            case "conversations.info":
                return self._channel_info(channel)
            case "chat.postEphemeral":
                if channel.startswith("D") and channel != dm_channel(str(args.get("user"))):
                    return {"ok": False, "error": "user_not_in_channel"}  # another's DM
                if refusal := state.channel_refusal(channel):
                    return {"ok": False, "error": refusal}
                return {"ok": True, "message_ts": state.new_ts()}
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
                return self._open_view(args)
            case "views.update":
                return self._update_view(args)
            case "views.publish":
                return {"ok": True, "view": {"id": f"V{state.serial()}", **dict(args)}}
            case "users.info":
                user = state.users.get(str(args.get("user")))
                if user is None:
                    return {"ok": False, "error": "user_not_found"}
                return {"ok": True, "user": user}
            case "reactions.add":
                key = (channel, str(args.get("timestamp")), str(args.get("name")))
                if key in state.reactions:
                    return {"ok": False, "error": "already_reacted"}
                state.reactions.add(key)
                return {"ok": True}
            case "apps.connections.open":
                return {"ok": True, "url": self.socket_url()}
            case "conversations.history" | "conversations.replies":
                return self._history(method, channel, args)
            case "conversations.open":
                users = str(args.get("users", ""))
                if users not in state.users:
                    return {"ok": False, "error": "user_not_found"}
                return {"ok": True, "channel": {"id": dm_channel(users)}}
            case "files.getUploadURLExternal":
                return self.uploads.get_upload_url(dict(args), self.base_url())
            case "files.completeUploadExternal":
                return self.uploads.complete(dict(args))
        return {"ok": False, "error": "unknown_method"}

    def _chat_post(self, channel: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """Answer chat.postMessage: to a channel, or to a member's id (the app's DM with them)."""
        if is_member_id(channel):
            if refused := self.state.refused_dms.get(channel):
                return {"ok": False, "error": refused}
            channel = dm_channel(channel)
        if refusal := self.state.channel_refusal(channel):
            return {"ok": False, "error": refusal}
        return self._post_message(channel, args)

    def _post_message(self, channel: str, args: Mapping[str, Any]) -> dict[str, Any]:
        ts = self.state.new_ts()
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
        self.state.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _channel_info(self, channel: str) -> dict[str, Any]:
        state = self.state
        if channel in state.hidden:
            return {"ok": False, "error": "channel_not_found"}
        info = {
            "id": channel,
            "is_channel": True,
            "is_member": channel not in state.uninvited,
            "is_archived": channel in state.archived,
        }
        return {"ok": True, "channel": info}

    def _open_view(self, args: Mapping[str, Any]) -> dict[str, Any]:
        state = self.state
        refused = self._exchange(str(args.get("trigger_id") or ""))
        if refused is not None:
            return {"ok": False, "error": refused}
        view = {"id": f"V{state.serial()}", "hash": f"h{state.serial()}"}
        state.views[view["id"]] = view | dict(args.get("view") or {})
        state.opened.append(view["id"])
        return {"ok": True, "view": state.views[view["id"]]}

    def _update_view(self, args: Mapping[str, Any]) -> dict[str, Any]:
        views = self.state.views
        view_id = str(args.get("view_id") or "")
        if view_id not in views:
            return {"ok": False, "error": "not_found"}
        views[view_id] = {"id": view_id, "hash": f"h{self.state.serial()}"} | dict(
            args.get("view") or {}
        )
        return {"ok": True, "view": views[view_id]}

    def _history(self, method: str, channel: str, args: Mapping[str, Any]) -> dict[str, Any]:
        found = self.state.messages.get(channel, [])
        if method == "conversations.replies":
            parent = args.get("ts")
            found = [m for m in found if parent in (m["ts"], m.get("thread_ts"))]
        else:
            found = [m for m in found if m.get("thread_ts") is None]
        return {"ok": True, "messages": list(reversed(found)), "has_more": False}

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

    # -- response_url ----------------------------------------------------------------

    def _response_url_refusal(self, hook: str) -> str | None:
        """Return why Slack refuses one more post to a response_url (None if it takes it)."""
        issued = self._hooks.setdefault(hook, time.monotonic())
        if time.monotonic() - issued > self.response_url_ttl:
            return "expired_url"
        taken = sum(1 for c in self.state.of("response_url") if c.token == hook)
        return "used_url" if taken >= RESPONSE_URL_POSTS else None

    async def handle_response_url(self, request: web.Request) -> web.Response:
        """Serve one post to a response_url (`/response/{hook}`)."""
        args = await request.json()
        hook = request.match_info["hook"]
        refused = self._response_url_refusal(hook)
        if refused is not None:  # Slack answers 404 with the reason as text
            call = Call("response_url", dict(args), hook, time.monotonic(), 404, refused)
            self.state.record(call)
            return web.Response(status=404, text=refused)
        errors = block_kit_errors(args)
        status = 400 if errors else 200  # as Slack's webhooks answer invalid blocks
        error = "invalid_blocks" if errors else None
        self.state.record(Call("response_url", dict(args), hook, time.monotonic(), status, error))
        if errors:
            body = {"ok": False, "error": "invalid_blocks", "errors": errors}
            return web.json_response(body, status=status)
        return web.Response(text="ok")


def _auth_test() -> dict[str, Any]:
    return {
        "ok": True,
        "url": "https://fake.slack.test/",
        "team": "Fake team",
        "team_id": TEAM,
        "user": "studybot",
        "user_id": BOT_USER,
        "bot_id": BOT_ID,
    }
