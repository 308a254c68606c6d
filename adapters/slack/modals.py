"""Modals: the views the adapter opens, and opening them while their trigger_id is good.

A `trigger_id` opens one modal within 3 seconds, once. A button or command
whose answer is a form (`form_at_once`, `button_opens_form`, `command_opens_form`) has its modal
opened straight from the listener, before the core is asked; the core's
answer then fills it in (`modal_view`, by `views.update`) if it differs: its
own form, or why there is none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.chat import slack_error
from adapters.slack.render import MAX_MODAL_BLOCKS, FormContext, render_message, render_modal
from bot import appeal_messages, messages, question_messages, reminder_messages
from bot.model import ChannelRef
from bot.replies import Form, Reply

__all__ = [
    "LOADING",
    "NOT_OPENED",
    "OpenedModal",
    "button_opens_form",
    "command_opens_form",
    "form_at_once",
    "form_view",
    "modal_view",
    "notice_view",
    "open_modal",
]

log = logging.getLogger(__name__)

# What a modal shows until the core's answer fills it in.
LOADING = Reply(text="Getting your form ready…")
# Shown privately when Slack did not open a modal (a trigger_id is good for 3 s).
NOT_OPENED = messages.error(
    "Slack did not open the form in time. Please press the button (or send the command) again."
)
_FAILED = messages.error("Something went wrong. Please try again.")
_MODAL_TITLE = "studybot"


@dataclass(frozen=True, slots=True)
class OpenedModal:
    """A modal opened straight from a listener, before the core was asked."""

    opening: asyncio.Task[str | None]  # its view id, once open (None: Slack did not open it)
    view: Mapping[str, Any]  # what it shows


def form_at_once(action: str, value: str) -> Reply | None:
    """Return the form the core answers a button with, when it is known without asking it.

    These are `bot.messages.answer_form` as the core returns it for the round
    card's and the practice card's buttons, the member's "Appeal" (its value
    names the round) and an admin's "Change the grade" (its value ends with the
    key points covered now, `answer:appeal:0110`), as `bot.appeal_messages`
    builds them, and a reveal's "Report a problem" (`bot.question_messages`);
    should the core answer otherwise (a closed round, an appeal made already,
    someone who is no admin), its answer replaces this one in the modal.
    """
    if action == "answer" and value.isdigit():
        return messages.answer_form(int(value))
    if action == "practice-answer":
        return messages.answer_form(0, kind="practice-answer")
    if action == reminder_messages.REMIND_ANSWER and value.isdigit():
        return reminder_messages.reminder_answer_form(int(value))
    if action == appeal_messages.APPEAL and value.isdigit():
        return appeal_messages.appeal_form(int(value))
    if action == question_messages.REPORT and value.isdigit():
        return question_messages.report_form(int(value))
    if action == appeal_messages.REGRADE:
        parts = value.split(":")
        seen = parts[-1]
        if len(parts) == 3 and parts[0].isdigit() and seen and set(seen) <= {"0", "1"}:
            return appeal_messages.regrade_form(value, tuple(c == "1" for c in seen))
    return None


def button_opens_form(action: str) -> bool:
    """Tell whether a button's answer is a form the adapter cannot build without the core.

    A peer judge's "Judge" (`bot.appeal_messages.JUDGE`) answers with a form that
    counts the question's key points, which only the core knows: its modal opens
    at once showing `LOADING`, and the core's form (or why there is none) fills it in.
    """
    return action == appeal_messages.JUDGE


def command_opens_form(command: str, text: str) -> bool:
    """Tell whether a slash command's answer is a form (`/answer` without text)."""
    return command.strip().lower() == "/answer" and not text.strip()


def form_view(form: Form, intro: str, place: ChannelRef) -> dict[str, Any]:
    """Return the modal of a core's form, carrying where it was asked for."""
    context = FormContext(place.workspace_id, place.channel_id, place.thread_id, form.value)
    return render_modal(form, intro, context)


def notice_view(reply: Reply) -> dict[str, Any]:
    """Return a modal that only shows a reply (no inputs, no submit button)."""
    shown = Reply(text=reply.text or " ", title=reply.title, fields=reply.fields)
    blocks = [block for message in render_message(shown) for block in message.blocks]
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": _MODAL_TITLE},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks[:MAX_MODAL_BLOCKS],
    }


def modal_view(reply: Reply | None, place: ChannelRef) -> dict[str, Any]:
    """Return what an opened modal shows of the core's first reply (None: the core failed)."""
    if reply is None:
        return notice_view(_FAILED)
    if reply.form is not None:
        return form_view(reply.form, reply.text, place)
    return notice_view(reply)


async def open_modal(client: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> str | None:
    """Open a modal with `trigger_id`; return its view id, or None if Slack did not open it."""
    try:
        response = await client.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        error = slack_error(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
        log.warning("slack: could not open a modal: %s", error)
        return None
    view_id = (response.get("view") or {}).get("id")
    return str(view_id) if view_id else None
