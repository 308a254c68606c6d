"""Wiring the core into a slack-bolt AsyncApp: listeners, ack-then-work, delivering replies.

Every listener acknowledges Slack at once and does the work in a background
task it keeps track of (so a slow database never makes Slack wait past its 3
seconds, and closing waits for work under way). That work runs in a few
worker slots; whatever only waits (a users.info lookup, a 429's Retry-After,
the pacer's turn) lets its slot go meanwhile (`adapters.slack.chat.waiting`).

Two things cannot wait for a slot, nor for users.info:

- A modal. A `trigger_id` opens one within 3 seconds, once. A button or
  command whose answer is a form (`_form_at_once`) opens its modal straight
  from the listener, before the core is asked; the core's answer then fills
  it in (`views.update`) if it differs: its own form, or why there is none.
- A modal submission. It waits at most two seconds in all (users.info and the
  core) so that a refused answer is shown in the still-open modal and nothing
  the member typed is lost; past that the modal closes and the core's answer
  follows as a message.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Coroutine, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import events
from adapters.slack.chat import SlackChat, WorkerSlot, slack_error, waiting
from adapters.slack.home import render_home
from adapters.slack.render import (
    MAX_MODAL_BLOCKS,
    FormContext,
    SlackMessage,
    modal_errors,
    reaction_name,
    render_message,
    render_modal,
)
from bot import messages
from bot.core import Core
from bot.deliveries import DeliveryLog
from bot.model import ChannelRef, MemberRef
from bot.ports import Event
from bot.replies import Form, Reply, Visibility

__all__ = ["Background", "SlackBot", "UserDirectory", "build_bolt_app"]

log = logging.getLogger(__name__)

_FORM_WAIT = 2.0  # seconds a modal submission waits (users.info and the core) before closing
_USER_TTL = 300.0  # seconds a member's name and admin right are cached
_WORKERS = 4  # pieces of work after acks that run at once
_T = TypeVar("_T")
# What a modal shows until the core's answer fills it in.
_LOADING = Reply(text="Getting your form ready…")
# Shown privately when Slack did not open a modal (a trigger_id is good for 3 s).
_NOT_OPENED = messages.error(
    "Slack did not open the form in time. Please press the button (or send the command) again."
)
_MODAL_TITLE = "studybot"


class Background:
    """Work started after an ack: tracked, so that closing can wait for it, and bounded.

    At most `limit` pieces of work run at once; the rest wait their turn
    without taking the event loop from new requests, whose acks stay prompt
    even when the work falls behind. A piece that only waits (`chat.waiting`)
    gives its slot to the next meanwhile.
    """

    def __init__(self, limit: int = _WORKERS) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._slots = asyncio.Semaphore(limit)
        self._latest: dict[Hashable, asyncio.Task[None]] = {}  # per key, the last spawned

    def spawn(self, work: Coroutine[Any, Any, None], name: str, key: Hashable = None) -> None:
        """Run `work` in the background, in a worker slot, logging (not losing) a failure.

        Work spawned with the same `key` (a message: its post, edit, deletion and
        reactions) runs one piece after the other, in the order spawned.
        """
        previous = self._latest.get(key) if key is not None else None
        task = self._track(self._guard(work, name, previous), name)
        if key is not None:
            self._latest[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))

    def start(self, work: Coroutine[Any, Any, _T], name: str) -> asyncio.Task[_T]:
        """Run `work` at once, without waiting for a slot (it must not wait for one); tracked."""
        return self._track(work, name)

    def _track(self, work: Coroutine[Any, Any, _T], name: str) -> asyncio.Task[_T]:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _forget(self, key: Hashable, done: asyncio.Task[None]) -> None:
        if self._latest.get(key) is done:
            del self._latest[key]

    async def _guard(
        self, work: Coroutine[Any, Any, None], name: str, previous: asyncio.Task[None] | None
    ) -> None:
        if previous is not None:  # its end is what matters: a failure of its own was logged
            await asyncio.wait([previous])
        async with WorkerSlot(self._slots):
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

    async def member(self, user_id: str, workspace_id: str | None = None) -> MemberRef:
        """Return the core's view of a member (looked up at most once per few minutes).

        With `workspace_id`, the member manages only if they administer that
        workspace (not their own, in a Slack Connect channel).
        """
        now = time.monotonic()
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > now:
            return events.member(user_id, cached[1], workspace_id)
        try:
            response = await self._client.users_info(user=user_id)
            info = events.user_info(response["user"])
        except SlackApiError as exc:
            log.warning("users.info for %s failed: %s", user_id, slack_error(exc))
            return events.member(user_id, events.UserInfo(user_id, False))
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[user_id] = (now + self._ttl, info)
        return events.member(user_id, info, workspace_id)

    async def names(self, user_ids: Sequence[str]) -> dict[str, str]:
        """Return the display names of members (mentioned in a text), looked up at once."""
        found = await asyncio.gather(*(self.member(user_id) for user_id in user_ids))
        return {m.user_id: m.display_name for m in found}


def _installed_team(context: AsyncBoltContext) -> str | None:
    """Return the team of the app's installation (from auth.test), or None if org-wide.

    Every request this single-workspace app gets is for that installation, so its
    team is the workspace whose groups the request concerns, whoever sends it.
    """
    result = context.authorize_result
    if result is None or context.is_enterprise_install:
        return None
    return result.team_id


@dataclass(frozen=True, slots=True)
class _Modal:
    """A modal opened straight from a listener, before the core was asked."""

    opening: asyncio.Task[str | None]  # its view id, once open (None: Slack did not open it)
    view: Mapping[str, Any]  # what it shows


@dataclass(frozen=True, slots=True)
class _Origin:
    """Where an event came from, to show the core's replies there."""

    place: ChannelRef
    user_id: str
    trigger_id: str | None = None
    message_ts: str | None = None  # the member's message, for a reaction
    response_url: str | None = None  # where a command's or a button's replies go
    modal: _Modal | None = None  # opened already: the first reply goes in it


