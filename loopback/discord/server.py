"""The loopback Discord tests and benchmarks start: one aiohttp server, REST plus gateway.

`FakeDiscord` assembles the parts (the `State`, the `Gateway`, the
`RateLimiter`, the injected `Faults`, the `Members`, the `Interactions` and
the `Rest` routes), serves them on 127.0.0.1 (an ephemeral port) and offers
what each part does under one name, as tests and benchmarks call it:
`fake.add_guild(...)`, `fake.react(...)`, `fake.calls`, `fake.sessions`.
"""

from __future__ import annotations

import gc

from aiohttp import web

from loopback.discord.faults import Faults
from loopback.discord.gateway import MESSAGE_CONTENT, Gateway
from loopback.discord.interactions import Interactions
from loopback.discord.members import Members
from loopback.discord.ratelimits import RateLimiter, bucket_key, exempt
from loopback.discord.responses import Json
from loopback.discord.rest import Rest
from loopback.discord.state import State


class FakeDiscord:
    """Discord on 127.0.0.1: REST plus gateway, with recording and fault injection."""

    bucket_key = staticmethod(bucket_key)

    def __init__(
        self,
        *,
        shard_count: int = 1,
        max_concurrency: int = 16,
        global_limit: int | None = None,
        route_limit: tuple[int, float] | None = None,
        token: str = "fake-bot-token",
        enabled_intents: int = MESSAGE_CONTENT,
    ) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.state = state = State(shard_count=shard_count, token=token)
        self.gateway = gateway = Gateway(
            state, enabled_intents=enabled_intents, url=lambda: self.gateway_url
        )
        self.limiter = RateLimiter(global_limit=global_limit, route_limit=route_limit)
        self.faults = Faults()
        self.members = members = Members(state, gateway)
        self._interactions = interactions = Interactions(state, gateway)
        self.rest = rest = Rest(
            state,
            gateway=gateway,
            limiter=self.limiter,
            faults=self.faults,
            members=members,
            interactions=interactions,
            max_concurrency=max_concurrency,
            gateway_url=lambda: self.gateway_url,
        )
        self._offer_the_world(state, members)
        self._offer_the_wire(gateway, rest, interactions)

    def _offer_the_world(self, state: State, members: Members) -> None:
        """Offer the world and what members do in it under the fake's own names."""
        # containers shared with the parts, never replaced
        self.guilds = state.guilds
        self.channels = state.channels
        self.messages = state.messages
        self.reactions = state.reactions
        self.closed_dms = state.closed_dms
        self.gone_users = state.gone_users
        self.bot_user = state.bot_user
        self.command_store = state.command_store
        self.commands = state.command_store.lists  # "global", and guild ids: what is registered
        self.no_commands_scope = state.command_store.no_scope  # guilds invited without commands
        self.snowflake = state.snowflake
        self.shard_of = state.shard_of
        self.user = state.user
        self.add_guild = state.add_guild
        self.add_channel = state.add_channel
        self.permissions_in = state.permissions_in
        self.bot_permissions = state.bot_permissions
        self.member = state.member
        self.thread_of = state.thread_of
        self.messages_in = state.messages_in
        self.dms_to = state.dms_to
        self.dm_channel = state.dm_channel
        self.visible_commands = state.command_store.visible
        # what members do
        self.set_overwrites = members.set_overwrites
        self.add_forum_post = members.add_forum_post
        self.user_message = members.user_message
        self.edit_user_message = members.edit_user_message
        self.delete_message = members.delete_message
        self.react = members.react
        self.unreact = members.unreact
        self.clear_reactions = members.clear_reactions
        self.reaction_payload = members.reaction_payload

    def _offer_the_wire(self, gateway: Gateway, rest: Rest, interactions: Interactions) -> None:
        """Offer the gateway, REST, injected faults and interactions under the fake's names."""
        self.identifies = gateway.identifies
        self.resumes = gateway.resumes
        self.sessions = gateway.sessions
        self.dispatch = gateway.dispatch
        self.wait_ready = gateway.wait_ready
        self.drop_gateway = gateway.drop
        self.calls = rest.calls
        self.calls_to = rest.calls_to
        self.failures = self.faults.failures
        self.slowdowns = self.faults.slowdowns
        self.fail = self.faults.fail
        self.slow = self.faults.slow
        self.interactions = interactions.records  # by id
        self.interaction_payload = interactions.payload
        self.send_interaction = interactions.send
        self.command_data = interactions.command_data
        self.run_command = interactions.run_command
        self.press = interactions.press
        self.submit_modal = interactions.submit_modal
        self.drive = interactions.drive

    # -- settings and counters kept by the parts ------------------------------------

    @property
    def shard_count(self) -> int:
        """The number of shards `GET /gateway/bot` recommends (guild ids land on them)."""
        return self.state.shard_count

    @property
    def token(self) -> str:
        """The bot token the fake accepts."""
        return self.state.token

    @property
    def app_id(self) -> int:
        """The application's (and the bot user's) id."""
        return self.state.app_id

    @property
    def max_concurrency(self) -> int:
        """The `max_concurrency` of `GET /gateway/bot`'s session start limit."""
        return self.rest.max_concurrency

    @property
    def reacted(self) -> set[tuple[int, int, str, bool]]:
        """Every reaction on a message now: (message, user, emoji, burst)."""
        return self.state.reacted

    @property
    def enabled_intents(self) -> int:
        """The privileged intents turned on in the developer portal (Bot page)."""
        return self.gateway.enabled_intents

    @enabled_intents.setter
    def enabled_intents(self, value: int) -> None:
        self.gateway.enabled_intents = value

    @property
    def global_limit(self) -> int | None:
        """Requests a second the global limit allows (None: not enforced)."""
        return self.limiter.global_limit

    @global_limit.setter
    def global_limit(self, value: int | None) -> None:
        self.limiter.global_limit = value

    @property
    def route_limit(self) -> tuple[int, float] | None:
        """Each route bucket's (requests, per seconds) (None: not enforced)."""
        return self.limiter.route_limit

    @route_limit.setter
    def route_limit(self, value: tuple[int, float] | None) -> None:
        self.limiter.route_limit = value

    @property
    def global_violations(self) -> int:
        """Requests answered 429 for going over the global limit."""
        return self.limiter.global_violations

    @property
    def route_violations(self) -> int:
        """Requests answered 429 for going over their route's bucket."""
        return self.limiter.route_violations

    @property
    def invalid_requests(self) -> int:
        """Answers Discord counts toward its ban of invalid requests (401, 403, 429)."""
        return self.rest.invalid_requests

    @property
    def list_limit(self) -> int:
        """How many messages `GET /channels/{id}/messages` answers (newest first)."""
        return self.rest.list_limit

    @list_limit.setter
    def list_limit(self, value: int) -> None:
        self.rest.list_limit = value

    @property
    def announce_threads(self) -> bool:
        """Whether THREAD_CREATE is dispatched (off: the bot must look threads up)."""
        return self.rest.announce_threads

    @announce_threads.setter
    def announce_threads(self, value: bool) -> None:
        self.rest.announce_threads = value

    # -- server ---------------------------------------------------------------------

    @property
    def base(self) -> str:
        """The server's root URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The REST base to give the client (`DISCORD_API_BASE`)."""
        return f"{self.base}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The gateway URL `GET /gateway/bot` names."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> FakeDiscord:
        """Start serving on an ephemeral port of 127.0.0.1."""
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Close every connection and stop the server."""
        await self.gateway.close()
        self._interactions.cancel_waiting()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- for benchmarks -------------------------------------------------------------

    def set_limits(self, global_limit: int | None, route_limit: tuple[int, float] | None) -> None:
        """Enforce other limits from now on (None: not enforced); a benchmark sets them up."""
        self.limiter.global_limit = global_limit
        self.limiter.route_limit = route_limit

    def forget_calls(self) -> None:
        """Forget the calls recorded so far (a benchmark measures from here)."""
        self.calls.clear()

    def settle(self) -> None:
        """Forget recorded calls and answered interactions, and exempt what stays from GC.

        For benchmarks: the fake keeps every message and interaction it saw, so
        without this its own garbage collections grow longer from one measured
        phase to the next and show up as latency of whichever bot runs then.
        """
        self.calls.clear()
        self._interactions.forget_answered()
        gc.collect()
        gc.freeze()

    def bench_report(self) -> Json:
        """Return what a fan-out benchmark checks: calls, violations, posts per channel."""
        posts: dict[str, int] = {}
        threads: dict[str, int] = {}
        for message in self.messages.values():
            if message["author"]["id"] == self.bot_user["id"] and message["embeds"]:
                posts[message["channel_id"]] = posts.get(message["channel_id"], 0) + 1
                if int(message["id"]) in self.state.thread_ids:
                    threads[message["channel_id"]] = threads.get(message["channel_id"], 0) + 1
        limited = [c for c in self.calls if not exempt(c.path)]
        return {
            "calls": len(limited),
            "statuses": [c.status for c in limited],
            "first": min((c.at for c in limited), default=0.0),
            "last": max((c.at for c in limited), default=0.0),
            "global_violations": self.global_violations,
            "route_violations": self.route_violations,
            "posts": posts,
            "threads": threads,
        }
