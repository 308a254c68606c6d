"""The Discord connection: discord.py's sharded client, its life cycle and gateway listeners.

The client connects this process's shards over a bounded pool of REST
connections, registers the slash commands (`adapters.discord.registration`),
and hands what the gateway delivers to the core: interactions go to
`adapters.discord.interactions`, which answers them within Discord's
deadlines; messages in threads become answers, their replies shown as a
reaction, or privately by direct message; reactions in threads are helpful
votes, and nothing is shown for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import aiohttp
import discord
import yarl

from adapters.discord.chat import DiscordChat, Pacer, process_rate
from adapters.discord.commands import CommandTable
from adapters.discord.events import (
    PLATFORM,
    member_ref,
    reaction_event,
    reaction_may_count,
    reactions_cleared,
    removed_message,
    thread_message,
    unreadable_answer,
)
from adapters.discord.interactions import BUSY_AFTER, DEFER_AFTER, FORM_DEFER_AFTER, Interactions
from adapters.discord.registration import register_commands, sweep_guild_commands
from adapters.discord.render import NO_MENTIONS
from adapters.discord.settings import DiscordSettings
from bot import messages, telemetry
from bot.core import Core
from bot.model import ChannelRef, MemberRef
from bot.ports import PrivateClosed
from bot.reconnect import TRANSIENT, keep_trying
from bot.replies import Reply, Visibility

__all__ = ["REST_CONNECTIONS", "StudybotClient", "intents_for"]

log = logging.getLogger(__name__)

REST_CONNECTIONS = 64  # kept-alive connections to Discord's API (discord.py: no limit)
_REMEMBERED = 100_000  # thread message authors and thread parents kept for deletes


def intents_for(settings: DiscordSettings) -> discord.Intents:
    """Return the gateway intents: guilds, their messages and reactions; message content if on.

    None is privileged but Message Content; reactions carry the helpful votes.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.guild_reactions = True
    intents.message_content = settings.message_content
    return intents


