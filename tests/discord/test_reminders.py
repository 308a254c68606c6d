"""Reminders on the loopback Discord: a DM to each member who has not answered, none in the channel.

The DM's *Answer privately* button opens the answer modal there, and the answer
sent from it counts for the round in the channel.
"""

from __future__ import annotations

from datetime import timedelta

from loopback.discord import Json
from tests.discord.conftest import START, Bot

GOOD = "Precision counts false positives; recall counts false negatives."
LATER = "Recall counts the positives found; precision counts the hits among the flagged."


def _shown(message: Json) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
    return "\n".join(parts)


def _custom_ids(message: Json) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row["components"]]


def _reminders(bot: Bot, user: Json) -> list[Json]:
    return [m for m in bot.fake.dms_to(int(user["id"])) if "Still open" in _shown(m)]


async def test_a_reminder_reaches_a_member_by_dm_and_its_button_answers_the_round(
    bot: Bot,
) -> None:
    await bot.set_up_group("time=09:00 tz=UTC days=daily reveal=18:00")
    await bot.post_round()
    for user in (bot.alice, bot.bob):
        record = await bot.command("answer", user, options={"text": GOOD})
        await bot.until(lambda r=record: "Recorded your answer" in str(r.messages()))
    await bot.scheduler.run_until(START.replace(hour=18))
    tuesday = START + timedelta(days=1)
    await bot.scheduler.run_until(tuesday.replace(hour=9))
    record = await bot.command("answer", bot.alice, options={"text": GOOD})
    await bot.until(lambda: "Recorded your answer" in str(record.messages()))
    round_ = await bot.app.store.current_round(1)
    assert round_ is not None
    in_channel = len(bot.fake.messages_in(bot.channel_id))

    await bot.scheduler.run_until(tuesday.replace(hour=16))  # two hours before the reveal
    await bot.until(lambda: len(_reminders(bot, bot.bob)) == 1)
    assert _reminders(bot, bot.alice) == []  # she answered today
    assert len(bot.fake.messages_in(bot.channel_id)) == in_channel  # nothing in the channel
    reminder = _reminders(bot, bot.bob)[0]
    text = _shown(reminder)
    assert "revealed in **2 h**" in text and "Your streak of 1 round ends" in text
    assert "`/answer`" in text and "`/remind choice:off`" in text  # as Discord spells them
    assert _custom_ids(reminder) == [f"sb:remind-answer:{round_.id}"]

    pressed = await bot.fake.press(reminder, f"sb:remind-answer:{round_.id}", user=bot.bob)
    assert pressed.payload["context"] == 1 and "guild_id" not in pressed.payload
    modal = pressed.callback.result()
    assert modal["type"] == 9 and modal["data"]["custom_id"] == f"sbf:remind-answer:{round_.id}"
    dm = bot.fake.channels[int(reminder["channel_id"])]
    sent = await bot.fake.submit_modal(
        modal["data"]["custom_id"], {"text": LATER}, user=bot.bob, channel=dm
    )
    assert "Recorded your answer" in _shown(sent.callback.result()["data"])
    answers = {a.display_name: a.text for a in await bot.app.store.round_answers(round_.id)}
    assert answers["Bob"] == LATER
    await bot.scheduler.run_until(tuesday.replace(hour=17, minute=59))
    assert len(_reminders(bot, bot.bob)) == 1  # once

    # Wednesday's reminder goes to the DM channel the bot opened on Tuesday: no new one,
    # though discord.py forgot it (it keeps the latest 128; here, as if 128 came since).
    state = bot.platform.client._connection
    state._private_channels.clear()
    state._private_channels_by_user.clear()
    await bot.scheduler.run_until((tuesday + timedelta(days=1)).replace(hour=16))
    await bot.until(lambda: len(_reminders(bot, bot.bob)) == 2)
    opened = bot.fake.calls_to("POST", "/users/@me/channels")
    assert [c.body["recipient_id"] for c in opened].count(int(bot.bob["id"])) == 1
