"""Closed DMs on the loopback Discord: refused with 50007 (or 10013), noted, tried a week later.

The core's private messages go through `PrivateNotes` and the real discord.py
client; the fake refuses a DM as Discord does (HTTP 403, code 50007 "Cannot send
messages to this user"; a deleted account: 404, 10013 on opening the DM).
"""

from __future__ import annotations

from datetime import timedelta

from bot.model import MemberRef
from bot.private_notes import RETRY_AFTER
from bot.replies import Reply
from loopback.discord import Json
from tests.discord.conftest import Bot

NOTE = Reply(text="Your appeal was decided.")


def _dm_calls(bot: Bot, user: Json) -> int:
    """Return how many REST calls opened a DM with `user` or posted in it."""
    dm = bot.fake.state.dm_channels.get(int(user["id"]))
    return sum(
        1
        for c in bot.fake.calls
        if c.method == "POST"
        and (
            (c.path == "/users/@me/channels" and str(c.body["recipient_id"]) == user["id"])
            or (dm is not None and c.path == f"/channels/{dm}/messages")
        )
    )


def _public(bot: Bot) -> list[Json]:
    """Return what the bot posted outside DMs."""
    dms = set(bot.fake.state.dm_channels.values())
    return [
        m
        for m in bot.fake.messages.values()
        if m["author"]["bot"] and int(m["channel_id"]) not in dms
    ]


async def test_closed_dms_are_noted_left_alone_for_a_week_then_tried_again(bot: Bot) -> None:
    bob = MemberRef("discord", bot.bob["id"], "")
    bot.fake.closed_dms.add(int(bot.bob["id"]))
    assert not await bot.app.notes.send(bob, NOTE)
    dm = bot.fake.state.dm_channels[int(bot.bob["id"])]
    refused = [c for c in bot.fake.calls if c.status == 403]
    assert [c.path for c in refused] == [f"/channels/{dm}/messages"]
    assert await bot.app.notes.closed("discord", [bot.bob["id"]]) == {bot.bob["id"]}
    tried = _dm_calls(bot, bot.bob)

    bot.clock.advance(RETRY_AFTER - timedelta(minutes=1))
    assert not await bot.app.notes.send(bob, NOTE)
    assert _dm_calls(bot, bot.bob) == tried  # no call to Discord at all

    bot.fake.closed_dms.clear()  # Bob opened his DMs meanwhile
    bot.clock.advance(timedelta(minutes=1))
    assert await bot.app.notes.send(bob, NOTE)
    assert _dm_calls(bot, bot.bob) > tried
    assert [m["content"] for m in bot.fake.dms_to(int(bot.bob["id"]))] == [NOTE.text]
    assert _public(bot) == []


async def test_a_deleted_account_is_noted_as_closed(bot: Bot) -> None:
    gone = bot.fake.user("Gone")
    bot.fake.gone_users.add(int(gone["id"]))
    member = MemberRef("discord", gone["id"], "")
    assert not await bot.app.notes.send(member, NOTE)
    assert [c.status for c in bot.fake.calls if c.path == "/users/@me/channels"] == [404]
    assert await bot.app.notes.closed("discord", [gone["id"]]) == {gone["id"]}
    assert not await bot.app.notes.send(member, NOTE)
    assert len([c for c in bot.fake.calls if c.path == "/users/@me/channels"]) == 1
