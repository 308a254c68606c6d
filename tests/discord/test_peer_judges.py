"""Peer judges (`appeals=peers`) on the loopback Discord: three members decide from their DMs.

Bob appeals a vague answer; three of the four members who answered well get the
case by DM without Bob's name, press Judge there and vote in a modal. Two
agreeing votes settle it; Bob hears by DM; nothing reaches the channel.
Every test ends by checking each stored score against a recount from scratch.
"""

from __future__ import annotations

from datetime import timedelta

from bot.records import AppealStatus
from bot.scoring import ScoringRules
from loopback.discord import InteractionRecord, Json
from tests.discord.conftest import START, Bot
from tests.discord.test_appeals import GOOD, VAGUE, _custom_ids, _inputs, _points, _shown
from tests.recount_check import assert_scores_recount

RULES = ScoringRules()
NOTE = "My answer names the trade-off."
MEMBERS = ("Alice", "Carol", "Dan", "Erin")


async def _peer_round(bot: Bot) -> tuple[int, Json, dict[str, Json]]:
    """Set up with appeals=peers; four members answer well, Bob vaguely; reveal."""
    await bot.set_up_group(
        "time=09:00 tz=UTC days=daily reveal=18:00 categories=algorithms difficulty=medium"
        " appeals=peers"
    )
    _, thread = await bot.post_round()
    group = (await bot.app.store.list_groups())[0]
    round_ = await bot.app.store.round_on(group.id, START.date())
    assert round_ is not None
    users = {name: bot.fake.user(name) for name in MEMBERS}
    for user in users.values():
        await bot.fake.user_message(int(thread["id"]), user, GOOD)
    await bot.fake.user_message(int(thread["id"]), bot.bob, VAGUE)
    await bot.until(lambda: len(bot.fake.reactions) == len(MEMBERS) + 1)
    await bot.scheduler.run_until(START.replace(hour=18) + timedelta(minutes=1))
    reveal = [
        m
        for m in bot.fake.messages_in(bot.channel_id)
        if m["author"]["bot"] and f"sb:feedback:{round_.id}" in _custom_ids(m)
    ]
    assert len(reveal) == 1
    return round_.id, reveal[0], users


async def _appeal(bot: Bot, card: Json, round_id: int) -> InteractionRecord:
    """Bob presses My feedback, then Appeal, and sends the modal with a note."""
    feedback = await bot.fake.press(card, f"sb:feedback:{round_id}", user=bot.bob)
    assert feedback.original is not None
    pressed = await bot.fake.press(feedback.original, f"sb:appeal:{round_id}", user=bot.bob)
    modal = pressed.callback.result()["data"]
    return await bot.fake.submit_modal(
        modal["custom_id"], {"text": NOTE}, user=bot.bob, channel=bot.channel
    )


async def _panel(bot: Bot) -> list[str]:
    rows = await bot.app.store.db.fetch(
        "SELECT m.display_name FROM appeal_judges j JOIN members m ON m.id = j.judge_id"
        " ORDER BY m.display_name"
    )
    return [r["display_name"] for r in rows]


def _judge_cards(bot: Bot, user: Json) -> list[Json]:
    return [m for m in bot.fake.dms_to(int(user["id"])) if "Judge an appeal" in _shown(m)]


async def _vote(bot: Bot, card: Json, judge: Json, covered: str) -> InteractionRecord:
    """A judge presses Judge on the DM card and sends the form from that DM."""
    pressed = await bot.fake.press(card, "sb:appeal-judge:1", user=judge)
    assert pressed.payload["context"] == 1 and "guild_id" not in pressed.payload
    modal = pressed.callback.result()
    assert modal["type"] == 9, modal
    assert list(_inputs(modal["data"])) == ["covered"]
    dm = bot.fake.channels[int(card["channel_id"])]
    return await bot.fake.submit_modal(
        modal["data"]["custom_id"], {"covered": covered}, user=judge, channel=dm
    )


