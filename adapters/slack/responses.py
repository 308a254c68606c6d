"""Showing the core's replies where a request came from.

A command's or a button's replies go to its `response_url` (in the channel,
or only to the member), falling back on the Web API once Slack takes no more
there; a private reply to a thread message is a reaction on it when that says
it all; a form opens a modal with the request's `trigger_id`; and a modal
opened before the core was asked shows the core's first reply.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.chat import SlackChat, slack_error, waiting
from adapters.slack.events import PLATFORM
from adapters.slack.modals import NOT_OPENED, OpenedModal, form_view, modal_view
from adapters.slack.render import SlackMessage, reaction_name, render_message
from adapters.slack.uploads import IN_YOUR_DMS, send_image, send_image_privately
from bot.model import ChannelRef, MemberRef
from bot.ports import PrivateClosed
from bot.replies import Reply, Visibility

__all__ = ["Origin", "Responder"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an event came from, to show the core's replies there."""

    place: ChannelRef
    user_id: str
    trigger_id: str | None = None
    message_ts: str | None = None  # the member's message, for a reaction
    response_url: str | None = None  # where a command's or a button's replies go
    modal: OpenedModal | None = None  # opened already: the first reply goes in it


def _pointing_to_dms(reply: Reply) -> Reply:
    """Return a private reply without its picture, saying where it went instead.

    An ephemeral message takes no file: the picture goes to the member's DMs.
    """
    if reply.image is None:
        return reply
    footer = f"{reply.footer}\n{IN_YOUR_DMS}" if reply.footer else IN_YOUR_DMS
    return replace(reply, footer=footer, image=None)


class Responder:
    """Shows replies over the Web API, response_urls and modals."""

    def __init__(
        self, chat: SlackChat, client: AsyncWebClient, session: aiohttp.ClientSession
    ) -> None:
        self._chat = chat
        self._client = client
        self._session = session  # pooled connections for response_url posts

    async def deliver(self, replies: Sequence[Reply], origin: Origin) -> None:
        """Show the core's replies to a request where it came from (a failure is logged)."""
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
            except PrivateClosed as exc:  # nowhere to show it: the member's DMs are closed too
                log.info("slack: could not show a reply: %s", exc)

    async def _fill_modal(self, reply: Reply | None, origin: Origin, modal: OpenedModal) -> None:
        """Show the core's first reply in the modal opened for it (if it is not there yet)."""
        async with waiting():
            view_id = await modal.opening
        if view_id is None:  # Slack did not open it: say so, and what the core answered
            if reply is not None and reply.form is None:
                await self._show(reply, origin)
            else:
                await self._show_private(NOT_OPENED, origin)
            return
        view = modal_view(reply, origin.place)
        if view != modal.view:
            await self._client.views_update(view_id=view_id, view=view)

    async def _show(self, reply: Reply, origin: Origin) -> None:
        if reply.form is not None and origin.trigger_id:
            view = form_view(reply.form, reply.text, origin.place)
            await self._client.views_open(trigger_id=origin.trigger_id, view=view)
            return
        if reply.visibility is Visibility.PRIVATE:
            await self._show_private(_pointing_to_dms(reply), origin)
            await send_image_privately(self._client, origin.user_id, reply)
        elif reply.visibility is Visibility.THREAD and origin.place.thread_id is not None:
            await self._chat.post(origin.place, reply)
        elif origin.response_url is not None and origin.place.thread_id is None:
            for message in render_message(reply):
                if not await self._respond(origin.response_url, message, "in_channel"):
                    await self._chat.post_message(origin.place.channel(), message)
            await send_image(self._client, origin.place.channel_id, None, reply)
        else:
            await self._chat.post(origin.place.channel(), reply)

    async def _show_private(self, reply: Reply, origin: Origin) -> None:
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
                await self._chat.send_private(MemberRef(PLATFORM, origin.user_id, ""), reply)
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
