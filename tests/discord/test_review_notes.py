"""The daily review note on the loopback Discord: a DM with its button, nothing in the channel."""

from __future__ import annotations

from datetime import timedelta

from adapters.discord.commands import BARE_SUBCOMMAND
from loopback.discord import Json
from tests.discord.conftest import START, Bot

FULL = "term frequency times inverse document frequency; common words weigh less"


def _shown(message: Json) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


def _buttons(message: Json) -> dict[str, str]:
    return {
        c["label"]: c["custom_id"]
        for row in message.get("components", [])
        for c in row["components"]
    }


def _notes(bot: Bot) -> list[Json]:
    return [m for m in bot.fake.dms_to(int(bot.alice["id"])) if "review due" in _shown(m)]


async def test_the_review_note_arrives_as_a_dm_whose_button_starts_the_review(bot: Bot) -> None:
    await bot.set_up_group("time=09:00 tz=UTC days=daily")
    await bot.command(
        "practice",
        bot.alice,
        sub=BARE_SUBCOMMAND,
        options={"category": "nlp", "difficulty": "easy"},
    )
    answered = await bot.command("practice", bot.alice, sub="answer", options={"text": FULL})
    result = answered.callback.result()["data"]
    await bot.fake.press(answered.original, _buttons(result)["Good"], user=bot.alice)  # due Wed
    said = await bot.command("review", bot.alice, options={"remind": "on", "at": "08:00"})
    shown = _shown(said.callback.result()["data"])
    assert "Your daily review note is on: at 08:00 (UTC)" in shown
    assert "/review remind:off stops it" in shown  # as Discord spells it

    in_channel = len(bot.fake.messages_in(bot.channel_id))
    tuesday = START + timedelta(days=1)
    await bot.scheduler.run_until(tuesday.replace(hour=8, minute=30))
    assert _notes(bot) == []  # nothing due on Tuesday
    wednesday = tuesday + timedelta(days=1)
    await bot.scheduler.run_until(wednesday.replace(hour=8, minute=30))
    await bot.until(lambda: len(_notes(bot)) == 1)
    note = _notes(bot)[0]
    assert "**1 review due** — it is in *NLP*" in _shown(note)
    assert _buttons(note) == {"Start reviewing": "sb:review:"}
    in_channel_now = [
        m for m in bot.fake.messages_in(bot.channel_id)[in_channel:] if "review due" in _shown(m)
    ]
    assert in_channel_now == []  # the daily posts go on; the note is not there

    pressed = await bot.fake.press(note, "sb:review:", user=bot.alice)
    assert "guild_id" not in pressed.payload
    card = _shown(pressed.callback.result()["data"])
    assert "Practice · NLP · easy" in card and "The last review due." in card
