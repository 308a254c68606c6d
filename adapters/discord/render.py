"""Core replies rendered as Discord messages, within Discord's limits.

The core's text is a small Markdown subset that Discord reads as it is (user
text arrives already escaped). Long text is split at line breaks, keeping code
fences balanced, across embed descriptions or message contents; long fields
continue in further fields; embeds are packed into as many messages as the
6,000-character and 10-embed limits need. Nothing but whitespace is dropped;
blank parts, which Discord refuses, are left out or shown as a zero-width
space. Every message goes out with mentions disabled. Commands the core names
are written as they are registered here (`adapters.discord.commands`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord.commands import spell_command
from bot.command_refs import spell_reply
from bot.replies import Button, Field, Form, Image, Reply

__all__ = [
    "BUTTON_PREFIX",
    "FORM_PREFIX",
    "NO_MENTIONS",
    "Outgoing",
    "attachment",
    "button_id",
    "message_kwargs",
    "modal_for",
    "render",
    "split_markdown",
    "view_for",
]

NO_MENTIONS = discord.AllowedMentions.none()
BUTTON_PREFIX = "sb"
FORM_PREFIX = "sbf"

CONTENT_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
ALT_LIMIT = 1024  # an attachment's description (its alt text)
TITLE_LIMIT = 256
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
BUTTONS_PER_MESSAGE = 25
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
MODAL_TITLE_LIMIT = 45
INPUT_LABEL_LIMIT = 45
PLACEHOLDER_LIMIT = 100
INPUT_VALUE_LIMIT = 4000
MIN_SPLIT_LIMIT = 16

_COLOUR = discord.Colour(0x4F7CAC)
_ERROR_COLOUR = discord.Colour(0xC0392B)
_FENCE = "```"
# A code fence's language (its first line's word, e.g. `python`), kept when a split reopens it.
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,16}")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Discord message: content and/or embeds, the buttons under it, a picture attached."""

    content: str | None
    embeds: tuple[discord.Embed, ...] = ()
    buttons: tuple[Button, ...] = ()
    image: Image | None = None


def _clip(text: str, limit: int) -> str:
    """Shorten a one-line label to a limit (labels only; body text is split, never clipped)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut(line: str, width: int) -> tuple[str, str | None]:
    """Return the first piece of a line longer than `width`, and the rest (None if only spaces).

    The piece is at most `width` (at least 1) characters, cut at a space if one is in its
    second half, so every cut makes progress.
    """
    cut = line.rfind(" ", 0, width)
    if cut > width // 2:
        rest = line[cut:].lstrip(" ")
        return line[:cut], rest or None
    return line[:width], line[width:] or None


def _reopening(piece: str, room: int) -> str:
    """Return the line that reopens, in the next chunk, the code fence `piece` left open.

    It keeps the fence's language (`` ```python ``) when the fence line names one and it
    is short next to the room, else it is a bare fence: a reopening line never takes more
    than half a chunk, so every chunk has room for text.
    """
    language = piece[piece.rfind(_FENCE) + len(_FENCE) :].strip()
    if _LANGUAGE.fullmatch(language) and len(_FENCE) + len(language) + 1 <= room // 2:
        return _FENCE + language
    return _FENCE


def split_markdown(text: str, limit: int) -> list[str]:
    """Split text into chunks of at most `limit` characters at line breaks.

    A line longer than a chunk is cut, at a space where it can be. A chunk that
    ends inside a code fence is closed with a fence and the next chunk reopens
    it (with its language), so formatting never leaks. Fences are counted the
    way Discord reads them: every three backticks open or close one. Only
    whitespace is dropped. `limit` must be at least 16.
    """
    if limit < MIN_SPLIT_LIMIT:
        raise ValueError(f"cannot split text into chunks shorter than {MIN_SPLIT_LIMIT}")
    if len(text) <= limit:
        return [text]
    room = limit - len(_FENCE) - 1  # keep space to close an open fence
    chunks: list[str] = []
    current: list[str] = []
    size = 0  # characters in `current`, plus one for each line (its line break)
    reopen: str | None = None  # the line reopening the fence we are in, or None
    reopened = 0  # lines at the start of `current` that only reopen a fence

    def flush() -> None:
        nonlocal current, size, reopened
        if len(current) > reopened:
            body = "\n".join(current) + ("\n" + _FENCE if reopen is not None else "")
            if body.strip():
                chunks.append(body)
        current = [reopen] if reopen is not None else []
        size = len(reopen) + 1 if reopen is not None else 0
        reopened = len(current)

    for raw in text.split("\n"):
        line: str | None = raw
        while line is not None:
            # A fresh chunk starts with the reopening line, so a piece must fit after it.
            width = room - (len(reopen) + 1 if reopen is not None else 0)
            piece, line = _cut(line, width) if len(line) > width else (line, None)
            if current and size + len(piece) > room:
                flush()
            current.append(piece)
            size += len(piece) + 1
            if piece.count(_FENCE) % 2:
                reopen = _reopening(piece, room) if reopen is None else None
    flush()
    return chunks


def _shown(text: str | None) -> str | None:
    """Return text Discord shows, or None for none or only whitespace (Discord refuses those)."""
    return text if text is not None and text.strip() else None


def _field_parts(field: Field) -> list[tuple[str, str, bool]]:
    name = _clip(_shown(field.name) or "\u200b", FIELD_NAME_LIMIT - 12)
    values = split_markdown(_shown(field.value) or "\u200b", FIELD_VALUE_LIMIT)
    return [
        (name if i == 0 else f"{name} (cont.)", value, field.inline)
        for i, value in enumerate(values)
    ]


def _embeds(reply: Reply) -> list[discord.Embed]:
    colour = _ERROR_COLOUR if reply.is_error else _COLOUR
    embeds: list[discord.Embed] = []
    text = _shown(reply.text)
    descriptions = split_markdown(text, DESCRIPTION_LIMIT) if text else [""]
    heading = _shown(reply.title)
    for i, chunk in enumerate(descriptions):
        title = _clip(heading, TITLE_LIMIT) if heading and i == 0 else None
        embeds.append(discord.Embed(title=title, description=_shown(chunk), colour=colour))
    for field in reply.fields:
        for name, value, inline in _field_parts(field):
            last = embeds[-1]
            if (
                len(last.fields) >= FIELDS_PER_EMBED
                or len(last) + len(name) + len(value) > EMBED_TOTAL_LIMIT
            ):
                last = discord.Embed(colour=colour)
                embeds.append(last)
            last.add_field(name=name, value=value, inline=inline)
    if _shown(reply.footer):
        footer = split_markdown(reply.footer or "", FOOTER_LIMIT)
        for i, part in enumerate(footer):
            if i > 0 or len(embeds[-1]) + len(part) > EMBED_TOTAL_LIMIT:
                embeds.append(discord.Embed(colour=colour))
            embeds[-1].set_footer(text=part)
    return embeds


def _pack(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    messages: list[list[discord.Embed]] = [[]]
    total = 0
    for embed in embeds:
        size = len(embed)
        current = messages[-1]
        if current and (len(current) >= EMBEDS_PER_MESSAGE or total + size > EMBED_TOTAL_LIMIT):
            messages.append([])
            total = 0
        messages[-1].append(embed)
        total += size
    return messages


def _is_plain(reply: Reply) -> bool:
    return not _shown(reply.title) and not reply.fields and not _shown(reply.footer)


def render(reply: Reply) -> list[Outgoing]:
    """Return the Discord messages that show a reply; its buttons and picture go on the last."""
    reply = spell_reply(reply, spell_command)
    buttons = reply.buttons[:BUTTONS_PER_MESSAGE]
    if _is_plain(reply):
        text = ("⚠️ " + reply.text) if reply.is_error else reply.text
        parts = split_markdown(text, CONTENT_LIMIT) if text.strip() else ["\u200b"]
        outgoing = [Outgoing(content=part) for part in parts]
    else:
        outgoing = [Outgoing(content=None, embeds=tuple(group)) for group in _pack(_embeds(reply))]
    last = outgoing[-1]
    outgoing[-1] = Outgoing(last.content, last.embeds, buttons, reply.image)
    return outgoing


def attachment(image: Image) -> discord.File:
    """Return a picture as a file to attach, its alt text as the attachment's description."""
    return discord.File(
        io.BytesIO(image.data), filename=image.filename, description=image.alt[:ALT_LIMIT]
    )


