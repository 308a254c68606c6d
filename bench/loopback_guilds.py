"""Channels on the loopback Discord, and a Discord platform talking to it: for fan-out benches."""

from __future__ import annotations

import discord

from adapters.discord.main import DiscordPlatform
from adapters.discord.settings import DiscordSettings
from bot.model import ChannelRef
from loopback.discord import FakeDiscordProcess

CHANNELS_PER_GUILD = 100


async def add_channels(fake: FakeDiscordProcess, count: int) -> list[ChannelRef]:
    """Add `count` text channels to the fake, in guilds of 100, and return them."""
    places: list[ChannelRef] = []
    left = count
    while left > 0:
        here = min(CHANNELS_PER_GUILD, left)
        guild = await fake.call("add_guild", f"guild{len(places)}", channels=here)
        places += [ChannelRef("discord", guild["id"], c["id"]) for c in guild["channels"]]
        left -= here
    return places


def platform_on(fake: FakeDiscordProcess) -> DiscordPlatform:
    """Return the real Discord platform (discord.py and the adapter) talking to the fake."""
    discord.http.Route.BASE = fake.api_base
    settings = DiscordSettings(token=fake.token, api_base=fake.api_base)
    return DiscordPlatform(settings, guild_ready_timeout=0.1)
