"""Wiring the core into a slack-bolt AsyncApp: listeners, ack-then-work, delivering replies.

Every listener acknowledges Slack at once and does the work in a background
task it keeps track of (so a slow database never makes Slack wait past its 3
seconds, and closing waits for work under way). A modal submission is the one
exception: it waits up to two seconds for the core, so that a refused answer
is shown in the still-open modal and nothing the member typed is lost.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Coroutine, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import events
from adapters.slack.chat import SlackChat, slack_error
from adapters.slack.home import render_home
from adapters.slack.render import (
    FormContext,
    SlackMessage,
    modal_errors,
    reaction_name,
    render_message,
    render_modal,
)
from bot.core import Core
from bot.deliveries import DeliveryLog
from bot.model import ChannelRef, MemberRef
from bot.ports import Event
from bot.replies import Reply, Visibility

__all__ = ["Background", "SlackBot", "UserDirectory", "build_bolt_app"]

log = logging.getLogger(__name__)

_FORM_WAIT = 2.0  # seconds a modal submission waits for the core before closing the modal
_USER_TTL = 300.0  # seconds a member's name and admin right are cached
_WORKERS = 4  # pieces of work after acks that run at once


class Background:
    """Work started after an ack: tracked, so that closing can wait for it, and bounded.

    At most `limit` pieces of work run at once; the rest wait their turn
    without taking the event loop from new requests, whose acks stay prompt
    even when the work falls behind.
    """

    def __init__(self, limit: int = _WORKERS) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(limit)
        self._latest: dict[Hashable, asyncio.Task[None]] = {}  # per key, the last spawned

    def spawn(self, work: Coroutine[Any, Any, None], name: str, key: Hashable = None) -> None:
        """Run `work` in the background, logging (not losing) a failure.

        Work spawned with the same `key` (a message: its post, edit, deletion and
        reactions) runs one piece after the other, in the order spawned.
        """
        previous = self._latest.get(key) if key is not None else None
        task = asyncio.create_task(self._guard(work, name, previous), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if key is not None:
            self._latest[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))

    def _forget(self, key: Hashable, done: asyncio.Task[None]) -> None:
        if self._latest.get(key) is done:
            del self._latest[key]

    async def _guard(
        self, work: Coroutine[Any, Any, None], name: str, previous: asyncio.Task[None] | None
    ) -> None:
        if previous is not None:  # its end is what matters: a failure of its own was logged
            await asyncio.wait([previous])
        async with self._slots:
            try:
                await work
            except Exception:
                log.exception("slack: %s failed", name)

    async def drain(self) -> None:
        """Wait until every task started so far (and those they start) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


class UserDirectory:
    """Members' names and admin rights from users.info, cached for a few minutes."""

    def __init__(self, client: AsyncWebClient, ttl: float = _USER_TTL) -> None:
        self._client = client
        self._ttl = ttl
        self._cache: dict[str, tuple[float, events.UserInfo]] = {}

    async def member(self, user_id: str) -> MemberRef:
        """Return the core's view of a member (looked up at most once per few minutes)."""
        now = time.monotonic()
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > now:
            return events.member(user_id, cached[1])
        try:
            response = await self._client.users_info(user=user_id)
            info = events.user_info(response["user"])
        except SlackApiError as exc:
            log.warning("users.info for %s failed: %s", user_id, slack_error(exc))
            return events.member(user_id, events.UserInfo(user_id, False))
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[user_id] = (now + self._ttl, info)
        return events.member(user_id, info)


@dataclass(frozen=True, slots=True)
class _Origin:
    """Where an event came from, to show the core's replies there."""

    place: ChannelRef
    user_id: str
    trigger_id: str | None = None
    message_ts: str | None = None  # the member's message, for a reaction
    response_url: str | None = None  # where a command's or a button's replies go