def _form_at_once(action: str, value: str) -> Reply | None:
    """Return the form the core answers a button with, when it is known without asking it.

    These are `bot.messages.answer_form` as the core returns it for the round
    card's and the practice card's buttons; should the core answer otherwise
    (a closed round, another form), its answer replaces this one in the modal.
    """
    if action == "answer" and value.isdigit():
        return messages.answer_form(int(value))
    if action == "practice-answer":
        return messages.answer_form(0, kind="practice-answer")
    return None


def _command_opens_form(command: str, text: str) -> bool:
    """Tell whether a slash command's answer is a form (`/answer` without text)."""
    return command.strip().lower() == "/answer" and not text.strip()


def _form_view(form: Form, intro: str, place: ChannelRef) -> dict[str, Any]:
    context = FormContext(place.workspace_id, place.channel_id, place.thread_id, form.value)
    return render_modal(form, intro, context)


def _notice_view(reply: Reply) -> dict[str, Any]:
    """Return a modal that only shows a reply (no inputs, no submit button)."""
    shown = Reply(text=reply.text or " ", title=reply.title, fields=reply.fields)
    blocks = [block for message in render_message(shown) for block in message.blocks]
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": _MODAL_TITLE},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks[:MAX_MODAL_BLOCKS],
    }


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

    def _open_modal(self, trigger_id: Any, view: dict[str, Any]) -> _Modal | None:
        """Open a modal now, outside the worker slots (its trigger_id lives 3 s)."""
        if not isinstance(trigger_id, str) or not trigger_id:
            return None
        return _Modal(self.background.start(self._open(trigger_id, view), "modal"), view)

    async def _open(self, trigger_id: str, view: dict[str, Any]) -> str | None:
        try:
            response = await self._client.views_open(trigger_id=trigger_id, view=view)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            error = slack_error(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
            log.warning("slack: could not open a modal: %s", error)
            return None
        view_id = (response.get("view") or {}).get("id")
        return str(view_id) if view_id else None

    async def _on_command(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        place = events.channel(
            events.workspace(body, _installed_team(context)), str(body.get("channel_id", ""))
        )
        modal = None
        if _command_opens_form(str(body.get("command", "")), str(body.get("text", ""))):
            modal = self._open_modal(body.get("trigger_id"), _notice_view(_LOADING))
        self.background.spawn(self._command(body, place, modal), f"command {body.get('command')}")

    async def _command(
        self, body: Mapping[str, Any], place: ChannelRef, modal: _Modal | None
    ) -> None:
        user_id = str(body.get("user_id", ""))
        text = str(body.get("text", ""))
        async with waiting():  # users.info: nothing for a slot to do meanwhile
            actor = await self.users.member(user_id, place.workspace_id)
            names = await self.users.names(events.mentioned_users(text))
        event = events.invocation(str(body.get("command", "")), text, actor, place, names)
        origin = _Origin(
            place,
            user_id,
            trigger_id=body.get("trigger_id"),
            response_url=body.get("response_url"),
            modal=modal,
        )
        await self._run(event, origin)

    async def _on_action(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        installed = _installed_team(context)
        place = events.button_place(body, installed)
        form = _form_at_once(events.button_action(action), str(action.get("value") or ""))
        modal = None
        if form is not None and form.form is not None:
            modal = self._open_modal(
                body.get("trigger_id"), _form_view(form.form, form.text, place)
            )
        self.background.spawn(self._action(body, action, installed, modal), "button")

    async def _action(
        self,
        body: Mapping[str, Any],
        action: Mapping[str, Any],
        installed_team: str | None,
        modal: _Modal | None,
    ) -> None:
        user_id = events.button_user(body)
        workspace_id = events.workspace(body, installed_team)
        async with waiting():
            actor = await self.users.member(user_id, workspace_id)
        press = events.button_press(body, action, actor, installed_team)
        origin = _Origin(
            press.place,
            user_id,
            trigger_id=body.get("trigger_id"),
            response_url=body.get("response_url"),
            modal=modal,
        )
        await self._run(press, origin)

    async def _on_view(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        place = events.form_place(body)
        if place is None:
            await ack()
            return
        user_id = events.button_user(body)
        work = self.background.start(self._submission(body, user_id, place), "form")
        done, _ = await asyncio.wait({work}, timeout=_FORM_WAIT)
        origin = _Origin(place, user_id)
        if not done:  # close the modal now; the core's answer follows as a message
            await ack()
            self.background.spawn(self._deliver_later(work, origin), "form")
            return
        error = work.exception()
        if error is not None:
            await ack()
            log.error("slack: a modal submission failed", exc_info=error)
            return
        replies = work.result()
        block = events.first_input_block(body)
        if len(replies) == 1 and replies[0].is_error and block is not None:
            await ack(response_action="errors", errors=modal_errors(replies[0], block))
            return
        await ack()
        self.background.spawn(self._deliver(replies, origin), "form")

    async def _submission(
        self, body: Mapping[str, Any], user_id: str, place: ChannelRef
    ) -> list[Reply]:
        actor = await self.users.member(user_id, place.workspace_id)
        submit = events.form_submit(body, actor)
        return await self._core.handle(submit) if submit is not None else []

    async def _deliver_later(self, work: asyncio.Task[list[Reply]], origin: _Origin) -> None:
        async with waiting():
            replies = await work
        await self._deliver(replies, origin)

    async def _first_delivery(self, delivery: str) -> bool:
        """Tell whether an event is new, not a retry that this or another replica handled."""
        if await self._deliveries.first(delivery):
            return True
        log.info("slack: event %s retried; handled already", delivery)
        return False

    async def _on_message(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        action = events.thread_message(event, events.workspace(body, _installed_team(context)))
        if action is not None:
            key = (action.place.channel_id, action.message_ts)
            work = self._thread_message(action, events.delivery_key(body))
            self.background.spawn(work, "message", key)

    async def _thread_message(self, action: events.MessageAction, delivery: str) -> None:
        # Checked in the message's turn, so a retry of an edit is told apart in order.
        if not await self._first_delivery(delivery):
            return
        async with waiting():
            actor = await self.users.member(action.user_id, action.place.workspace_id)
            names = await self.users.names(action.mentions())
        origin = _Origin(action.place, action.user_id, message_ts=action.message_ts)
        await self._run(action.event(actor, names), origin)

    async def _on_reaction(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        # bolt ignores the bot's own events already; the translation says so again.
        workspace_id = events.workspace(body, _installed_team(context))
        action = events.reaction(event, workspace_id, context.bot_user_id)
        if action is not None:
            key = (action.place.channel_id, action.message_ts)
            work = self._reaction(action, events.delivery_key(body))
            self.background.spawn(work, "reaction", key)

    async def _reaction(self, action: events.ReactionAction, delivery: str) -> None:
        if not await self._first_delivery(delivery):
            return
        async with waiting():
            actor = await self.users.member(action.user_id, action.place.workspace_id)
        await self._run(action.event(actor), _Origin(action.place, action.user_id))

    async def _on_home(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        opened = events.home_opened(event, events.workspace(body, _installed_team(context)))
        if opened is not None:
            self.background.spawn(self._home(opened), "home")

    async def _home(self, opened: events.HomeOpened) -> None:
        async with waiting():
            actor = await self.users.member(opened.user_id, opened.team_id)
        overview = await self._core.member_overview(actor, opened.team_id)
        view = render_home(overview)
        await self._client.views_publish(user_id=opened.user_id, view=view)

    # -- replies ----------------------------------------------------------------

    async def _run(self, event: Event, origin: _Origin) -> None:
        await self._deliver(await self._core.handle(event), origin)

    async def _deliver(self, replies: Sequence[Reply], origin: _Origin) -> None:
        rest = list(replies)
        if origin.modal is not None:
            first = rest.pop(0) if rest else None
            try:
                await self._fill_modal(first, origin, origin.modal)
            except SlackApiError as exc:
                log.warning("slack: could not update a modal: %s", slack_error(exc))
        for reply in rest:
            try:
                await self._show(reply, origin)
            except SlackApiError as exc:
                log.warning("slack: could not show a reply: %s", slack_error(exc))

    async def _fill_modal(self, reply: Reply | None, origin: _Origin, modal: _Modal) -> None:
        """Show the core's first reply in the modal opened for it (if it is not there yet)."""
        async with waiting():
            view_id = await modal.opening
        if view_id is None:  # Slack did not open it: say so, and what the core answered
            if reply is not None and reply.form is None:
                await self._show(reply, origin)
            else:
                await self._show_private(_NOT_OPENED, origin)
            return
        if reply is None:
            view = _notice_view(messages.error("Something went wrong. Please try again."))
        elif reply.form is not None:
            view = _form_view(reply.form, reply.text, origin.place)
        else:
            view = _notice_view(reply)
        if view != modal.view:
            await self._client.views_update(view_id=view_id, view=view)

    async def _show(self, reply: Reply, origin: _Origin) -> None:
        if reply.form is not None and origin.trigger_id:
            view = _form_view(reply.form, reply.text, origin.place)
            await self._client.views_open(trigger_id=origin.trigger_id, view=view)
            return
        if reply.visibility is Visibility.PRIVATE:
            await self._show_private(reply, origin)
        elif reply.visibility is Visibility.THREAD and origin.place.thread_id is not None:
            await self._chat.post(origin.place, reply)
        elif origin.response_url is not None and origin.place.thread_id is None:
            for message in render_message(reply):
                if not await self._respond(origin.response_url, message, "in_channel"):
                    await self._chat.post_message(origin.place.channel(), message)
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
            if origin.response_url is not None and await self._respond(
                origin.response_url, message, "ephemeral"
            ):
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

    async def _respond(self, url: str, message: SlackMessage, response_type: str) -> bool:
        """Post a reply to a command's or a button's response_url; tell whether it was taken.

        Slack takes five posts to one response_url within 30 minutes; after that
        (or if it fails) the caller posts the message by the Web API instead.
        """
        payload = {
            "text": message.text,
            "blocks": list(message.blocks),
            "response_type": response_type,
            "replace_original": False,
        }
        try:
            async with self._session.post(url, json=payload) as response:
                if response.status == 200:
                    return True
                body = await response.text()
                log.warning("slack: response_url answered %s: %s", response.status, body[:200])
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("slack: response_url failed: %s", type(exc).__name__)
        return False

    async def _react(self, place: ChannelRef, message_ts: str, emoji: str) -> None:
        try:
            await self._client.reactions_add(
                channel=place.channel_id, timestamp=message_ts, name=emoji
            )
        except SlackApiError as exc:
            if slack_error(exc) != "already_reacted":
                raise


def build_bolt_app(client: AsyncWebClient) -> AsyncApp:
    """Return a bolt app on `client`, without bolt's own check of request signatures.

    Requests reach it either over Socket Mode (not signed) or through
    `adapters.slack.main.SignedRequests`, which checks size and signature first
    (bolt's check would log the whole body of each request it refuses).
    Listeners run before the response (`process_before_response`): each one
    acks first and leaves the work to a background task, so the ack goes out
    as soon as the listener returns instead of on bolt's 10 ms polling.
    """
    return AsyncApp(
        client=client,
        signing_secret="",
        request_verification_enabled=False,
        process_before_response=True,
        logger=logging.getLogger("adapters.slack.bolt"),
    )
