"""The contract between the core and an adapter: inbound events, outbound port.

An adapter translates platform events into the events below and hands them to
`Core.handle`, which answers with replies; for scheduled work the core calls
the adapter's `ChatPort`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.model import ChannelRef, MemberRef, MessageRef, PostedRound
from bot.replies import Reply

__all__ = [
    "ButtonPress",
    "ChatPort",
    "Event",
    "FormSubmit",
    "Invocation",
    "MentionReading",
    "MessageLinks",
    "MessageRemoved",
    "NotAllowed",
    "PostLookup",
    "PostingCheck",
    "PrivateClosed",
    "ReactionAdded",
    "ReactionRemoved",
    "ReactionsCleared",
    "ThreadReading",
    "ThreadReply",
]


@dataclass(frozen=True, slots=True)
class Invocation:
    """A command: a slash command, or a console line starting with `/`.

    `command` is the command's name without the slash (`practice`), `args` the
    rest of the line as the member typed it, or as the adapter rebuilt it from
    the platform's options.
    """

    command: str
    args: str
    actor: MemberRef
    place: ChannelRef


@dataclass(frozen=True, slots=True)
class ThreadReply:
    """A message in a thread (possibly a round's); an edit repeats the same message_id.

    `replies_to_other` says the message answers another member's message (the
    adapter decides: Discord's reply to someone else's message, a Slack message
    that mentions another member, the console's `:reply NAME`): discussion, never
    part of an answer.
    """

    place: ChannelRef
    actor: MemberRef
    text: str
    message_id: str
    replies_to_other: bool = False


@dataclass(frozen=True, slots=True)
class MessageRemoved:
    """A message in a thread was deleted: the part of an answer it carried is taken out."""

    place: ChannelRef
    actor: MemberRef
    message_id: str


@dataclass(frozen=True, slots=True)
class FormSubmit:
    """A submitted form (modal)."""

    form: str
    actor: MemberRef
    place: ChannelRef
    values: Mapping[str, str] = field(default_factory=dict)
    value: str = ""  # the context the form was opened with


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A pressed button."""

    action: str
    actor: MemberRef
    place: ChannelRef
    value: str = ""


@dataclass(frozen=True, slots=True)
class ReactionAdded:
    """A member reacted to a message (a 👍 on an answer is a helpful vote).

    `emoji` is the exact Unicode emoji, skin tone included (a platform's
    custom emoji has no meaning to the core); `burst` tells a platform's
    emphasised kind of the same reaction (Discord's super reaction), which a
    member may hold beside the normal one. `place` is where the message is,
    with its thread when the platform says; the core finds the answer by
    `message_id` in the channel.
    """

    place: ChannelRef
    actor: MemberRef
    message_id: str
    emoji: str
    burst: bool = False


@dataclass(frozen=True, slots=True)
class ReactionRemoved:
    """A member took a reaction back (the one `emoji` and `burst` name, as for ReactionAdded)."""

    place: ChannelRef
    actor: MemberRef
    message_id: str
    emoji: str
    burst: bool = False


@dataclass(frozen=True, slots=True)
class ReactionsCleared:
    """A moderator removed a message's reactions: all of them, or those of one `emoji`."""

    place: ChannelRef
    message_id: str
    emoji: str | None = None


Event = (
    Invocation
    | ThreadReply
    | MessageRemoved
    | FormSubmit
    | ButtonPress
    | ReactionAdded
    | ReactionRemoved
    | ReactionsCleared
)


class ChatPort(Protocol):
    """What the core needs from a platform for the work it starts itself."""

    async def post_round(self, channel: ChannelRef, card: Reply) -> PostedRound:
        """Post a round's question and open its answer thread."""
        ...

    async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
        """Post a message in a channel or thread."""
        ...

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        """Send a message only this member sees.

        Raises `PrivateClosed` when the platform refuses it for a reason of the
        member's own (their direct messages are closed, their account is gone);
        any other failure raises as it comes.
        """
        ...


class NotAllowed(Exception):
    """The platform refused to post in a channel for want of a permission or membership.

    Trying again will not help until someone changes the channel, so the core
    stops the group's schedule and tells its founder. The message says what to
    do, in words a member can act on ("invite me with /invite @studybot"); it is
    shown as written, so an adapter never puts platform or member text in it.
    """


class PrivateClosed(Exception):
    """The platform will not deliver a private message to this member, for a reason of theirs.

    Their direct messages are closed to the bot (Discord's 50007), their account
    is gone or disabled, or they are someone the bot cannot write to (Slack's
    `cannot_dm_bot`). Trying again tomorrow will most likely fail the same way,
    so the core notes the member and leaves them alone for a while
    (`bot.private_notes`). The message is the platform's error code, for the log;
    it carries no member or message text.
    """


@runtime_checkable
class PostingCheck(Protocol):
    """A chat port that can tell, before a group is set up, whether rounds can be posted."""

    async def posting_problem(self, channel: ChannelRef) -> str | None:
        """Return what keeps the bot from posting rounds in a channel; None if nothing.

        The text is shown as written (see `NotAllowed`).
        """
        ...


@runtime_checkable
class MentionReading(Protocol):
    """A chat port that reads the members named in a setting (`admins=@alice,@bob`).

    Mentions in settings text reach the core as the platform writes them; only
    the adapter knows that shape. A port without this takes a plain word as a
    member id and refuses anything else.
    """

    def member_id(self, mention: str) -> str | None:
        """Return the user id of the member one word of settings text names; None if none."""
        ...


@runtime_checkable
class ThreadReading(Protocol):
    """A chat port that says whether members' messages in threads reach the bot.

    Discord without the Message Content intent delivers them empty: the round's
    card then asks for answers by button or `/answer` only. A port without this
    reads threads.
    """

    @property
    def reads_threads(self) -> bool:
        """Whether members' messages in threads reach the bot with their text."""
        ...


@runtime_checkable
class PostLookup(Protocol):
    """A chat port that can find a post again by the `key` of the reply it was made from.

    After a process dies in the middle of posting, the core asks before posting
    again, so a round is neither lost nor posted twice. A port without this is
    treated as "unknown": the core then never posts twice, at the risk of missing.
    """

    async def find_round_post(self, channel: ChannelRef, key: str) -> PostedRound | None:
        """Return the round post made with `key` in the channel, and its thread, if any."""
        ...

    async def find_post(self, place: ChannelRef, key: str) -> MessageRef | None:
        """Return the message posted with `key` in a channel or thread, if any."""
        ...


@runtime_checkable
class MessageLinks(Protocol):
    """A chat port that can give a link to one of its messages (a reveal, say)."""

    async def message_link(self, place: ChannelRef, message_id: str) -> str | None:
        """Return a link that opens a message posted in a channel or thread, if any."""
        ...
