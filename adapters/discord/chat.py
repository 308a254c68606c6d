"""The ChatPort on Discord: posting rounds (embed, buttons, public thread), reveals, DMs.

Every REST call the adapter starts goes through one `Pacer`, which spaces them
below Discord's global limit (50 requests a second), so a daily fan-out to
thousands of channels never leans on 429s. The limit is the bot's, across all
its processes: a process running part of the shards gets its share of it
(`DiscordSettings.processes`). Interaction callbacks are not paced: Discord
exempts them from the global limit.

Posting a round is two calls (the message, then a thread on it). If the thread
fails after the message went out, the port remembers the message, and the core's
retry edits that message and opens the thread on it instead of posting again.
Messages carry a nonce Discord enforces, so a post retried after a lost
response is not doubled either.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import OrderedDict, deque
from dataclasses import replace
from typing import Literal

import discord

from adapters.discord.events import member_mention
from adapters.discord.render import BUTTON_PREFIX, Outgoing, message_kwargs, render
from bot.model import ChannelRef, MemberRef, MessageRef, PostedRound
from bot.ports import NotAllowed, PrivateClosed
from bot.recap_messages import RECAP_BOARD
from bot.replies import Reply

__all__ = [
    "DEFAULT_RATE",
    "PRIVATE_CLOSED_CODES",
    "DiscordChat",
    "Pacer",
    "UnsuitableChannel",
    "process_rate",
]

log = logging.getLogger(__name__)

DEFAULT_RATE = 47.0  # requests a second: under Discord's 50, with room for network jitter
THREAD_NAME_LIMIT = 100
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440
THREAD_ALREADY_CREATED = 160004
UNKNOWN_CHANNEL = 10003
# Discord's JSON error codes that refuse a direct message for a reason of the member's:
# 50007 Cannot send messages to this user (DMs closed to the server's members, the bot
# blocked, no server shared any more), 10013 Unknown User (the account is gone).
PRIVATE_CLOSED_CODES = frozenset({50007, 10013})
_REMEMBERED_POSTS = 10_000
_REMEMBERED_DMS = 100_000  # members' DM channel ids the port keeps (discord.py keeps 128)
# Where a round can be posted: channels whose messages can start a public thread (not
# voice, stage, forum or media channels, nor threads).
ROUND_CHANNEL_TYPES = (discord.ChannelType.text, discord.ChannelType.news)


class UnsuitableChannel(NotAllowed):
    """A round was to be posted where Discord cannot open its answer thread."""


# What a round needs in its channel: the card, its thread, the thread's messages, the
# card's embed, and the history that finds a post again after a crash.
NEEDED_PERMISSIONS = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("create_public_threads", "Create Public Threads"),
    ("send_messages_in_threads", "Send Messages in Threads"),
    ("embed_links", "Embed Links"),
    ("read_message_history", "Read Message History"),
)
_REFUSED = (
    "Discord refused my post here; give my role View Channel, Send Messages, Create "
    "Public Threads, Send Messages in Threads, Embed Links and Read Message History in "
    "this channel."
)


def process_rate(processes: int, rate: float = DEFAULT_RATE) -> float:
    """Return one process's share of the bot's request rate when `processes` share it."""
    if processes < 1:
        raise ValueError("there is at least one process")
    return rate / processes


class Pacer:
    """Spaces requests out so that Discord never sees more than `rate` in any second.

    Callers take turns (first come, first served), each due one interval after
    the previous one was due. A turn that comes late (the event loop was busy)
    does not push the schedule back: the turns behind it catch up, but never
    beyond `rate` requests in the trailing second of actual departures (below one
    a second: never two within `1 / rate` seconds), so a stall is never followed
    by a burst over the limit.
    """

    def __init__(self, rate: float = DEFAULT_RATE) -> None:
        if not rate > 0:
            raise ValueError("the rate must be more than zero requests a second")
        self.rate = rate
        self._interval = 1.0 / rate
        self._window = max(1.0, self._interval)  # the span `_left` may fill, at most
        self._due = float("-inf")  # when the previous turn was due
        self._left: deque[float] = deque(maxlen=max(1, int(rate)))  # the latest departures
        self._turn = asyncio.Lock()

    async def wait(self) -> None:
        """Wait for this caller's turn."""
        async with self._turn:
            loop = asyncio.get_running_loop()
            now = loop.time()
            due = max(now, self._due + self._interval)
            if len(self._left) == self._left.maxlen:
                due = max(due, self._left[0] + self._window)
            if due > now:
                await asyncio.sleep(due - now)
            self._due = due
            self._left.append(loop.time())