class SlackBot:
    """The listeners that turn Slack requests into core events and show the core's replies."""

    def __init__(
        self,
        core: Core,
        deliveries: DeliveryLog,
        chat: SlackChat,
        client: AsyncWebClient,
        session: aiohttp.ClientSession,
    ) -> None:
        self._core = core
        self._deliveries = deliveries  # Slack's retries, recognised by every replica
        self._chat = chat
        self._client = client
        self._session = session  # pooled connections for response_url posts
        self.users = UserDirectory(client)
        self.background = Background()

    def register(self, app: AsyncApp) -> None:
        """Add the listeners to a bolt app: every slash command, buttons, modals, events.

        One listener takes every slash command (bolt tries listeners one by one,
        building their arguments for each; one pattern keeps that to one try).
        """
        names = "|".join(re.escape(name) for name in events.slash_commands())
        app.command(re.compile(rf"^/(?:{names})$"))(self._on_command)
        app.action(re.compile(r".+"))(self._on_action)
        app.view_submission(re.compile(r".+"))(self._on_view)
        app.event("message")(self._on_message)
        app.event("reaction_added")(self._on_reaction)
        app.event("reaction_removed")(self._on_reaction)
        app.event("app_home_opened")(self._on_home)

    # -- listeners ---------------------------------------------------------------

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self.background.spawn(self._command(body), f"command {body.get('command')}")

    async def _command(self, body: Mapping[str, Any]) -> None:
        user_id = str(body.get("user_id", ""))
        place = events.channel(str(body.get("team_id", "")), str(body.get("channel_id", "")))
        actor = await self.users.member(user_id)
        event = events.invocation(
            str(body.get("command", "")), str(body.get("text", "")), actor, place
        )
        origin = _Origin(
            place, user_id, trigger_id=body.get("trigger_id"), response_url=body.get("response_url")
        )
        await self._run(event, origin)

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        self.background.spawn(self._action(body, action), "button")

    async def _action(self, body: Mapping[str, Any], action: Mapping[str, Any]) -> None:
        user_id = events.button_user(body)
        actor = await self.users.member(user_id)
        press = events.button_press(body, action, actor)
        origin = _Origin(
            press.place,
            user_id,
            trigger_id=body.get("trigger_id"),
            response_url=body.get("response_url"),
        )
        await self._run(press, origin)

    async def _on_view(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        user_id = events.button_user(body)
        actor = await self.users.member(user_id)
        submit = events.form_submit(body, actor)
        if submit is None:
            await ack()
            return
        work = asyncio.create_task(self._core.handle(submit))
        done, _ = await asyncio.wait({work}, timeout=_FORM_WAIT)
        origin = _Origin(submit.place, user_id)
        if not done:
            await ack()
            self.background.spawn(self._deliver_later(work, origin), "form")
            return
        replies = work.result()
        block = events.first_input_block(body)
        if len(replies) == 1 and replies[0].is_error and block is not None:
            await ack(response_action="errors", errors=modal_errors(replies[0], block))
            return
        await ack()
        self.background.spawn(self._deliver(replies, origin), "form")

    async def _deliver_later(self, work: asyncio.Task[list[Reply]], origin: _Origin) -> None:
        await self._deliver(await work, origin)

    async def _first_delivery(self, delivery: str) -> bool:
        """Tell whether an event is new, not a retry that this or another replica handled."""
        if await self._deliveries.first(delivery):
            return True
        log.info("slack: event %s retried; handled already", delivery)
        return False

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        action = events.thread_message(event, str(body.get("team_id", "")))
        if action is not None:
            key = (action.place.channel_id, action.message_ts)
            work = self._thread_message(action, events.delivery_key(body))
            self.background.spawn(work, "message", key)

    async def _thread_message(self, action: events.MessageAction, delivery: str) -> None:
        # Checked in the message's turn, so a retry of an edit is told apart in order.
        if not await self._first_delivery(delivery):
            return
        actor = await self.users.member(action.user_id)
        origin = _Origin(action.place, action.user_id, message_ts=action.message_ts)
        await self._run(action.event(actor), origin)

    async def _on_reaction(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        # bolt ignores the bot's own events already; the translation says so again.
        action = events.reaction(event, str(body.get("team_id", "")), context.bot_user_id)
        if action is not None:
            key = (action.place.channel_id, action.message_ts)
            work = self._reaction(action, events.delivery_key(body))
            self.background.spawn(work, "reaction", key)

    async def _reaction(self, action: events.ReactionAction, delivery: str) -> None:
        if not await self._first_delivery(delivery):
            return
        actor = await self.users.member(action.user_id)
        await self._run(action.event(actor), _Origin(action.place, action.user_id))

    async def _on_home(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        opened = events.home_opened(event, str(body.get("team_id", "")))
        if opened is not None:
            self.background.spawn(self._home(opened), "home")

    async def _home(self, opened: events.HomeOpened) -> None:
        actor = await self.users.member(opened.user_id)
        overview = await self._core.member_overview(actor, opened.team_id)
        view = render_home(overview)
        await self._client.views_publish(user_id=opened.user_id, view=view)

    # -- replies ----------------------------------------------------------------

    async def _run(self, event: Event, origin: _Origin) -> None:
        await self._deliver(await self._core.handle(event), origin)

    async def _deliver(self, replies: Sequence[Reply], origin: _Origin) -> None:
        for reply in replies:
            try:
                await self._show(reply, origin)
            except SlackApiError as exc:
                log.warning("slack: could not show a reply: %s", slack_error(exc))

    async def _show(self, reply: Reply, origin: _Origin) -> None:
        if reply.form is not None and origin.trigger_id:
            context = FormContext(
                origin.place.workspace_id,
                origin.place.channel_id,
                origin.place.thread_id,
                reply.form.value,
            )
            view = render_modal(reply.form, reply.text, context)
            await self._client.views_open(trigger_id=origin.trigger_id, view=view)
            return
        if reply.visibility is Visibility.PRIVATE:
            await self._show_private(reply, origin)
        elif reply.visibility is Visibility.THREAD and origin.place.thread_id is not None:
            await self._chat.post(origin.place, reply)
        elif origin.response_url is not None and origin.place.thread_id is None:
            for message in render_message(reply):
                await self._respond(origin.response_url, message, "in_channel")
        else:
            await self._chat.post(origin.place.channel(), reply)

    async def _show_private(self, reply: Reply, origin: _Origin) -> None:
        emoji = reaction_name(reply.reaction) if reply.reaction else None
        if (
            emoji is not None
            and origin.message_ts is not None
            and not reply.is_error
            and not reply.title
            and not reply.fields
        ):
            await self._react(origin.place, origin.message_ts, emoji)
            return
        for message in render_message(reply):
            if origin.response_url is not None:
                await self._respond(origin.response_url, message, "ephemeral")
                continue
            try:
                await self._client.chat_postEphemeral(
                    channel=origin.place.channel_id,
                    user=origin.user_id,
                    thread_ts=origin.place.thread_id,
                    text=message.text,
                    blocks=list(message.blocks),
                    link_names=False,
                    parse="none",
                )
            except SlackApiError as exc:
                if slack_error(exc) not in ("not_in_channel", "channel_not_found"):
                    raise
                await self._chat.send_private(MemberRef(events.PLATFORM, origin.user_id, ""), reply)
                return

    async def _respond(self, url: str, message: SlackMessage, response_type: str) -> None:
        """Post a reply to a command's or a button's response_url (pooled connections)."""
        payload = {
            "text": message.text,
            "blocks": list(message.blocks),
            "response_type": response_type,
            "replace_original": False,
        }
        async with self._session.post(url, json=payload) as response:
            if response.status != 200:
                body = await response.text()
                log.warning("slack: response_url answered %s: %s", response.status, body[:200])

    async def _react(self, place: ChannelRef, message_ts: str, emoji: str) -> None:
        try:
            await self._client.reactions_add(
                channel=place.channel_id, timestamp=message_ts, name=emoji
            )
        except SlackApiError as exc:
            if slack_error(exc) != "already_reacted":
                raise


def build_bolt_app(
    client: AsyncWebClient, signing_secret: str | None, socket_mode: bool
) -> AsyncApp:
    """Return a bolt app on `client`; requests are verified unless they come over Socket Mode.

    Listeners run before the response (`process_before_response`): each one
    acks first and leaves the work to a background task, so the ack goes out
    as soon as the listener returns instead of on bolt's 10 ms polling.
    """
    return AsyncApp(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=not socket_mode,
        process_before_response=True,
        logger=logging.getLogger("adapters.slack.bolt"),
    )
