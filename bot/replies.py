"""Platform-neutral replies: what the core says, for an adapter to render.

Text is a small, safe Markdown subset: `**bold**`, `*italic*`, `` `code` ``,
fenced code blocks, `- ` lists and `> ` quotes. Text that came from users is
escaped by `bot.markup.user_text` before it is put in a reply. A command is
named with `bot.command_refs.mention`, never as plain `/words`: each renderer
writes it as its platform registers it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Button", "Field", "Form", "FormInput", "Image", "Reply", "Visibility"]


class Visibility(enum.StrEnum):
    """Who sees a reply."""

    PUBLIC = "public"  # the channel
    THREAD = "thread"  # the thread the event came from
    PRIVATE = "private"  # only the member who acted


@dataclass(frozen=True, slots=True)
class Field:
    """A named block of a card (an embed field, a Block Kit section)."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Button:
    """A button: the core gets `ButtonPress(action, value)` when it is pressed."""

    action: str
    label: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class FormInput:
    """One text input of a form."""

    id: str
    label: str
    max_length: int
    multiline: bool = True
    placeholder: str = ""
    required: bool = True  # False: the form may be sent with it empty


@dataclass(frozen=True, slots=True)
class Form:
    """A form (a modal) to open for the member; its submit comes back as FormSubmit."""

    form_id: str
    title: str
    inputs: tuple[FormInput, ...]
    value: str = ""  # context the core wants back with the submit


@dataclass(frozen=True, slots=True)
class Image:
    """A picture shown with a reply (a chart): PNG bytes, a file name, and what it shows.

    `alt` describes the picture in words for screen readers (and where it cannot
    be shown).
    """

    data: bytes
    filename: str
    alt: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A message from the core."""

    text: str = ""
    title: str | None = None
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    visibility: Visibility = Visibility.PRIVATE
    form: Form | None = None
    footer: str | None = None
    is_error: bool = False
    reaction: str | None = None  # may be shown as this emoji on the message that caused it
    # A post the core may need to find again (e.g. `round-12`) after a crash mid-post; an
    # adapter that can (see `bot.ports.PostLookup`) stores it with the message.
    key: str | None = None
    image: Image | None = None  # shown with the reply: attached to it, or sent beside it
