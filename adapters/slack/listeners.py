"""Wiring the core into a slack-bolt AsyncApp: the listeners, ack first, then the work.

Every listener acknowledges Slack at once and does the work in a background
task it keeps track of (`adapters.slack.background`), so a slow database
never makes Slack wait past its 3 seconds, and closing waits for work under
way. That work runs in a few worker slots; whatever only waits (a users.info
lookup, a 429's Retry-After, the pacer's turn) lets its slot go meanwhile
(`adapters.slack.chat.waiting`).

Two things cannot wait for a slot, nor for users.info:

- A modal. A `trigger_id` opens one within 3 seconds, once. A button or
  command whose answer is a form (`adapters.slack.modals`) opens its modal
  straight from the listener, before the core is asked; the core's answer
  then fills it in (`views.update`) if it differs: its own form, or why there
  is none.
- A modal submission. It waits at most two seconds in all (users.info and the
  core) so that a refused answer is shown in the still-open modal and nothing
  the member typed is lost; past that the modal closes and the core's answer
  follows as a message.

Each delivery is handled once, whichever replica gets it: an event that Slack
retries is known by its event id, and a slash command or a button press
replayed within the five minutes its signature is good by its trigger_id
(`adapters.slack.deliveries`), in the shared delivery log. A replay is
acknowledged like any request, and then nothing is done: no core call, no
modal, no reply.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import events
from adapters.slack.background import Background
from adapters.slack.chat import SlackChat, waiting
from adapters.slack.deliveries import delivery_key, request_key
from adapters.slack.home import render_home
from adapters.slack.modals import (
    LOADING,
    OpenedModal,
    button_opens_form,
    command_opens_form,
    form_at_once,
    form_view,
    notice_view,
    open_modal,
)
from adapters.slack.render import modal_errors
from adapters.slack.responses import Origin, Responder
from adapters.slack.text import mentioned_users
from adapters.slack.users import UserDirectory
from bot.commands import is_repeatable
from bot.core import Core
from bot.deliveries import DeliveryLog
from bot.model import ChannelRef
from bot.ports import Event
from bot.replies import Reply

__all__ = ["SlackBot", "build_bolt_app"]

log = logging.getLogger(__name__)

_FORM_WAIT = 2.0  # seconds a modal submission waits (users.info and the core) before closing
# seconds a modal opened at once waits to know that its request is no replay; past that it
# opens all the same (Slack refuses a replay's trigger_id, used or expired, by itself)
_CHECK_WAIT = 0.5


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
class _Request:
    """A slash command or a button press, to be told from a replay of it."""

    key: str  # `request_key`: the same for the request and its replays
    what: str  # what it is, for the log
    checked: asyncio.Task[bool] | None = None  # the check, when a modal waits for it


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
        self._client = client
        self._responder = Responder(chat, client, session)
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

    # -- commands and buttons ----------------------------------------------------

    def _check_at_once(self, key: str, what: str) -> asyncio.Task[bool]:
        """Start telling a request from a replay now, outside the worker slots (for a modal)."""
        return self.background.start(self._first_request(key, what), f"check {what}")

    def _open_modal(
        self, trigger_id: Any, view: dict[str, Any], checked: asyncio.Task[bool]
    ) -> OpenedModal | None:
        """Open a modal now, outside the worker slots (its trigger_id lives 3 s)."""
        if not isinstance(trigger_id, str) or not trigger_id:
            return None
        opening = self.background.start(self._open(trigger_id, view, checked), "modal")
        return OpenedModal(opening, view)

    async def _open(
        self, trigger_id: str, view: dict[str, Any], checked: asyncio.Task[bool]
    ) -> str | None:
        """Open a modal unless its request is known to be a replay within `_CHECK_WAIT`."""
        done, _ = await asyncio.wait({checked}, timeout=_CHECK_WAIT)
        known = bool(done) and not checked.cancelled() and checked.exception() is None
        if known and not checked.result():
            return None  # a replay: the request opened its modal already
        return await open_modal(self._client, trigger_id, view)

    async def _first_request(self, key: str, what: str) -> bool:
        """Tell whether a request is new, not a replay that this or another replica handled."""
        if await self._deliveries.first(key):
            return True
        log.info("slack: %s replayed (%s); handled already, not again", what, key)
        return False

    async def _is_new(self, request: _Request) -> bool:
        """Tell whether a request is new, in its worker slot (or from the check under way)."""
        if request.checked is None:
            return await self._first_request(request.key, request.what)
        async with waiting():
            return await request.checked

    async def _on_command(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        place = events.channel(
            events.workspace(body, _installed_team(context)), str(body.get("channel_id", ""))
        )
        command, text = str(body.get("command", "")), str(body.get("text", ""))
        # Only a command that does more when run twice is recorded to tell its replays:
        # a durable write before every /stats would cost each member's reply its time.
        key = "" if is_repeatable(*events.core_command(command, text)) else request_key(body)
        what = f"command {command}"
        checked: asyncio.Task[bool] | None = None
        modal: OpenedModal | None = None
        if command_opens_form(command, text):
            checked = self._check_at_once(key, what)
            modal = self._open_modal(body.get("trigger_id"), notice_view(LOADING), checked)
        request = _Request(key, what, checked)
        self.background.spawn(self._command(body, place, modal, request), what)

    async def _command(
        self,
        body: Mapping[str, Any],
        place: ChannelRef,
        modal: OpenedModal | None,
        request: _Request,
    ) -> None:
        if not await self._is_new(request):
            return
        user_id = str(body.get("user_id", ""))
        text = str(body.get("text", ""))
        async with waiting():  # users.info: nothing for a slot to do meanwhile
            actor = await self.users.member(user_id, place.workspace_id)
            names = await self.users.names(mentioned_users(text))
        event = events.invocation(str(body.get("command", "")), text, actor, place, names)
        origin = Origin(
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
        name = events.button_action(action)
        key, what = request_key(body), f"button {name}"
        form = form_at_once(name, str(action.get("value") or ""))
        checked: asyncio.Task[bool] | None = None
        modal: OpenedModal | None = None
        if form is not None and form.form is not None:
            checked = self._check_at_once(key, what)
            view = form_view(form.form, form.text, place)
            modal = self._open_modal(body.get("trigger_id"), view, checked)
        elif button_opens_form(name):
            checked = self._check_at_once(key, what)
            modal = self._open_modal(body.get("trigger_id"), notice_view(LOADING), checked)
        request = _Request(key, what, checked)
        self.background.spawn(self._action(body, action, installed, modal, request), "button")

    async def _action(
        self,
        body: Mapping[str, Any],
        action: Mapping[str, Any],
        installed_team: str | None,
        modal: OpenedModal | None,
        request: _Request,
    ) -> None:
        if not await self._is_new(request):
            return
        user_id = events.button_user(body)
        workspace_id = events.workspace(body, installed_team)
        async with waiting():
            actor = await self.users.member(user_id, workspace_id)
        press = events.button_press(body, action, actor, installed_team)
        origin = Origin(
            press.place,
            user_id,
            trigger_id=body.get("trigger_id"),
            response_url=body.get("response_url"),
            modal=modal,
        )
        await self._run(press, origin)

    # -- modal submissions -------------------------------------------------------

    async def _on_view(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        place = events.form_place(body)
        if place is None:
            await ack()
            return
        user_id = events.button_user(body)
        work = self.background.start(self._submission(body, user_id, place), "form")
        done, _ = await asyncio.wait({work}, timeout=_FORM_WAIT)
        origin = Origin(place, user_id)
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
        self.background.spawn(self._responder.deliver(replies, origin), "form")

    async def _submission(
        self, body: Mapping[str, Any], user_id: str, place: ChannelRef
    ) -> list[Reply]:
        actor = await self.users.member(user_id, place.workspace_id)
        submit = events.form_submit(body, actor)
        return await self._core.handle(submit) if submit is not None else []

    async def _deliver_later(self, work: asyncio.Task[list[Reply]], origin: Origin) -> None:
        async with waiting():
            replies = await work
        await self._responder.deliver(replies, origin)

    # -- events ------------------------------------------------------------------

    async def _first_delivery(self, delivery: str) -> bool:
        """Tell whether an event is new, not a retry that this or another replica handled."""
        if await self._deliveries.first(delivery):
            return True
        log.info("slack: event %s retried; handled already", delivery)
        return False

    async def _on_message(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        workspace_id = events.workspace(body, _installed_team(context))
        action = events.thread_message(event, workspace_id, context.bot_user_id)
        if action is not None:
            key = (action.place.channel_id, action.message_ts)
            work = self._thread_message(action, delivery_key(body))
            self.background.spawn(work, "message", key)

    async def _thread_message(self, action: events.MessageAction, delivery: str) -> None:
        # Checked in the message's turn, so a retry of an edit is told apart in order.
        if not await self._first_delivery(delivery):
            return
        async with waiting():
            actor = await self.users.member(action.user_id, action.place.workspace_id)
            names = await self.users.names(action.mentions())
        origin = Origin(action.place, action.user_id, message_ts=action.message_ts)
        await self._run(action.event(actor, names), origin)

    async def _on_reaction(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        # bolt ignores the bot's own events already; the translation says so again.
        workspace_id = events.workspace(body, _installed_team(context))
        action = events.reaction(event, workspace_id, context.bot_user_id)
        if action is not None:
            key = (action.place.channel_id, action.message_ts)
            work = self._reaction(action, delivery_key(body))
            self.background.spawn(work, "reaction", key)

    async def _reaction(self, action: events.ReactionAction, delivery: str) -> None:
        if not await self._first_delivery(delivery):
            return
        async with waiting():
            actor = await self.users.member(action.user_id, action.place.workspace_id)
        await self._run(action.event(actor), Origin(action.place, action.user_id))

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

    async def _run(self, event: Event, origin: Origin) -> None:
        await self._responder.deliver(await self._core.handle(event), origin)


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