def message_kwargs(part: Outgoing, *, editing: bool = False) -> dict[str, Any]:
    """Return what discord.py's send and edit calls take to show one rendered message.

    A picture is a file to send (`file`), or, for an edit (`editing`), the message's
    attachments.
    """
    kwargs: dict[str, Any] = {
        "allowed_mentions": NO_MENTIONS,
        "content": part.content,
        "embeds": list(part.embeds),
    }
    view = view_for(part.buttons)
    if view is not None:
        kwargs["view"] = view
    if part.image is not None:
        file = attachment(part.image)
        kwargs.update({"attachments": [file]} if editing else {"file": file})
    return kwargs


def button_id(button: Button) -> str:
    """Return the custom id a button carries: `sb:<action>:<value>`."""
    return _clip(f"{BUTTON_PREFIX}:{button.action}:{button.value}", CUSTOM_ID_LIMIT)


def view_for(buttons: tuple[Button, ...]) -> discord.ui.View | None:
    """Return a view showing the buttons, or None without buttons.

    The view is stopped at once: presses arrive as interactions the adapter
    routes by custom id, so nothing has to be kept in memory per message.
    """
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(
            discord.ui.Button(
                label=_clip(_shown(button.label) or button.action, BUTTON_LABEL_LIMIT),
                custom_id=button_id(button),
                style=discord.ButtonStyle.secondary,
            )
        )
    view.stop()
    return view


def modal_for(form: Form) -> discord.ui.Modal:
    """Return the modal of a form; its submit comes back with id `sbf:<form>:<value>`.

    A blank title or label (Discord refuses those) shows the form's or the input's id.
    """
    form = spell_reply(Reply(form=form), spell_command).form or form
    modal = discord.ui.Modal(
        title=_clip(_shown(form.title) or form.form_id, MODAL_TITLE_LIMIT),
        custom_id=_clip(f"{FORM_PREFIX}:{form.form_id}:{form.value}", CUSTOM_ID_LIMIT),
        timeout=None,
    )
    for item in form.inputs:
        modal.add_item(
            discord.ui.TextInput(
                label=_clip(_shown(item.label) or item.id, INPUT_LABEL_LIMIT),
                custom_id=item.id,
                style=discord.TextStyle.paragraph if item.multiline else discord.TextStyle.short,
                max_length=min(item.max_length, INPUT_VALUE_LIMIT),
                placeholder=_clip(_shown(item.placeholder) or "", PLACEHOLDER_LIMIT) or None,
                required=item.required,
            )
        )
    modal.stop()
    return modal
