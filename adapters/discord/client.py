"""The Discord connection: discord.py's sharded client, its listeners, and the Platform.

Listeners hand translated events to the core and show its replies:
interactions are answered at once when the core is quick, or deferred
(ephemerally, "thinking") and followed up when it takes longer than
`defer_after`, or at once when more than `busy_after` interactions are
already in hand (a crowd arriving together), so that each is acknowledged
well inside Discord's 3 seconds; private replies are ephemeral. An
interaction the core may answer with a form (a button, `/answer` without
text) is never deferred ahead of its reply, crowd or not: Discord takes a
modal only as the first response. Only when the core has not answered it
`form_defer_after` seconds in is it deferred, as a last resort. Messages
in threads become answers; their replies show as a reaction, or privately
by direct message. Reactions in threads are helpful votes; nothing is shown
for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections import OrderedDict
from collections.abc import Coroutine
from typing import Any

import aiohttp
import discord
import yarl

from adapters.discord.chat import DiscordChat, Pacer, process_rate
from adapters.discord.commands import CommandTable, suggestions
from adapters.discord.events import (
    PLATFORM,
    interaction_event,
    may_open_form,
    member_ref,
    reaction_event,
    reaction_may_count,
    reactions_cleared,
    removed_message,
    thread_message,
)
from adapters.discord.render import NO_MENTIONS, message_kwargs, modal_for, render
from adapters.discord.settings import DiscordSettings
from bot import telemetry
from bot.app import App
from bot.core import Core
from bot.model import MemberRef
from bot.replies import Reply, Visibility
from bot.service import PlatformError

__all__ = [
    "BUSY_AFTER",
    "DEFER_AFTER",
    "FORM_DEFER_AFTER",
    "SWEEP_REFUSALS",
    "DiscordPlatform",
    "StudybotClient",
    "intents_for",
]

log = logging.getLogger(__name__)

DEFER_AFTER = 1.5  # seconds the core may take before an interaction is deferred
# seconds the core may take on an interaction it may answer with a form (a modal can't
# follow a deferral) before it is deferred all the same, as the last resort, inside 3 s
FORM_DEFER_AFTER = 2.4
BUSY_AFTER = 20  # interactions in hand beyond which new ones are deferred at once
CROWD_WORK_WAIT = 1.0  # seconds a crowd's work waits at most for the crowd's acks
REST_CONNECTIONS = 64  # kept-alive connections to Discord's API (discord.py: no limit)
_REMEMBERED = 100_000  # thread message authors and thread parents kept for deletes
SWEEP_REFUSALS = 20  # 403s after which the sweep of leftover guild commands gives up
_FORM_TOO_LATE = Reply(
    text="That took a moment too long to open the form. Please try again.", is_error=True
)
_MOVED = Reply(text="Done: posted in the channel.")


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


async def _defer(interaction: discord.Interaction) -> None:
    """Acknowledge an interaction with a private "thinking" message, to be edited later."""
    await interaction.response.defer(ephemeral=True, thinking=True)


def _intent_refused(settings: DiscordSettings) -> str:
    """Say, in one line, that Discord refused a privileged intent and how to go on."""
    if settings.message_content:
        return (
            "Discord refused the Message Content intent (gateway close 4014): turn it on in "
            "the developer portal under Bot → Privileged Gateway Intents → Message Content "
            "Intent, or set DISCORD_MESSAGE_CONTENT=off to run without it (members then answer "
            "with the Answer privately button or /answer, not in the thread)"
        )
    return (  # the adapter asks for no other privileged intent (see intents_for)
        "Discord refused a privileged gateway intent (close 4014): turn it on in the "
        "developer portal under Bot → Privileged Gateway Intents"
    )


class _Lru(OrderedDict[int, Any]):
    """A bounded map that forgets its oldest entries."""

    def remember(self, key: int, value: Any) -> None:
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
        self.chat = DiscordChat(self, Pacer(process_rate(settings.processes)))
        self.core: Core | None = None
        self._defer_after = defer_after
        self._busy_after = busy_after
        self._form_defer_after = form_defer_after
        self._in_flight = 0  # interactions being answered now
        self._acking = 0  # crowd interactions whose acknowledgement is on its way
        self._acked = asyncio.Event()  # set when no acknowledgement is on its way
        self._acked.set()
        self._max_concurrency = 1
        self._authors = _Lru()  # thread message id -> the member who wrote it
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
        command twice. Registered to one guild, the global copies are removed if the
        bot is in no other guild (where they are the bot's only commands, they stay,
        with a warning). Once connected, the guild copies in this process's other
        guilds are removed (`on_ready`).
        """
        app_id = self.application_id
        if app_id is None:
            raise discord.ClientException("Discord did not say which application this bot is")
        payload = self.table.payloads()
        guild_id = self.settings.guild_id
        await self.chat.pacer.wait()
        if guild_id is not None:
            await self.http.bulk_upsert_guild_commands(app_id, guild_id, payload)
            try:
                await self._drop_global_commands(app_id, guild_id)
            except discord.HTTPException as exc:  # a clean-up: the bot runs without it
                log.warning("could not check for global slash commands to remove: %s", exc)
        else:
            await self.http.bulk_upsert_global_commands(app_id, payload)
        log.info("registered %d slash commands", len(payload))

    async def _drop_global_commands(self, app_id: int, guild_id: int) -> None:
        """Remove the application's global commands if the bot is in no guild but `guild_id`."""
        await self.chat.pacer.wait()
        found = await self.http.get_global_commands(app_id)
        if not found:
            return
        await self.chat.pacer.wait()
        guilds = await self.http.get_guilds(2, with_counts=False)
        if any(int(g["id"]) != guild_id for g in guilds):
            log.warning(
                "the %d global slash commands stay (the bot's other servers use them), so "
                "members of server %s, where they are registered too (DISCORD_GUILD_ID), see "
                "each command twice; unset DISCORD_GUILD_ID to register them globally only",
                len(found),
                guild_id,
            )
            return
        await self.chat.pacer.wait()
        await self.http.bulk_upsert_global_commands(app_id, [])
        log.info(
            "removed %d global slash commands: the bot is only in server %s, which has them",
            len(found),
            guild_id,
        )

    @property
    def command_sweep(self) -> asyncio.Task[None] | None:
        """The removal of leftover guild commands, once started (see `on_ready`)."""
        return self._sweep

    async def on_ready(self) -> None:
        """Start removing guild copies of the commands once the guilds are known (once)."""
        if self._sweep is None:
            self._sweep = asyncio.create_task(self._sweep_guild_commands(), name="command-sweep")

    async def _sweep_guild_commands(self) -> None:
        """Remove the guild copies of our commands in every guild but the configured one.

        One paced request per guild this process serves (two where copies are found),
        in the background; guilds where Discord refuses access (the app lacks the
        `applications.commands` scope there) are skipped, and the sweep stops after a
        few such refusals so as not to spend Discord's invalid-request allowance.
        """
        app_id = self.application_id
        if app_id is None:
            return
        removed = refused = 0
        for guild in list(self.guilds):
            if guild.id == self.settings.guild_id:
                continue
            try:
                await self.chat.pacer.wait()
                found = await self.http.get_guild_commands(app_id, guild.id)
                if not found:
                    continue
                await self.chat.pacer.wait()
                await self.http.bulk_upsert_guild_commands(app_id, guild.id, [])
            except discord.Forbidden:
                refused += 1
                if refused >= SWEEP_REFUSALS:
                    log.warning("stopped removing leftover guild commands: access refused")
                    return
                continue
            except discord.HTTPException as exc:
                log.warning("server %s: could not remove its guild commands: %s", guild.id, exc)
                continue
            removed += 1
            log.info(
                "server %s: removed %d leftover guild copies of the slash commands",
                guild.id,
                len(found),
            )
        if removed:
            log.info("removed leftover guild commands in %d servers", removed)

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
        configured API base (a proxy, or the tests' loopback Discord).
        """
        if self.is_closed():
            return
        recommended, url, limits = await self.http.get_bot_gateway()
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
        if core is None:
            return
        if interaction.type is discord.InteractionType.autocomplete:
            await self._autocomplete(core, interaction)
            return
        event = interaction_event(interaction, self.table)
        if event is None:
            return
        if may_open_form(event, self.table):
            await self._answer_first(interaction, core.handle(event))
        else:
            await self._answer(interaction, core.handle(event))

    async def _autocomplete(self, core: Core, interaction: discord.Interaction) -> None:
        focused = self.table.focused(interaction.data or {})
        options: list[str] = []
        if focused is not None and focused[0].dynamic:
            options = suggestions(focused[1], core.dynamic_choices(focused[0].dynamic))
        await interaction.response.autocomplete(
            [discord.app_commands.Choice(name=o, value=o) for o in options]
        )

    async def _answer(
        self, interaction: discord.Interaction, work: Coroutine[Any, Any, list[Reply]]
    ) -> None:
        self._in_flight += 1
        try:
            if self._in_flight > self._busy_after:
                # A crowd arrived at once: acknowledge first (within Discord's 3 s), and
                # start the work once the whole crowd is acknowledged (or a little later
                # at most, should acknowledgements keep coming), so that no work delays
                # an acknowledgement still to be sent.
                try:
                    await self._acknowledge(interaction)
                except discord.HTTPException:
                    await work  # too late to answer, but what the member sent still counts
                    raise
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(CROWD_WORK_WAIT):
                        await self._acked.wait()
                await self._follow_up(interaction, await work)
                return
            await self._answer_within(interaction, work, self._defer_after)
        finally:
            self._in_flight -= 1

    async def _answer_first(
        self, interaction: discord.Interaction, work: Coroutine[Any, Any, list[Reply]]
    ) -> None:
        """Answer an interaction the core may answer with a form: its reply comes first.

        Neither a crowd nor `defer_after` defers it, since a modal cannot follow a
        deferral; only if the core has not answered `form_defer_after` seconds in is
        it deferred (a form then says it could not open). Until it is answered it
        counts among the crowd's acknowledgements on their way, so the crowd's work
        (which waits for those, briefly) does not hold up its reply.
        """
        self._in_flight += 1
        self._acking += 1
        self._acked.clear()
        try:
            await self._answer_within(interaction, work, self._form_defer_after)
        finally:
            self._in_flight -= 1
            self._acking -= 1
            if not self._acking:
                self._acked.set()

    async def _answer_within(
        self,
        interaction: discord.Interaction,
        work: Coroutine[Any, Any, list[Reply]],
        defer_after: float,
    ) -> None:
        """Run the work and respond with its replies; defer meanwhile if it outlasts `defer_after`.

        The work runs in this task; should it take longer, a timer defers the
        interaction (and the replies follow up). Zero or less: always defer first.
        """
        if defer_after <= 0:  # configured to always defer
            await _defer(interaction)
            await self._follow_up(interaction, await work)
            return
        loop = asyncio.get_running_loop()
        deferral: asyncio.Task[None] | None = None

        def defer() -> None:
            nonlocal deferral
            deferral = loop.create_task(_defer(interaction))

        timer = loop.call_later(defer_after, defer)
        try:
            replies = await work
        except BaseException:
            if deferral is not None:
                deferral.cancel()
            raise
        finally:
            timer.cancel()
        if deferral is None:
            await self._respond(interaction, replies)
        else:
            await deferral
            await self._follow_up(interaction, replies)

    async def _acknowledge(self, interaction: discord.Interaction) -> None:
        """Defer an interaction ("thinking", ephemeral), counted among the crowd's acks."""
        self._acking += 1
        self._acked.clear()
        try:
            await _defer(interaction)
        finally:
            self._acking -= 1
            if not self._acking:
                self._acked.set()

    async def _respond(self, interaction: discord.Interaction, replies: list[Reply]) -> None:
        for reply in replies:
            if reply.form is not None and not interaction.response.is_done():
                await interaction.response.send_modal(modal_for(reply.form))
                continue
            ephemeral = reply.visibility is Visibility.PRIVATE
            for part in render(reply):
                kwargs = {**message_kwargs(part), "ephemeral": ephemeral}
                if interaction.response.is_done():
                    await interaction.followup.send(**kwargs)
                else:
                    await interaction.response.send_message(**kwargs)

    async def _follow_up(self, interaction: discord.Interaction, replies: list[Reply]) -> None:
        original_open = True  # the deferred ("thinking") message waits for its content
        for reply in replies:
            shown = _FORM_TOO_LATE if reply.form is not None else reply
            ephemeral = shown.visibility is Visibility.PRIVATE
            for part in render(shown):
                if original_open and ephemeral:
                    await interaction.edit_original_response(**message_kwargs(part))
                else:
                    if original_open:
                        await interaction.edit_original_response(
                            **message_kwargs(render(_MOVED)[0])
                        )
                    await interaction.followup.send(**message_kwargs(part), ephemeral=ephemeral)
                original_open = False

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
        except discord.Forbidden:
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


class DiscordPlatform:
    """Studybot on Discord: the client, its chat port, and its life cycle."""

    name = "discord"

    def __init__(
        self,
        settings: DiscordSettings,
        *,
        defer_after: float = DEFER_AFTER,
        busy_after: int = BUSY_AFTER,
        form_defer_after: float = FORM_DEFER_AFTER,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        self.settings = settings
        self.client = StudybotClient(
            settings,
            defer_after=defer_after,
            busy_after=busy_after,
            form_defer_after=form_defer_after,
            guild_ready_timeout=guild_ready_timeout,
        )
        self._started = False

    @property
    def chat(self) -> DiscordChat:
        """The port the core posts rounds and reveals through."""
        return self.client.chat

    async def run(self, app: App) -> None:
        """Connect to Discord (at the configured API base) and serve events until closed."""
        # discord.py keeps its REST base (webhooks and interaction callbacks included)
        # in a class attribute: one API base per process.
        discord.http.Route.BASE = self.settings.api_base
        # The app is built: its question bank and modules live as long as the process.
        # Moving them out of the garbage collector's reach spares the event loop full
        # collections of 50-200 ms, which would stall every interaction in flight.
        gc.collect()
        gc.freeze()
        self.client.core = app.core
        self._started = True
        try:
            async with self.client:
                await self.client.start(self.settings.token)
        except discord.PrivilegedIntentsRequired:
            raise PlatformError(_intent_refused(self.settings)) from None

    async def close(self) -> None:
        """Disconnect from Discord (nothing to do if `run` never started)."""
        if self._started:
            await self.client.close()

    def is_connected(self) -> bool:
        """Say whether a shard is connected and the client has not been closed."""
        if self.client.is_closed():
            return False
        return any(not shard.is_closed() for shard in self.client.shards.values())
