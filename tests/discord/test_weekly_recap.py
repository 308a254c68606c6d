"""The weekly recap on the loopback Discord: a card in the channel, before Monday's question.

Its hardest question links to that round's reveal message (Discord links are
built from the server, channel and message ids); the names it shows are inert.
"""

from __future__ import annotations

from datetime import UTC, datetime

from loopback.discord import Json
from tests.discord.conftest import START, Bot

GOOD = "Precision counts false positives; recall counts false negatives."
VAGUE = "it depends on the data you have"


def _embeds(bot: Bot) -> list[Json]:
    """Return the embeds the bot posted in the group's channel, oldest first."""
    return [
        embed
        for m in bot.fake.messages_in(bot.channel_id)
        if m["author"]["id"] == bot.fake.bot_user["id"]
        for embed in m.get("embeds") or []
    ]


async def test_the_recap_card_opens_the_week_in_the_channel_with_a_link_to_the_reveal(
    bot: Bot,
) -> None:
    await bot.set_up_group("time=09:00 tz=UTC days=mon reveal=18:00")
    await bot.post_round()  # Mon 30 Nov, week 2026-W49
    for user, text in ((bot.alice, GOOD), (bot.bob, VAGUE)):
        record = await bot.command("answer", user, options={"text": text})
        await bot.until(lambda r=record: "Recorded your answer" in str(r.messages()))
    await bot.scheduler.run_until(START.replace(hour=18))
    group = (await bot.app.store.list_groups())[0]
    round_ = await bot.app.store.round_on(group.id, START.date())
    assert round_ is not None and round_.reveal_message_id is not None
    before = len(_embeds(bot))

    await bot.scheduler.run_until(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    titles = [e.get("title") or "" for e in _embeds(bot)[before:]]
    assert titles[0] == "Last week's recap · 2026-W49 (30 Nov – 6 Dec 2026)"
    assert titles[1].startswith("Question of the day")  # the recap came first
    assert sum("recap" in t for t in titles) == 1
    recap = _embeds(bot)[before]
    fields = {f["name"]: f["value"] for f in recap["fields"]}
    assert fields["Top three"].startswith("🥇 Alice — ")
    assert "Bob" in fields["Top three"]
    link = (
        f"https://discord.com/channels/{bot.guild['id']}/{bot.channel_id}/"
        f"{round_.reveal_message_id}"
    )
    assert "Monday 30 Nov's question" in fields["Hardest question"]
    assert f"Its reveal: {link}" in fields["Hardest question"]
    assert "2 members took part." in (recap.get("description") or "")


async def test_the_recap_is_found_again_by_its_button_and_opens_the_full_board(bot: Bot) -> None:
    """After a crash between the post and its record, the lookup finds the recap (no repeat)."""
    await bot.set_up_group("time=09:00 tz=UTC days=mon reveal=18:00")
    await bot.post_round()
    record = await bot.command("answer", bot.alice, options={"text": GOOD})
    await bot.until(lambda: "Recorded your answer" in str(record.messages()))
    await bot.scheduler.run_until(START.replace(hour=18))
    await bot.scheduler.run_until(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    group = (await bot.app.store.list_groups())[0]
    found = await bot.platform.chat.find_post(group.channel, f"recap-{group.id}-w2026-49")
    recap = next(m for m in bot.fake.messages_in(bot.channel_id) if "recap" in str(m.get("embeds")))
    assert found is not None and found.message_id == str(recap["id"])
    button = recap["components"][0]["components"][0]
    pressed = await bot.fake.press(recap, button["custom_id"], user=bot.bob)
    shown = str(pressed.callback.result()["data"])
    assert "week 2026-W49 (30 Nov – 6 Dec 2026, final)" in shown and "Alice" in shown
