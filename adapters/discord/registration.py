"""Registering the slash commands, and removing the copies left in the other scope.

Commands are registered to one guild when configured, else globally. Copies
left in the other scope by an earlier registration would show every command
twice: registered to one guild, the global copies are removed if the bot is
in no other guild (where they are the bot's only commands, they stay, with a
warning); once connected, the guild copies in this process's other guilds
are swept away in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import discord

from adapters.discord.chat import Pacer

__all__ = ["SWEEP_REFUSALS", "register_commands", "sweep_guild_commands"]

log = logging.getLogger(__name__)

SWEEP_REFUSALS = 20  # 403s after which the sweep of leftover guild commands gives up


async def register_commands(
    http: discord.http.HTTPClient,
    pacer: Pacer,
    app_id: int,
    payload: list[dict[str, Any]],
    guild_id: int | None,
) -> None:
    """Register the slash commands: to guild `guild_id` when given, else globally.

    Registered to one guild, the global copies are removed if the bot is in no
    other guild (a clean-up: the bot runs without it should Discord refuse).
    """
    await pacer.wait()
    if guild_id is not None:
        await http.bulk_upsert_guild_commands(app_id, guild_id, payload)
        try:
            await _drop_global_commands(http, pacer, app_id, guild_id)
        except discord.HTTPException as exc:  # a clean-up: the bot runs without it
            log.warning("could not check for global slash commands to remove: %s", exc)
    else:
        await http.bulk_upsert_global_commands(app_id, payload)
    log.info("registered %d slash commands", len(payload))


async def _drop_global_commands(
    http: discord.http.HTTPClient, pacer: Pacer, app_id: int, guild_id: int
) -> None:
    """Remove the application's global commands if the bot is in no guild but `guild_id`."""
    await pacer.wait()
    found = await http.get_global_commands(app_id)
    if not found:
        return
    await pacer.wait()
    guilds = await http.get_guilds(2, with_counts=False)
    if any(int(g["id"]) != guild_id for g in guilds):
        log.warning(
            "the %d global slash commands stay (the bot's other servers use them), so "
            "members of server %s, where they are registered too (DISCORD_GUILD_ID), see "
            "each command twice; unset DISCORD_GUILD_ID to register them globally only",
            len(found),
            guild_id,
        )
        return
    await pacer.wait()
    await http.bulk_upsert_global_commands(app_id, [])
    log.info(
        "removed %d global slash commands: the bot is only in server %s, which has them",
        len(found),
        guild_id,
    )


async def sweep_guild_commands(
    http: discord.http.HTTPClient,
    pacer: Pacer,
    app_id: int,
    guild_ids: Iterable[int],
    keep: int | None,
) -> None:
    """Remove the guild copies of our commands in every guild of `guild_ids` but `keep`.

    One paced request per guild this process serves (two where copies are found),
    in the background; guilds where Discord refuses access (the app lacks the
    `applications.commands` scope there) are skipped, and the sweep stops after a
    few such refusals so as not to spend Discord's invalid-request allowance.
    """
    removed = refused = 0
    for guild_id in guild_ids:
        if guild_id == keep:
            continue
        try:
            await pacer.wait()
            found = await http.get_guild_commands(app_id, guild_id)
            if not found:
                continue
            await pacer.wait()
            await http.bulk_upsert_guild_commands(app_id, guild_id, [])
        except discord.Forbidden:
            refused += 1
            if refused >= SWEEP_REFUSALS:
                log.warning("stopped removing leftover guild commands: access refused")
                return
            continue
        except discord.HTTPException as exc:
            log.warning("server %s: could not remove its guild commands: %s", guild_id, exc)
            continue
        removed += 1
        log.info(
            "server %s: removed %d leftover guild copies of the slash commands",
            guild_id,
            len(found),
        )
    if removed:
        log.info("removed leftover guild commands in %d servers", removed)
