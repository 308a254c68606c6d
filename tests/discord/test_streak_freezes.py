"""Streak freezes and away days on the loopback Discord: the freeze's DM, and `/away`.

Bob answers seven daily rounds in their threads, earning a freeze; he misses
the eighth, and at its reveal the bot tells him by direct message that the
freeze kept his streak. `/away` answers him alone, in the channel.
"""

from __future__ import annotations

from datetime import timedelta

from loopback.discord import Json
from tests.discord.conftest import START, Bot
from tests.recount_check import assert_scores_recount

ANSWER = "My answer is that it depends on the data, so I would test both."


def _shown(message: Json) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f["name"] + "\n" + f["value"] for f in embed.get("fields", [])]
    return "\n".join(parts)


async def _day(bot: Bot, day: int, answer: bool) -> None:
    """Run day `day` from its 09:00 post to its 18:00 reveal; Bob answers in the thread."""
    at = START.replace(hour=9) + timedelta(days=day)
    await bot.scheduler.run_until(at)
    group = (await bot.app.store.list_groups())[0]
    round_ = await bot.app.store.round_on(group.id, at.date())
    assert round_ is not None and round_.thread_id is not None
    if answer:
        reacted = len(bot.fake.reactions)
        await bot.fake.user_message(int(round_.thread_id), bot.bob, ANSWER)
        await bot.until(lambda: len(bot.fake.reactions) > reacted)
    await bot.scheduler.run_until(at.replace(hour=18) + timedelta(minutes=1))


async def test_a_spent_freeze_is_told_by_dm_at_the_reveal_of_the_missed_round(bot: Bot) -> None:
    await bot.set_up_group("time=09:00 tz=UTC days=daily reveal=18:00")
    for day in range(7):
        await _day(bot, day, answer=True)
    bob = int(bot.bob["id"])
    assert not [m for m in bot.fake.dms_to(bob) if "streak freeze" in _shown(m)]
    await _day(bot, 7, answer=False)
    [note] = [_shown(m) for m in bot.fake.dms_to(bob) if "streak freeze" in _shown(m)]
    assert note.strip() == (
        "You missed the question of Mon 07 Dec; a streak freeze kept your streak of 7 rounds. "
        "Freezes left: 0."
    )
    stats = await bot.command("stats", bot.bob)
    [shown] = stats.messages()
    assert "Streak\n7 now, best 7" in _shown(shown)
    assert "Streak freezes\n0 held (at most 2), 1 used" in _shown(shown)
    await assert_scores_recount(bot.app.store.db)


async def test_away_answers_the_member_alone_and_refuses_bad_dates(bot: Bot) -> None:
    registered = {c["name"]: c for c in bot.fake.commands["global"]}
    assert [(o["name"], o["required"]) for o in registered["away"]["options"]] == [("days", False)]
    await bot.set_up_group("time=09:00 tz=UTC days=daily reveal=18:00")
    sent = await bot.command("away", bot.bob, options={"days": "2026-12-20..2026-12-27"})
    [reply] = sent.messages()
    assert reply["flags"] & 64
    assert "You're away 2026-12-20 to 2026-12-27 (8 days)" in _shown(reply)
    assert "`/away days:off`" in _shown(reply)
    sent = await bot.command("away", bot.bob, options={"days": "2026-12-24"})
    [refused] = sent.messages()
    assert refused["flags"] & 64
    assert "already away 2026-12-20 to 2026-12-27, which overlaps" in _shown(refused)
    sent = await bot.command("stats", bot.bob)
    assert "Away\n2026-12-20 to 2026-12-27" in _shown(sent.messages()[0])
