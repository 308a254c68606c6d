"""Problem reports and question stats on the loopback Discord.

A member presses the reveal's "Report a problem", fills the modal, and is
thanked privately; an admin's /studybot question-stats is an ephemeral embed.
"""

from __future__ import annotations

from datetime import timedelta

from loopback.discord import Json
from tests.discord.conftest import START, Bot
from tests.discord.test_appeals import GOOD, _custom_ids, _inputs, _shown

NOTE = "Key point 3 is unfair: @everyone knows elastic net"


async def _revealed(bot: Bot) -> tuple[int, Json]:
    """Set up, let Alice answer, reveal; return the round and its reveal card."""
    await bot.set_up_group(
        "time=09:00 tz=UTC days=daily reveal=18:00 categories=algorithms difficulty=medium"
    )
    _, thread = await bot.post_round()
    group = (await bot.app.store.list_groups())[0]
    round_ = await bot.app.store.round_on(group.id, START.date())
    assert round_ is not None
    await bot.fake.user_message(int(thread["id"]), bot.alice, GOOD)
    await bot.until(lambda: len(bot.fake.reactions) == 1)
    await bot.scheduler.run_until(START.replace(hour=18) + timedelta(minutes=1))
    [card] = [
        m
        for m in bot.fake.messages_in(bot.channel_id)
        if m["author"]["bot"] and f"sb:report:{round_.id}" in _custom_ids(m)
    ]
    return round_.id, card


async def test_report_a_problem_opens_a_modal_and_thanks_privately(bot: Bot) -> None:
    round_id, card = await _revealed(bot)
    assert f"sb:feedback:{round_id}" in _custom_ids(card)
    pressed = await bot.fake.press(card, f"sb:report:{round_id}", user=bot.bob)
    modal = pressed.callback.result()
    assert modal["type"] == 9 and modal["data"]["custom_id"] == f"sbf:report:{round_id}"
    assert modal["data"]["title"] == "Report a problem"
    [note] = _inputs(modal["data"]).values()
    assert note["custom_id"] == "note" and note["required"] and note["max_length"] == 500
    sent = await bot.fake.submit_modal(
        modal["data"]["custom_id"], {"note": NOTE}, user=bot.bob, channel=bot.channel
    )
    data = sent.callback.result()["data"]
    assert data["flags"] & 64 and "Thank you for the report" in _shown(data)
    assert "@everyone" not in _shown(data) and "@\u200beveryone" in _shown(data)
    rows = await bot.app.store.db.fetch(
        "SELECT m.user_id, p.round_id, p.note FROM problem_reports p"
        " JOIN members m ON m.id = p.member_id"
    )
    assert [(r["user_id"], r["round_id"], r["note"]) for r in rows] == [
        (str(bot.bob["id"]), round_id, NOTE)
    ]


async def test_question_stats_are_shown_to_the_admin_alone(bot: Bot) -> None:
    await _revealed(bot)
    record = await bot.command(
        "studybot", bot.admin, sub="question-stats", options={"days": "7"}, admin=True
    )
    await bot.until(lambda: bool(record.messages()))
    [shown] = record.messages()
    assert shown["flags"] & 64
    text = _shown(shown)
    assert "Question stats · the last 7 days" in text
    assert "Answered on time: 1 of 1 (100%)" in text
    refused = await bot.command("studybot", bot.bob, sub="question-stats")
    await bot.until(lambda: bool(refused.messages()))
    assert "is for the channel's admins" in _shown(refused.messages()[0])