class _Lru(OrderedDict[Hashable, Any]):
    """A bounded map that forgets its oldest entries."""

    def remember(self, key: Hashable, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > _REMEMBERED:
            self.popitem(last=False)


class _HTTPClient(discord.http.HTTPClient):
    """discord.py's HTTP client with its rate-limit bucket cleanup amortised.

    discord.py looks through every rate-limit bucket for idle ones each time a
    new bucket appears (once there are 256). A bot posting to thousands of
    channels has a bucket per channel and route, which makes a daily fan-out
    quadratic. Looking only when the count has doubled since the last look keeps
    the cleanup, in linear time.
    """

    _next_cleanup = 256

    def _try_clear_expired_ratelimits(self) -> None:
        if len(self._buckets) < self._next_cleanup:
            return
        super()._try_clear_expired_ratelimits()
        self._next_cleanup = max(256, 2 * len(self._buckets))


class StudybotClient(discord.AutoShardedClient):
    """discord.py's sharded client with the studybot listeners."""

    def __init__(
        self,
        settings: DiscordSettings,
        *,
        defer_after: float = DEFER_AFTER,
        busy_after: int = BUSY_AFTER,
        form_defer_after: float = FORM_DEFER_AFTER,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        options: dict[str, Any] = {}
        if settings.shard_ids is not None:
            options["shard_ids"] = list(settings.shard_ids)
        super().__init__(
            intents=intents_for(settings),
            shard_count=settings.shard_count,
            allowed_mentions=NO_MENTIONS,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            guild_ready_timeout=guild_ready_timeout,
            **options,
        )
        self.http.__class__ = _HTTPClient
        self.settings = settings
        self.table = CommandTable()
        # Discord's global limit is the bot's: this process gets its share of it
        self.chat = DiscordChat(
            self, Pacer(process_rate(settings.processes)), reads_threads=settings.message_content
        )
        self.core: Core | None = None
        self.interactions = Interactions(
            self.table,
            defer_after=defer_after,
            busy_after=busy_after,
            form_defer_after=form_defer_after,
        )
        self._max_concurrency = 1
        self._authors = _Lru()  # thread message id -> the member who wrote it
        self._told_unreadable = _Lru()  # (thread id, member id) told their text is unreadable
        self._parents = _Lru()  # thread id -> its parent channel id (0: not a thread)
        self._lookups: dict[int, asyncio.Future[int]] = {}
        self._sweep: asyncio.Task[None] | None = None  # removing leftover guild commands

    # -- connecting -----------------------------------------------------------

    async def login(self, token: str) -> None:
        """Log in over a bounded pool of kept-alive connections to the REST API.

        discord.py opens connections without limit: a crowd of interactions
        then opens hundreds at once (each a TCP and TLS handshake with Discord,
        and more CPU for the bot) just when it is busiest. Reusing a bounded
        pool keeps every request on a warm connection; requests beyond it wait
        their turn briefly.
        """
        if self.http.connector is discord.utils.MISSING:
            self.http.connector = aiohttp.TCPConnector(limit=0, limit_per_host=REST_CONNECTIONS)
        await super().login(token)

    async def setup_hook(self) -> None:
        """Register the slash commands: to one guild when configured, else globally.

        Copies left in the other scope by an earlier registration would show every
        command twice (see `adapters.discord.registration`); the guild copies in this
        process's other guilds are removed once connected (`on_ready`).
        """
        app_id = self.application_id
        if app_id is None:
            raise discord.ClientException("Discord did not say which application this bot is")
        await register_commands(
            self.http, self.chat.pacer, app_id, self.table.payloads(), self.settings.guild_id
        )

    @property
    def command_sweep(self) -> asyncio.Task[None] | None:
        """The removal of leftover guild commands, once started (see `on_ready`)."""
        return self._sweep

    async def on_ready(self) -> None:
        """Start removing guild copies of the commands once the guilds are known (once).

        A READY that arrives while the client closes starts nothing.
        """
        if self._sweep is None and not self.is_closed():
            self._sweep = asyncio.create_task(self._sweep_guild_commands(), name="command-sweep")

    async def _sweep_guild_commands(self) -> None:
        """Remove the guild copies of our commands in every guild but the configured one.

        A failure is logged: the copies stay until the next start, and nothing else waits.
        """
        app_id = self.application_id
        if app_id is None:
            return
        guild_ids = [guild.id for guild in self.guilds]
        try:
            await sweep_guild_commands(
                self.http, self.chat.pacer, app_id, guild_ids, self.settings.guild_id
            )
        except Exception as exc:
            if not self.is_closed():
                log.warning("discord: leftover guild commands not removed: %r", exc)

    async def close(self) -> None:
        """Stop the command sweep, then disconnect."""
        if self._sweep is not None and not self._sweep.done():
            self._sweep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweep
        await super().close()

    async def launch_shards(self) -> None:
        """Connect this process's shards to the gateway Discord names at the API base.

        discord.py dials its built-in gateway address when the shard count is
        given; asking `GET /gateway/bot` always keeps the gateway behind a
        configured API base (a proxy, or the tests' loopback Discord). While that
        cannot be reached, it is asked again, backing off.
        """
        if self.is_closed():
            return
        recommended, url, limits = await keep_trying(
            self.http.get_bot_gateway,
            what="discord: cannot get the gateway's address",
            log=log,
            transient=(*TRANSIENT, discord.GatewayNotFound),
        )
        self._max_concurrency = max(1, int(limits.get("max_concurrency", 1)))
        if self.shard_count is None:
            self.shard_count = recommended
        self._connection.shard_count = self.shard_count
        shard_ids: list[int] | range = self.shard_ids or range(self.shard_count)
        self._connection.shard_ids = shard_ids
        gateway = yarl.URL(url)
        for shard_id in shard_ids:
            await self.launch_shard(gateway, shard_id, initial=shard_id == shard_ids[0])

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait between identify batches: `max_concurrency` shards may identify per 5 s."""
        if not initial and (shard_id or 0) % self._max_concurrency == 0:
            await asyncio.sleep(5.0)

    # -- interactions ---------------------------------------------------------

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Answer a slash command, autocomplete, button or modal that is ours."""
        core = self.core
        if core is not None:
            await self.interactions.handle(core, interaction)

    # -- messages in threads --------------------------------------------------

    async def _parent_of(self, channel_id: int, guild_id: int) -> int:
        """Return the parent channel id of a thread known only by id, or 0 if not a thread."""
        channel = self.get_channel(channel_id) or self.get_partial_messageable(
            channel_id, guild_id=guild_id
        )
        return await self._parent_id(channel)

    async def _parent_id(self, channel: object) -> int:
        """Return a thread's parent channel id, or 0 if the channel is not a thread."""
        if isinstance(channel, discord.Thread):
            return channel.parent_id
        if not isinstance(channel, discord.PartialMessageable):
            return 0
        known = self._parents.get(channel.id)
        if known is not None:
            return int(known)
        lookup = self._lookups.get(channel.id)
        if lookup is None:  # one lookup per unknown channel, however many messages wait on it
            lookup = asyncio.ensure_future(self._fetch_parent(channel.id))
            self._lookups[channel.id] = lookup
            lookup.add_done_callback(lambda _: self._lookups.pop(channel.id, None))
        return await asyncio.shield(lookup)

    async def _fetch_parent(self, channel_id: int) -> int:
        await self.chat.pacer.wait()
        fetched = await self.fetch_channel(channel_id)
        parent = fetched.parent_id if isinstance(fetched, discord.Thread) else 0
        self._parents.remember(channel_id, parent)
        return parent

    @staticmethod
    def _can_manage(message: discord.Message) -> bool:
        author, channel = message.author, message.channel
        if not isinstance(author, discord.Member) or not isinstance(channel, discord.Thread):
            return False
        try:
            return channel.permissions_for(author).manage_channels
        except discord.ClientException:  # the parent channel is not cached
            return False

    async def _thread_message(self, message: discord.Message) -> None:
        core = self.core
        if core is None or message.guild is None or message.author.bot:
            return
        parent = await self._parent_id(message.channel)
        if not parent:
            return
        event = thread_message(message, parent, self._can_manage(message))
        if event is None:
            if not self.chat.reads_threads:
                await self._unreadable(message, parent)
            return
        self._authors.remember(message.id, event.actor)
        for reply in await core.handle(event):
            if reply.reaction and not reply.is_error:
                if not await self._mark(message, reply.reaction):
                    await self._tell(event.actor, reply, message)  # said privately instead
            elif reply.visibility is Visibility.PRIVATE:
                await self._tell(event.actor, reply, message)
            elif reply.visibility is Visibility.PUBLIC:
                await self.chat.post(event.place.channel(), reply)
            else:
                await self.chat.reply_to(message, reply)

    async def _unreadable(self, message: discord.Message, parent: int) -> None:
        """Tell a member once per thread that their answer there could not be read."""
        core = self.core
        if core is None or message.guild is None or not unreadable_answer(message):
            return
        key = (message.channel.id, message.author.id)
        if key in self._told_unreadable:
            return
        self._told_unreadable.remember(key, True)
        place = ChannelRef(PLATFORM, str(message.guild.id), str(parent))
        if await core.answer_thread(place) is None:  # not an open round's thread
            return
        author = member_ref(message.author, False)
        await self._tell(author, messages.thread_unreadable(), message)

    async def _mark(self, message: discord.Message, emoji: str) -> bool:
        """React to a member's message; False if Discord refuses (Add Reactions denied there)."""
        try:
            await self.chat.react(message.channel.id, message.id, emoji)
        except discord.Forbidden as exc:
            telemetry.platform_error(PLATFORM, type(exc).__name__)
            log.warning("channel %s: may not react (%s)", message.channel.id, exc.text)
            return False
        return True

    async def _tell(self, member: MemberRef, reply: Reply, message: discord.Message | None) -> None:
        """Tell a member privately (a DM); if their DMs are closed, answer their message."""
        try:
            await self.chat.send_private(member, reply)
        except (PrivateClosed, discord.Forbidden):
            if message is None:
                log.info("member %s does not take direct messages", member.user_id)
                return
            await self.chat.reply_to(message, reply)

    async def on_message(self, message: discord.Message) -> None:
        """Treat a member's message in a round's thread as an answer."""
        await self._thread_message(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Treat an edited thread message as a new version of the same answer."""
        if "content" in payload.data:
            await self._thread_message(payload.message)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """Withdraw the answer a deleted thread message carried."""
        core = self.core
        if core is None or payload.guild_id is None:
            return
        author: MemberRef | None = self._authors.pop(payload.message_id, None)
        cached = payload.cached_message
        if author is None and cached is not None and not cached.author.bot:
            author = member_ref(cached.author, False)
        if author is None:
            return
        parent = await self._parent_of(payload.channel_id, payload.guild_id)
        if not parent:
            return
        event = removed_message(
            payload.guild_id, payload.channel_id, parent, payload.message_id, author
        )
        for reply in await core.handle(event):
            await self._tell(author, reply, None)

    # -- reactions in threads -------------------------------------------------

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """Count a member's reaction in a thread (a 👍 on an answer is a helpful vote)."""
        await self._reaction(payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        """Take back a member's reaction in a thread (and the vote it was)."""
        await self._reaction(payload)

    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        """Take back the votes on a thread message whose reactions a moderator removed."""
        await self._reactions_cleared(payload)

    async def on_raw_reaction_clear_emoji(
        self, payload: discord.RawReactionClearEmojiEvent
    ) -> None:
        """Take back the votes on a thread message whose 👍s a moderator removed."""
        await self._reactions_cleared(payload)

    async def _reactions_cleared(
        self, payload: discord.RawReactionClearEvent | discord.RawReactionClearEmojiEvent
    ) -> None:
        core = self.core
        if core is None or payload.guild_id is None:
            return
        parent = await self._parent_of(payload.channel_id, payload.guild_id)
        event = reactions_cleared(payload, parent)
        if event is not None:
            for reply in await core.handle(event):  # none, unless the core failed
                log.info("cleared reactions not taken into account: %s", reply.text)

    async def _reaction(self, payload: discord.RawReactionActionEvent) -> None:
        core = self.core
        own_id = self.user.id if self.user is not None else None
        if core is None or not reaction_may_count(payload, own_id):
            return
        assert payload.guild_id is not None  # checked by reaction_may_count
        parent = await self._parent_of(payload.channel_id, payload.guild_id)
        guild = self.get_guild(payload.guild_id)
        cached = guild.get_member(payload.user_id) if guild is not None else None
        event = reaction_event(payload, parent, cached, own_id)
        if event is None:
            return
        for reply in await core.handle(event):  # none, unless the core failed
            log.info("reaction by %s not counted: %s", event.actor.user_id, reply.text)
