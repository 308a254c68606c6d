"""A loopback Discord for tests and benchmarks: the REST routes studybot uses and the gateway.

An aiohttp server on 127.0.0.1 (ephemeral port) that the real discord.py
client talks to, split by concern:

- `server`: `FakeDiscord`, which assembles the parts below, starts and stops
  the server, and is what tests and benchmarks use; `process`:
  `FakeDiscordProcess`, the same in a child process.
- `state`: the world (ids, guilds, channels with types and permission
  overwrites, members, messages, the bot with its own role).
- `rest`: the REST routes, every call recorded; `interactions`: sending
  interactions and the routes answering them; `commands`: the registered
  application commands.
- `gateway`: the websocket gateway, its sessions per shard, intents, 4014.
- `members`: what members do (messages, reactions, forum posts), dispatched.
- `ratelimits`: the global limit and route buckets; `faults`: injected errors
  (429 with Retry-After, a `Via` header and a JSON body; 5xx) and delays.
- `permissions`, `rules`: what Discord refuses (permissions, payload limits).
"""

from loopback.discord.faults import Failure, Slowdown
from loopback.discord.gateway import (
    DISALLOWED_INTENTS,
    EVENT_INTENTS,
    GATEWAY_BUFFER,
    GUILD_MEMBERS,
    GUILD_MESSAGE_REACTIONS,
    GUILD_MESSAGES,
    GUILD_PRESENCES,
    MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
    Session,
)
from loopback.discord.interactions import (
    INTERACTION_DEADLINE,
    INTERACTION_TOKEN_TTL,
    InteractionRecord,
)
from loopback.discord.process import FakeDiscordProcess
from loopback.discord.responses import Json
from loopback.discord.rest import RestCall
from loopback.discord.server import FakeDiscord
from loopback.discord.state import ADMIN_PERMISSIONS, DISCORD_EPOCH_MS, EVERYONE_PERMISSIONS

__all__ = [
    "ADMIN_PERMISSIONS",
    "DISALLOWED_INTENTS",
    "DISCORD_EPOCH_MS",
    "EVENT_INTENTS",
    "EVERYONE_PERMISSIONS",
    "GATEWAY_BUFFER",
    "GUILD_MEMBERS",
    "GUILD_MESSAGES",
    "GUILD_MESSAGE_REACTIONS",
    "GUILD_PRESENCES",
    "INTERACTION_DEADLINE",
    "INTERACTION_TOKEN_TTL",
    "MESSAGE_CONTENT",
    "PRIVILEGED_INTENTS",
    "Failure",
    "FakeDiscord",
    "FakeDiscordProcess",
    "InteractionRecord",
    "Json",
    "RestCall",
    "Session",
    "Slowdown",
]
