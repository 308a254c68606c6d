"""Practice reviews on the loopback Discord: the recall rating buttons, and /review."""

from __future__ import annotations

from adapters.discord.commands import BARE_SUBCOMMAND
from loopback.discord import Json
from tests.discord.conftest import Bot

FULL = "term frequency times inverse document frequency; common words weigh less"


def _labels(message: Json) -> list[str]:
    return [c["label"] for row in message.get("components", []) for c in row["components"]]


def _button(message: Json, label: str) -> str:
    return next(
        str(c["custom_id"])
        for row in message["components"]
        for c in row["components"]
        if c["label"] == label
    )


def _shown(message: Json) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f["name"] + "\n" + f["value"] for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


async def test_a_rating_button_reschedules_the_practice_question(bot: Bot) -> None:
    await bot.set_up_group("time=09:00 tz=UTC days=daily categories=algorithms")
    card = await bot.command(
        "practice",
        bot.alice,
        sub=BARE_SUBCOMMAND,
        options={"category": "nlp", "difficulty": "easy"},
    )
    assert "Practice · NLP · easy" in _shown(card.callback.result()["data"])
    answered = await bot.command("practice", bot.alice, sub="answer", options={"text": FULL})
    result = answered.callback.result()["data"]
    assert result["flags"] & 64  # Alice's alone
    assert _labels(result) == ["Again", "Hard", "Good", "Easy ✓"]
    assert "Easy (from your coverage) stands" in _shown(result)
    assert answered.original is not None
    pressed = await bot.fake.press(answered.original, _button(result, "Hard"), user=bot.alice)
    shown = _shown(pressed.callback.result()["data"])
    assert "Rated **Hard**. Next review:" in shown
    # Bob cannot rate Alice's practice.
    other = await bot.fake.press(answered.original, _button(result, "Again"), user=bot.bob)
    assert "not one of yours" in _shown(other.callback.result()["data"])
    review = await bot.command("review", bot.alice)
    assert "No reviews are due" in _shown(review.callback.result()["data"])
