"""Discord interactions and messages translated into core events.

The only place inbound Discord payloads become core values: slash commands
become `Invocation`s, button presses `ButtonPress`es, modal submits
`FormSubmit`s, messages in threads `ThreadReply`s (an edit repeats the
message id) or `MessageRemoved`s, and reactions in threads `ReactionAdded`s or
`ReactionRemoved`s (or `ReactionsCleared` when a moderator removes them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import discord

from adapters.discord.commands import CommandTable
from adapters.discord.render import BUTTON_PREFIX, FORM_PREFIX
from bot.model import ChannelRef, MemberRef
from bot.ports import (
    ButtonPress,
    Event,
    FormSubmit,
    Invocation,
    MessageRemoved,
    ReactionAdded,
    ReactionRemoved,
    ReactionsCleared,
    ThreadReply,
)

__all__ = [
    "DM_WORKSPACE",
    "PLATFORM",
    "interaction_event",
    "interaction_place",
    "may_open_form",
    "member_mention",
    "member_ref",
    "reaction_event",
    "reaction_may_count",
    "reactions_cleared",
    "removed_message",
    "replies_to_other",
    "thread_message",
    "unreadable_answer",
]

PLATFORM = "discord"
DM_WORKSPACE = "@me"  # the workspace of a place in direct messages: Discord's name for them
# A member in settings text: a mention picked in a string option (`<@123>`, `<@!123>`
# from older clients) or the id typed; a role (`<@&123>`) is no member.
_MEMBER = re.compile(r"<@!?(\d{1,20})>|(\d{1,20})")


def member_mention(word: str) -> str | None:
    """Return the member id a word of settings text names (`<@123>`, `<@!123>`, `123`)."""
    found = _MEMBER.fullmatch(word)
    return (found.group(1) or found.group(2)) if found is not None else None


def member_ref(user: discord.abc.User, can_manage: bool) -> MemberRef:
    """Return a core member for a Discord user."""
    return MemberRef(PLATFORM, str(user.id), user.display_name, can_manage=can_manage)


def _place(guild_id: int, channel_id: int, parent_id: int | None) -> ChannelRef:
    if parent_id is not None:
        return ChannelRef(PLATFORM, str(guild_id), str(parent_id), str(channel_id))
    return ChannelRef(PLATFORM, str(guild_id), str(channel_id))


def interaction_place(interaction: discord.Interaction) -> ChannelRef | None:
    """Return where an interaction happened (a thread's place names its parent), or None.

    In the bot's direct messages with a member (an appeal's case is sent there,
    with its buttons) the place is that DM channel, in no guild (`DM_WORKSPACE`):
    no group lives there, and the core finds the group from what the button names.
    Other private channels (group DMs, a user-installed app's) are not ours.
    """
    if interaction.channel_id is None:
        return None
    if interaction.guild_id is None:
        if not isinstance(interaction.channel, discord.DMChannel):
            return None
        return ChannelRef(PLATFORM, DM_WORKSPACE, str(interaction.channel_id))
    channel = interaction.channel
    parent = channel.parent_id if isinstance(channel, discord.Thread) else None
    return _place(interaction.guild_id, interaction.channel_id, parent)


def _actor(interaction: discord.Interaction) -> MemberRef:
    return member_ref(interaction.user, interaction.permissions.manage_channels)


def _custom_id(data: Mapping[str, Any], prefix: str) -> tuple[str, str] | None:
    head, _, rest = str(data.get("custom_id", "")).partition(":")
    if head != prefix or not rest:
        return None
    name, _, value = rest.partition(":")
    return name, value


def _submitted_values(components: Any) -> Iterator[tuple[str, str]]:
    """Yield (custom_id, value) of every input in a modal submit, in rows or labels."""
    if isinstance(components, list):
        for item in components:
            yield from _submitted_values(item)
    elif isinstance(components, dict):
        if "custom_id" in components and isinstance(components.get("value"), str):
            yield str(components["custom_id"]), components["value"]
        for key in ("components", "component"):
            if key in components:
                yield from _submitted_values(components[key])


def interaction_event(interaction: discord.Interaction, table: CommandTable) -> Event | None:
    """Return the core event of a command, button or modal interaction, or None if not ours."""
    place = interaction_place(interaction)
    data: Mapping[str, Any] = interaction.data or {}
    if place is None:
        return None
    if interaction.type is discord.InteractionType.application_command:
        call = table.resolve(data)
        if call is None:
            return None
        return Invocation(call.command.name, call.args, _actor(interaction), place)
    if interaction.type is discord.InteractionType.component:
        button = _custom_id(data, BUTTON_PREFIX)
        if button is None:
            return None
        return ButtonPress(button[0], _actor(interaction), place, button[1])
    if interaction.type is discord.InteractionType.modal_submit:
        form = _custom_id(data, FORM_PREFIX)
        if form is None:
            return None
        values = dict(_submitted_values(data.get("components", [])))
        return FormSubmit(form[0], _actor(interaction), place, values, form[1])
    return None


def may_open_form(event: Event, table: CommandTable) -> bool:
    """Tell whether the core may answer an interaction's event with a form (a modal).

    Discord takes a modal only as an interaction's first response, so such an
    interaction must not be deferred. The core answers a button press with a form
    (a round's *Answer privately*, a practice question's *Answer*), and a command
    whose optional free text was left out (`/answer` without text opens the form).
    """
    if isinstance(event, ButtonPress):
        return True
    if isinstance(event, Invocation) and not event.args.strip():
        command = table.command(event.command)
        return command is not None and any(p.rest and not p.required for p in command.params)
    return False


def thread_message(
    message: discord.Message, parent_id: int, can_manage: bool
) -> ThreadReply | None:
    """Return a member's message (or its edit) in a thread as a ThreadReply, or None.

    Bots' messages, system messages and messages whose text the bot cannot read
    (no Message Content intent) are not answers. A reply to another member's
    message is marked `replies_to_other` (discussion).
    """
    if message.author.bot or message.guild is None or not message.content.strip():
        return None
    if message.type not in (discord.MessageType.default, discord.MessageType.reply):
        return None
    place = _place(message.guild.id, message.channel.id, parent_id)
    return ThreadReply(
        place,
        member_ref(message.author, can_manage),
        message.content,
        str(message.id),
        replies_to_other=replies_to_other(message),
    )


def replies_to_other(message: discord.Message) -> bool:
    """Tell whether a message is Discord's reply to a message another member wrote.

    A reply to one's own message or to a bot's (the question, the bot's notes)
    is not. Discord sends the message replied to along with the reply; when it
    was deleted (or is unknown), the reply is taken for discussion all the same.
    """
    reference = message.reference
    if reference is None or message.type is not discord.MessageType.reply:
        return False
    replied = reference.resolved if isinstance(reference.resolved, discord.Message) else None
    replied = replied or reference.cached_message
    if replied is None:
        return True
    return not replied.author.bot and replied.author.id != message.author.id


def unreadable_answer(message: discord.Message) -> bool:
    """Tell whether a member's thread message came without the text it must have had.

    Without the Message Content intent, Discord sends other members' messages
    with empty content (and no attachments or embeds to show for it).
    """
    if message.author.bot or message.guild is None or message.content.strip():
        return False
    return message.type in (discord.MessageType.default, discord.MessageType.reply)


def removed_message(
    guild_id: int, thread_id: int, parent_id: int, message_id: int, author: MemberRef
) -> MessageRemoved:
    """Return a deleted thread message as MessageRemoved."""
    return MessageRemoved(_place(guild_id, thread_id, parent_id), author, str(message_id))


def reaction_may_count(payload: discord.RawReactionActionEvent, own_id: int | None) -> bool:
    """Tell whether a reaction may be a vote: a member's Unicode emoji in a guild.

    The bot's own reactions, other bots' (when Discord says who reacted), reactions
    outside a guild and custom emoji are not. Checked before looking up the channel.
    """
    if payload.guild_id is None or payload.user_id == own_id:
        return False
    if payload.member is not None and payload.member.bot:
        return False
    return payload.emoji.is_unicode_emoji() and bool(payload.emoji.name)


def reaction_event(
    payload: discord.RawReactionActionEvent,
    parent_id: int,
    reactor: discord.Member | None,
    own_id: int | None,
) -> ReactionAdded | ReactionRemoved | None:
    """Return a reaction in a thread as ReactionAdded/ReactionRemoved; None if it cannot vote.

    `parent_id` is the thread's parent channel (0: the channel is not a thread).
    The reactor's name is the member Discord sends with an added reaction, else
    `reactor` (a cached member), else empty: Discord does not say it when a
    reaction is taken back, and the core then keeps the name on record.
    """
    if not parent_id or not reaction_may_count(payload, own_id):
        return None
    assert payload.guild_id is not None  # checked by reaction_may_count
    member = payload.member or reactor
    if member is not None and member.bot:
        return None
    name = member.display_name if member is not None else ""
    actor = MemberRef(PLATFORM, str(payload.user_id), name)
    place = _place(payload.guild_id, payload.channel_id, parent_id)
    kind = ReactionAdded if payload.event_type == "REACTION_ADD" else ReactionRemoved
    return kind(place, actor, str(payload.message_id), payload.emoji.name, burst=payload.burst)


def reactions_cleared(
    payload: discord.RawReactionClearEvent | discord.RawReactionClearEmojiEvent, parent_id: int
) -> ReactionsCleared | None:
    """Return a moderator's removal of a thread message's reactions (all, or one emoji's).

    None outside a guild or a thread, and for a custom emoji (never a vote).
    """
    if payload.guild_id is None or not parent_id:
        return None
    emoji: str | None = None
    if isinstance(payload, discord.RawReactionClearEmojiEvent):
        if not payload.emoji.is_unicode_emoji() or not payload.emoji.name:
            return None
        emoji = payload.emoji.name
    place = _place(payload.guild_id, payload.channel_id, parent_id)
    return ReactionsCleared(place, str(payload.message_id), emoji)