async def test_three_peers_judge_by_dm_and_two_agreeing_votes_change_the_grade(
    bot: Bot,
) -> None:
    round_id, card, users = await _peer_round(bot)
    receipt = await _appeal(bot, card, round_id)
    data = receipt.callback.result()["data"]
    assert data["flags"] & 64 and "Three members who answered the same question" in _shown(data)

    panel = await _panel(bot)
    assert len(panel) == 3 and set(panel) <= set(MEMBERS)
    cards = {name: _judge_cards(bot, users[name]) for name in MEMBERS}
    assert sorted(n for n, c in cards.items() if c) == panel
    assert all(len(cards[n]) == 1 for n in panel)
    assert not _judge_cards(bot, bot.bob) and not _judge_cards(bot, bot.admin)
    for name in panel:
        shown = _shown(cards[name][0])
        assert "Bob" not in shown and VAGUE in shown and NOTE in shown
        assert _custom_ids(cards[name][0]) == ["sb:appeal-judge:1"]
    assert not [m for m in bot.fake.dms_to(int(bot.admin["id"])) if "Appeal #" in _shown(m)]

    first, second, third = panel
    voted = await _vote(bot, cards[first][0], users[first], "all")
    shown = _shown(voted.callback.result()["data"])
    assert "Your vote is in and stays private" in shown and "once a majority agrees" in shown
    assert await _points(bot, "Bob", round_id) == RULES.participation

    voted = await _vote(bot, cards[second][0], users[second], "all")
    answer = voted.callback.result()["data"]
    assert answer["flags"] & 64
    assert "a majority agreed, and the grade was changed" in _shown(answer)
    after = RULES.participation + RULES.coverage_bonus
    assert await _points(bot, "Bob", round_id) == after
    told = [m for m in bot.fake.dms_to(int(bot.bob["id"])) if "Your grade was changed" in _shown(m)]
    assert len(told) == 1 and all(n not in _shown(told[0]) for n in MEMBERS)

    late = await bot.fake.press(cards[third][0], "sb:appeal-judge:1", user=users[third])
    refused = late.callback.result()
    assert refused["type"] != 9 and refused["data"]["flags"] & 64
    assert "voted on this appeal already, or it was decided" in _shown(refused["data"])
    assert await _points(bot, "Bob", round_id) == after
    appeal = await bot.app.store.appeal(1)
    assert appeal is not None and appeal.status is not AppealStatus.OPEN
    assert appeal.decided_by is None  # no judge is named
    await assert_scores_recount(bot.app.store.db)


async def test_a_member_who_is_no_judge_forging_the_judge_button_changes_nothing(
    bot: Bot,
) -> None:
    round_id, card, users = await _peer_round(bot)
    await _appeal(bot, card, round_id)
    panel = await _panel(bot)
    outsider = users[next(n for n in MEMBERS if n not in panel)]

    # The outsider copies the Judge button onto a message she sees (the reveal card) ...
    pressed = await bot.fake.press(card, "sb:appeal-judge:1", user=outsider)
    data = pressed.callback.result()
    assert data["type"] != 9 and data["data"]["flags"] & 64
    assert "Only the three members asked to judge" in _shown(data["data"])
    # ... and sends the judge's form, from the channel and from her own DM; so does Bob.
    places = (bot.channel, bot.fake.dm_channel(int(outsider["id"])))
    for user, place in [(outsider, p) for p in places] + [(bot.bob, bot.channel)]:
        sent = await bot.fake.submit_modal(
            "sbf:appeal-judge:1", {"covered": "all"}, user=user, channel=place
        )
        data = sent.callback.result()["data"]
        assert "Only the three members asked to judge" in _shown(data) and data["flags"] & 64

    votes = await bot.app.store.db.fetch("SELECT covered FROM appeal_judges")
    assert len(votes) == 3 and all(v["covered"] is None for v in votes)
    appeal = await bot.app.store.appeal(1)
    assert appeal is not None and appeal.status is AppealStatus.OPEN
    assert await _points(bot, "Bob", round_id) == RULES.participation
    assert not [m for m in bot.fake.dms_to(int(bot.bob["id"])) if "Your " in _shown(m)]
    await assert_scores_recount(bot.app.store.db)


async def test_nothing_about_a_peer_appeal_is_posted_in_the_channel_or_thread(bot: Bot) -> None:
    round_id, card, users = await _peer_round(bot)
    seen = {m["id"] for m in bot.fake.messages.values()}
    await _appeal(bot, card, round_id)
    panel = await _panel(bot)
    for name in panel[:2]:
        await _vote(bot, _judge_cards(bot, users[name])[0], users[name], "1")
    appeal = await bot.app.store.appeal(1)
    assert appeal is not None and appeal.status is not AppealStatus.OPEN

    dms = set(bot.fake.state.dm_channels.values())
    posted = [m for m in bot.fake.messages.values() if m["id"] not in seen]
    assert posted and all(int(m["channel_id"]) in dms for m in posted), [
        _shown(m) for m in posted if int(m["channel_id"]) not in dms
    ]
    answered = [
        m for r in bot.fake.interactions.values() for m in r.messages() if m["id"] not in seen
    ]
    assert answered and all(m["flags"] & 64 for m in answered), [
        _shown(m) for m in answered if not m["flags"] & 64
    ]
    heard = {u for u, c in bot.fake.state.dm_channels.items() if bot.fake.messages_in(c)}
    assert heard == {int(users[n]["id"]) for n in panel} | {int(bot.bob["id"])}
    await assert_scores_recount(bot.app.store.db)
