"""A whole round on the loopback Discord: post, thread and modal answers, edits, reveal."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot import messages
from bot.model import Round, RoundStatus
from loopback.discord import Json
from tests.discord.conftest import START, Bot


def _custom_ids(message: Json) -> list[str]:
    return [c["custom_id"] for row in message["components"] for c in row["components"]]


async def _current_round(bot: Bot) -> Round:
    group = (await bot.app.store.list_groups())[0]
    round_ = await bot.app.store.round_on(group.id, START.date())
    assert round_ is not None
    return round_


async def test_round_is_an_embed_with_buttons_and_a_public_thread(bot: Bot) -> None:
    await bot.set_up_group()
    message, thread = await bot.post_round()

    embed = message["embeds"][0]
    round_ = await _current_round(bot)
    question = bot.app.bank.get(round_.question_id)
    assert question is not None
    assert embed["title"].startswith("Question of the day")
    assert question.difficulty.value in embed["title"]
    assert question.category.replace("-", " ").capitalize() in embed["title"]
    assert embed["description"] == question.prompt.strip()
    assert "revealed" in embed["footer"]["text"]
    assert _custom_ids(message) == [f"sb:answer:{round_.id}", f"sb:hint:{round_.id}"]
    assert message["allowed_mentions"] == {"parse": []}
    # the thread is public, started on the round's message, and the round knows both ids
    assert thread["type"] == 11 and thread["parent_id"] == str(bot.channel_id)
    assert round_.status is RoundStatus.OPEN
    assert round_.message_id == message["id"] and round_.thread_id == thread["id"]
    posts = bot.fake.calls_to("POST", r"/channels/\d+/messages")
    assert len([p for p in posts if p.body["embeds"]]) == 1  # and the setup's one-line notice
    assert len(bot.fake.calls_to("POST", r"/channels/\d+/messages/\d+/threads")) == 1


async def test_thread_answers_are_recorded_edited_and_withdrawn(bot: Bot) -> None:
    await bot.set_up_group()
    _, thread = await bot.post_round()
    tid = int(thread["id"])

    first = await bot.fake.user_message(tid, bot.alice, "Precision is about false positives")
    await bot.until(lambda: len(bot.fake.reactions) == 1)
    assert bot.fake.reactions[0] == (tid, int(first["id"]), "✅")
    round_ = await _current_round(bot)
    answers = await bot.app.store.round_answers(round_.id)
    assert [a.text for a in answers] == ["Precision is about false positives"]

    await bot.fake.edit_user_message(
        int(first["id"]), "Precision: of predicted positives, how many"
    )
    await bot.until(lambda: len(bot.fake.reactions) == 2)
    assert bot.fake.reactions[1][2] == "🔁"
    answers = await bot.app.store.round_answers(round_.id)
    assert [a.text for a in answers] == ["Precision: of predicted positives, how many"]

    await bot.fake.delete_message(int(first["id"]))
    await bot.until(lambda: bool(bot.fake.dms_to(int(bot.alice["id"]))))
    assert "withdrawn" in bot.fake.dms_to(int(bot.alice["id"]))[0]["content"]
    assert await bot.app.store.round_answers(round_.id) == []


async def test_every_message_is_part_of_the_answer_and_a_reply_to_another_is_discussion(
    bot: Bot,
) -> None:
    # Issue #16: a second message replaced the answer ("🔁 Replaced your earlier answer").
    await bot.set_up_group()
    _, thread = await bot.post_round()
    tid = int(thread["id"])
    alice = int(bot.alice["id"])
    first = await bot.fake.user_message(tid, bot.alice, "Precision is about false positives.")
    await bot.until(lambda: len(bot.fake.reactions) == 1)
    second = await bot.fake.user_message(tid, bot.alice, "Recall is about false negatives.")
    await bot.until(lambda: len(bot.fake.reactions) == 2)
    assert bot.fake.reactions[1] == (tid, int(second["id"]), "➕")
    # Bob replies to Alice (discussion), then Alice replies to her own message (her answer).
    await bot.fake.user_message(tid, bot.bob, "Nice, and F1 mixes both.", reply_to=second)
    own = await bot.fake.user_message(tid, bot.alice, "Both matter.", reply_to=first)
    await bot.until(lambda: len(bot.fake.reactions) == 3)
    assert bot.fake.reactions[2] == (tid, int(own["id"]), "➕")
    round_ = await _current_round(bot)
    answers = await bot.app.store.round_answers(round_.id)
    assert [(a.display_name, a.text) for a in answers] == [
        (
            "Alice",
            "Precision is about false positives.\nRecall is about false negatives.\nBoth matter.",
        )
    ]
    assert not bot.fake.dms_to(int(bot.bob["id"]))  # discussion gets no reply at all

    await bot.fake.edit_user_message(int(first["id"]), "Precision: how many flagged are real.")
    await bot.until(lambda: len(bot.fake.reactions) == 4)
    assert bot.fake.reactions[3] == (tid, int(first["id"]), "🔁")
    await bot.fake.delete_message(int(second["id"]))
    await bot.until(lambda: bool(bot.fake.dms_to(alice)))
    assert "2 parts left" in bot.fake.dms_to(alice)[0]["content"]
    [answer] = await bot.app.store.round_answers(round_.id)
    assert answer.text == "Precision: how many flagged are real.\nBoth matter."


async def test_after_the_reveal_an_on_time_answerer_is_told_once_by_dm(bot: Bot) -> None:
    # Issue #16: writing, editing or deleting after the reveal got no word at all.
    await bot.set_up_group()
    _, thread = await bot.post_round()
    tid = int(thread["id"])
    alice = int(bot.alice["id"])
    first = await bot.fake.user_message(tid, bot.alice, "Precision is about false positives.")
    await bot.until(lambda: len(bot.fake.reactions) == 1)
    await bot.scheduler.run_until(START.replace(hour=18) + timedelta(minutes=1))
    await bot.fake.user_message(tid, bot.alice, "Ah, I forgot recall.")
    await bot.until(lambda: bool(bot.fake.dms_to(alice)))
    [dm] = bot.fake.dms_to(alice)
    assert "Answers to this question are closed; your on-time answer stands" in dm["content"]
    await bot.fake.edit_user_message(int(first["id"]), "Precision and recall.")
    await bot.fake.user_message(tid, bot.alice, "Anyway.")
    await asyncio.sleep(0.3)
    assert len(bot.fake.dms_to(alice)) == 1 and len(bot.fake.reactions) == 1
    [answer] = await bot.app.store.round_answers((await _current_round(bot)).id)
    assert answer.text == "Precision is about false positives." and not answer.late


async def test_a_bad_thread_answer_is_explained_privately(bot: Bot) -> None:
    await bot.set_up_group()
    _, thread = await bot.post_round()
    await bot.fake.user_message(int(thread["id"]), bot.bob, "x" * 4001)
    await bot.until(lambda: bool(bot.fake.dms_to(int(bot.bob["id"]))))
    dm = bot.fake.dms_to(int(bot.bob["id"]))[0]
    assert "limit is 4,000" in dm["content"] and dm["allowed_mentions"] == {"parse": []}


async def test_closed_dms_fall_back_to_a_reply_in_the_thread(bot: Bot) -> None:
    await bot.set_up_group()
    _, thread = await bot.post_round()
    bot.fake.closed_dms.add(int(bot.bob["id"]))
    asked = await bot.fake.user_message(int(thread["id"]), bot.bob, "x" * 4001)
    tid = int(thread["id"])
    await bot.until(lambda: any(m["author"]["bot"] for m in bot.fake.messages_in(tid)))
    reply = next(m for m in bot.fake.messages_in(tid) if m["author"]["bot"])
    assert str(reply["message_reference"]["message_id"]) == asked["id"]
    mentions = reply["allowed_mentions"]
    assert mentions["parse"] == [] and [str(u) for u in mentions["users"]] == [bot.bob["id"]]


async def test_modal_answer_and_hint_buttons(bot: Bot) -> None:
    await bot.set_up_group()
    message, _ = await bot.post_round()
    round_ = await _current_round(bot)

    opened = await bot.fake.press(message, f"sb:answer:{round_.id}", user=bot.bob)
    callback = opened.callback.result()
    assert callback["type"] == 9
    modal = callback["data"]
    assert modal["custom_id"] == f"sbf:answer:{round_.id}"
    text_input = modal["components"][0]["components"][0]
    assert text_input["custom_id"] == "text" and text_input["max_length"] == 4000

    submitted = await bot.fake.submit_modal(
        modal["custom_id"],
        {"text": "Recall counts missed positives"},
        user=bot.bob,
        channel=bot.channel,
    )
    data = submitted.callback.result()["data"]
    assert data["flags"] & 64, "the confirmation is ephemeral"
    assert "Recorded your answer" in data["content"]
    answers = await bot.app.store.round_answers(round_.id)
    assert [(a.display_name, a.text) for a in answers] == [
        ("Bob", "Recall counts missed positives")
    ]

    hint = await bot.fake.press(message, f"sb:hint:{round_.id}", user=bot.alice)
    data = hint.callback.result()["data"]
    assert data["flags"] & 64 and data["embeds"][0]["title"] == "Hint for today's question"


async def test_reveal_posts_answer_coverage_and_leaders_then_private_feedback(bot: Bot) -> None:
    await bot.set_up_group()
    _, thread = await bot.post_round()
    round_ = await _current_round(bot)
    question = bot.app.bank.get(round_.question_id)
    assert question is not None
    await bot.fake.user_message(int(thread["id"]), bot.alice, question.key_points[0].text)
    await bot.until(lambda: len(bot.fake.reactions) == 1)

    await bot.scheduler.run_until(START.replace(hour=18) + timedelta(minutes=1))
    posted = [m for m in bot.fake.messages_in(bot.channel_id) if m["author"]["bot"]]
    reveal = [
        m
        for m in posted
        if m["embeds"] and m["embeds"][0].get("title", "").startswith("The answer")
    ]
    assert len(reveal) == 1
    shown = "\n".join(
        [e.get("description") or "" for m in posted[1:] for e in m["embeds"]]
        + [
            f["name"] + "\n" + f["value"]
            for m in posted[1:]
            for e in m["embeds"]
            for f in e.get("fields", [])
        ]
    )
    assert question.answer.strip()[:200] in shown
    assert all(kp.text in shown for kp in question.key_points)
    assert "Alice" in shown and "Leaderboard this week" in shown
    last = posted[-1]
    assert _custom_ids(last) == [f"sb:feedback:{round_.id}", f"sb:report:{round_.id}"]

    feedback = await bot.fake.press(last, f"sb:feedback:{round_.id}", user=bot.alice)
    data = feedback.callback.result()["data"]
    assert data["flags"] & 64 and "You covered" in data["embeds"][0]["description"]


async def test_a_thread_the_client_has_not_seen_is_looked_up_once(bot: Bot) -> None:
    bot.fake.announce_threads = False
    await bot.set_up_group()
    _, thread = await bot.post_round()
    tid = int(thread["id"])
    await bot.fake.user_message(tid, bot.alice, "Precision is about false positives")
    await bot.fake.user_message(tid, bot.bob, "Recall is about false negatives")
    await bot.until(lambda: len(bot.fake.reactions) == 2)
    assert len(bot.fake.calls_to("GET", rf"/channels/{tid}")) == 1
    round_ = await _current_round(bot)
    assert len(await bot.app.store.round_answers(round_.id)) == 2


async def test_messages_outside_a_rounds_thread_are_not_answers(bot: Bot) -> None:
    await bot.set_up_group()
    await bot.post_round()
    await bot.fake.user_message(bot.channel_id, bot.alice, "good morning")
    other = bot.fake.add_channel(int(bot.guild["id"]), "chat")
    await bot.fake.user_message(int(other["id"]), bot.alice, "hello")
    # a member's message after them is handled, so the two before were ignored
    _, thread = await bot.post_round()
    await bot.fake.user_message(
        int(thread["id"]), bot.bob, "Recall counts the positives we missed."
    )
    await bot.until(lambda: len(bot.fake.reactions) == 1)
    assert bot.fake.dms_to(int(bot.alice["id"])) == []
    round_ = await _current_round(bot)
    assert [a.display_name for a in await bot.app.store.round_answers(round_.id)] == ["Bob"]


async def _claimed_by_a_dead_replica(bot: Bot) -> Round:
    """A round claimed for posting by a process that then died (its lease runs out)."""
    group = (await bot.app.store.list_groups())[0]
    question = bot.app.bank.select((), ("easy", "medium", "hard"))[0]
    round_ = await bot.app.store.claim_round(
        group.id, START.date(), question.id, START, lease_until=START + timedelta(minutes=10)
    )
    assert round_ is not None
    await bot.app.store.db.execute(
        "UPDATE rounds SET lease_owner = 'dead-replica' WHERE id = :id", {"id": round_.id}
    )
    return round_


def _cards(bot: Bot) -> list[Json]:
    return [
        m
        for m in bot.fake.messages_in(bot.channel_id)
        if m["author"]["id"] == bot.fake.bot_user["id"] and m["embeds"]
    ]


async def test_a_card_posted_before_a_crash_is_found_and_not_posted_again(bot: Bot) -> None:
    await bot.set_up_group()
    round_ = await _claimed_by_a_dead_replica(bot)
    group = (await bot.app.store.list_groups())[0]
    question = bot.app.bank.get(round_.question_id)
    assert question is not None
    # The dead process got the card out, but not the thread, nor the round marked open.
    card = messages.round_card(question, round_, START + timedelta(hours=8), "UTC")
    await bot.platform.chat.post(group.channel, card)
    assert len(_cards(bot)) == 1

    bot.clock.set(START + timedelta(minutes=11))  # the dead replica's lease has run out
    await bot.app.rounds.sweep()

    cards = _cards(bot)
    assert len(cards) == 1, "the round was posted a second time"
    taken = await bot.app.store.get_round(round_.id)
    assert taken is not None and taken.status is RoundStatus.OPEN
    assert taken.message_id == cards[0]["id"]
    thread = bot.fake.thread_of(int(cards[0]["id"]))
    assert thread is not None and taken.thread_id == thread["id"]


async def test_a_card_never_posted_before_a_crash_is_posted_once(bot: Bot) -> None:
    await bot.set_up_group()
    round_ = await _claimed_by_a_dead_replica(bot)
    bot.clock.set(START + timedelta(minutes=11))
    await bot.app.rounds.sweep()
    cards = _cards(bot)
    assert len(cards) == 1
    assert _custom_ids(cards[0])[0] == f"sb:answer:{round_.id}"
    taken = await bot.app.store.get_round(round_.id)
    assert taken is not None and taken.status is RoundStatus.OPEN
    assert bot.fake.thread_of(int(cards[0]["id"])) is not None