# A post the core may look up again (bot.ports.PostLookup) is recognised by a button it
# carries: the core's key `round-12` names the round card, whose "answer" button holds
# the round id; `reveal-12` the reveal, whose "feedback" button holds it. Discord keeps
# no other hidden data on a message.
_KEY_BUTTONS = {"round": "answer", "reveal": "feedback", "recap": RECAP_BOARD}
_LOOKBACK = 100  # the newest messages searched for a post


def _button_for_key(key: str) -> str | None:
    kind, _, value = key.partition("-")
    action = _KEY_BUTTONS.get(kind)
    return None if action is None or not value else f"{BUTTON_PREFIX}:{action}:{value}"


def _custom_ids(message: dict[str, object]) -> set[str]:
    ids: set[str] = set()
    rows = message.get("components")
    for row in rows if isinstance(rows, list) else []:
        inner = row.get("components") if isinstance(row, dict) else None
        for item in inner if isinstance(inner, list) else []:
            if isinstance(item, dict) and isinstance(item.get("custom_id"), str):
                ids.add(item["custom_id"])
    return ids


def _round_key(channel: ChannelRef, card: Reply) -> str:
    """Return what identifies one round's post in a channel across retries (not its footer)."""
    parts = [channel.channel_id, card.title or "", card.text]
    parts += [f"{b.action}={b.value}" for b in card.buttons]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class DiscordChat:
    """What the core calls for the work it starts itself, on Discord."""

    def __init__(
        self, client: discord.Client, pacer: Pacer | None = None, reads_threads: bool = True
    ) -> None:
        self._client = client
        self.pacer = pacer or Pacer()
        # Without the Message Content intent, members' thread messages arrive empty.
        self.reads_threads = reads_threads
        self._unthreaded: OrderedDict[str, int] = OrderedDict()  # round key -> message id
        self._dm_channels: OrderedDict[str, int] = OrderedDict()  # user id -> DM channel id

    def _channel(self, channel_id: str, guild_id: str) -> discord.PartialMessageable:
        guild = int(guild_id) if guild_id.isdigit() else None
        return self._client.get_partial_messageable(int(channel_id), guild_id=guild)

    async def _send(
        self, target: discord.abc.Messageable, part: Outgoing, nonce: str | None = None
    ) -> discord.Message:
        await self.pacer.wait()
        kwargs = message_kwargs(part)
        if nonce is not None:
            kwargs["nonce"] = nonce
        return await target.send(**kwargs)

    async def _send_all(
        self, target: discord.abc.Messageable, parts: list[Outgoing]
    ) -> discord.Message:
        first = await self._send(target, parts[0])
        for part in parts[1:]:
            await self._send(target, part)
        return first

    async def post_round(self, channel: ChannelRef, card: Reply) -> PostedRound:
        """Post a round's card with its buttons and open its public answer thread on it."""
        try:
            return await self._post_round(channel, card)
        except discord.Forbidden as exc:
            raise NotAllowed(_REFUSED) from exc
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_CHANNEL:
                raise
            raise NotAllowed("the channel no longer exists; set me up in another one.") from exc

    async def message_link(self, place: ChannelRef, message_id: str) -> str | None:
        """Return the link that opens a message of a server channel (`bot.ports.MessageLinks`)."""
        if not place.workspace_id.isdigit():
            return None
        target = place.thread_id or place.channel_id
        return f"https://discord.com/channels/{place.workspace_id}/{target}/{message_id}"

    def member_id(self, mention: str) -> str | None:
        """Return the member a word of settings text names (`bot.ports.MentionReading`)."""
        return member_mention(mention)

    async def posting_problem(self, channel: ChannelRef) -> str | None:
        """Return what keeps the bot from posting rounds in a channel, from Discord's cache.

        A channel of the wrong kind, or permissions the bot lacks there; None when
        the channel is not cached (a refused post says so later all the same).
        """
        found = self._client.get_channel(int(channel.channel_id))
        if found is None:
            return None
        try:
            self._check_round_channel(found.id)
        except UnsuitableChannel as exc:
            return str(exc)
        guild = getattr(found, "guild", None)
        me = guild.me if guild is not None else None
        if me is None or not isinstance(found, discord.abc.GuildChannel):
            return None
        granted = found.permissions_for(me)
        missing = [label for name, label in NEEDED_PERMISSIONS if not getattr(granted, name)]
        if not missing:
            return None
        return (
            f"my role lacks {', '.join(missing)} in this channel. Grant them in the "
            "channel's settings (Permissions), then try again."
        )

    async def _post_round(self, channel: ChannelRef, card: Reply) -> PostedRound:
        self._check_round_channel(int(channel.channel_id))
        key = _round_key(channel, card)
        parts = render(card)
        head = replace(parts[0], buttons=parts[-1].buttons)  # the buttons go on the card itself
        rest = [replace(p, buttons=()) for p in parts[1:]]
        target = self._channel(channel.channel_id, channel.workspace_id)
        message_id = self._unthreaded.get(key)
        if message_id is None:
            message = await self._send(target, head, nonce=key[:25])
            message_id = message.id
            self._unthreaded[key] = message_id
            while len(self._unthreaded) > _REMEMBERED_POSTS:
                self._unthreaded.popitem(last=False)
        else:
            log.info(
                "channel %s: opening the thread on the already posted round", channel.channel_id
            )
            await self.pacer.wait()
            await target.get_partial_message(message_id).edit(**message_kwargs(head, editing=True))
        try:
            thread_id = await self._open_thread(int(channel.channel_id), message_id, card)
        except discord.Forbidden:
            # No thread may open here: the card would stand with nowhere to answer.
            self._unthreaded.pop(key, None)
            with contextlib.suppress(discord.HTTPException):
                await self.pacer.wait()
                await target.get_partial_message(message_id).delete()
            raise
        self._unthreaded.pop(key, None)
        if rest:
            await self._send_all(self._channel(str(thread_id), channel.workspace_id), rest)
        thread = ChannelRef(
            channel.platform, channel.workspace_id, channel.channel_id, str(thread_id)
        )
        return PostedRound(MessageRef(channel, str(message_id)), thread)

    def _check_round_channel(self, channel_id: int) -> None:
        """Refuse, before any request, a channel known to be one a round cannot live in.

        Discord would take the card in a voice channel's chat, then refuse its thread
        (50024), and refuses messages in a forum (50008): the card would stand there
        without a thread, at every retry.
        """
        known = self._client.get_channel(channel_id)
        kind = getattr(known, "type", None)
        if known is not None and kind not in ROUND_CHANNEL_TYPES:
            name = kind.name if isinstance(kind, discord.ChannelType) else "unknown"
            raise UnsuitableChannel(
                f"this is a {name} channel; daily questions need a text or announcement "
                "channel, where threads open on messages. Set me up in one of those."
            )

    async def find_round_post(self, channel: ChannelRef, key: str) -> PostedRound | None:
        """Return the round card posted with `key` among the channel's newest messages.

        A card found without its thread gets the thread now (a crash came between).
        """
        message = await self.find_post(channel, key)
        if message is None:
            return None
        thread_id = await self._open_thread_named(
            int(channel.channel_id), int(message.message_id), "Answers"
        )
        thread = ChannelRef(
            channel.platform, channel.workspace_id, channel.channel_id, str(thread_id)
        )
        return PostedRound(message, thread)

    async def find_post(self, place: ChannelRef, key: str) -> MessageRef | None:
        """Return the bot's message posted with `key` among the newest in a channel or thread."""
        wanted = _button_for_key(key)
        me = self._client.user
        if wanted is None or me is None:
            return None
        await self.pacer.wait()
        target = int(place.thread_id or place.channel_id)
        for data in await self._client.http.logs_from(target, _LOOKBACK):
            author = data.get("author", {})
            if str(author.get("id")) == str(me.id) and wanted in _custom_ids(dict(data)):
                return MessageRef(place, str(data["id"]))
        return None

    async def _open_thread(self, channel_id: int, message_id: int, card: Reply) -> int:
        return await self._open_thread_named(channel_id, message_id, card.title or "Answers")

    async def _open_thread_named(self, channel_id: int, message_id: int, title: str) -> int:
        name = title.strip() or "Answers"
        if len(name) > THREAD_NAME_LIMIT:
            name = name[: THREAD_NAME_LIMIT - 1] + "…"
        await self.pacer.wait()
        try:
            data = await self._client.http.start_thread_with_message(
                channel_id,
                message_id,
                name=name,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException as exc:
            if exc.code != THREAD_ALREADY_CREATED:
                raise
            return message_id  # a thread started on a message has the message's id
        return int(data["id"])

    async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
        """Post a reply in a channel or thread, split over as many messages as it needs.

        `NotAllowed` if Discord refuses it for want of a permission.
        """
        target_id = place.thread_id or place.channel_id
        try:
            target = self._channel(target_id, place.workspace_id)
            message = await self._send_all(target, render(reply))
        except discord.Forbidden as exc:  # a permission missing there (Attach Files, say)
            raise NotAllowed(_REFUSED) from exc
        return MessageRef(place, str(message.id))

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        """Send a direct message to a member; `PrivateClosed` if Discord refuses it for them.

        The DM channel is opened only the first time: discord.py keeps the latest 128
        DM channels, the port remembers many more, so a daily reminder to the same
        members costs one request each, not two, and does not lean on Discord's
        separate limit on opening DMs.
        """
        try:
            channel_id = self._dm_channels.get(member.user_id)
            if channel_id is None:
                await self.pacer.wait()
                dm = await self._client.create_dm(discord.Object(int(member.user_id)))
                channel_id = dm.id
            self._dm_channels[member.user_id] = channel_id
            self._dm_channels.move_to_end(member.user_id)
            while len(self._dm_channels) > _REMEMBERED_DMS:
                self._dm_channels.popitem(last=False)
            private = discord.ChannelType.private
            target = self._client.get_partial_messageable(channel_id, type=private)
            await self._send_all(target, render(reply))
        except discord.HTTPException as exc:
            if exc.code not in PRIVATE_CLOSED_CODES:
                raise
            raise PrivateClosed(f"discord {exc.code}") from exc

    async def react(self, channel_id: int, message_id: int, emoji: str) -> None:
        """Add a reaction to a message."""
        await self.pacer.wait()
        await self._client.http.add_reaction(channel_id, message_id, emoji)

    async def reply_to(self, message: discord.Message, reply: Reply) -> None:
        """Answer a member's message where it is, mentioning only that member."""
        mention = discord.AllowedMentions(
            everyone=False, users=[message.author], roles=False, replied_user=True
        )
        for i, part in enumerate(render(reply)):
            await self.pacer.wait()
            kwargs = message_kwargs(part)
            kwargs["allowed_mentions"] = mention
            if i == 0:
                kwargs["reference"] = message
            await message.channel.send(**kwargs)
