"""A daily round on Slack in HTTP mode: signed requests to the real bolt app, a fake Slack."""

from __future__ import annotations

import json

from loopback.slack import BOT_ID, BOT_USER, Mention, block_actions, message_text, view_submission
from tests.slack.conftest import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    GOOD_ANSWER,
    SlackRig,
    block_texts,
    thread_reply,
)


async def test_the_round_is_posted_as_block_kit_with_its_buttons(rig: SlackRig) -> None:
    await rig.setup_channel()
    post = rig.round_post()
    assert post["channel"] == CHANNEL
    kinds = [b["type"] for b in post["blocks"]]
    assert kinds[0] == "header" and "actions" in kinds and kinds[-1] == "context"
    header = post["blocks"][0]["text"]["text"]
    assert "Evaluation" in header or "Algorithms" in header or "NLP" in header
    assert any(d in header for d in ("easy", "medium", "hard"))
    actions = next(b for b in post["blocks"] if b["type"] == "actions")
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert labels == ["Answer privately", "Hint"]
    assert post["link_names"] is False
    assert post["metadata"]["event_payload"]["key"] == "round-1"


async def test_answer_privately_opens_a_modal_and_its_submission_is_recorded(
    rig: SlackRig,
) -> None:
    await rig.setup_channel()
    ts = rig.round_ts()
    payload = block_actions(ALICE, CHANNEL, ts, "answer", "1", rig.hook())
    status, _ = await rig.sender.interactive(payload)
    await rig.settle()
    assert status == 200
    [opened] = rig.fake.of("views.open")
    view = opened.args["view"]
    assert opened.args["trigger_id"] == payload["trigger_id"]
    assert view["type"] == "modal" and view["callback_id"] == "answer"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    # The core takes 4,000 characters; a Slack input holds 3,000: two boxes.
    assert [b["element"]["max_length"] for b in inputs] == [3000, 1000]

    submit = view_submission(ALICE, view, {inputs[0]["block_id"]: GOOD_ANSWER})
    status, body = await rig.sender.interactive(submit)
    await rig.settle()
    assert status == 200 and body == ""  # the modal closes
    assert await rig.answers() == [("Alice", GOOD_ANSWER)]
    [confirm] = rig.fake.of("chat.postEphemeral")
    assert confirm.args["user"] == ALICE and confirm.args["channel"] == CHANNEL
    assert "Recorded your answer" in block_texts(confirm.args["blocks"])


async def test_a_refused_submission_keeps_the_modal_open_and_saves_nothing(
    rig: SlackRig,
) -> None:
    await rig.setup_channel()
    status, _, _ = await rig.command("/answer", "", user=BOB)
    view = rig.fake.modal()
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    submit = view_submission(BOB, view, {inputs[0]: "   "})
    status, body = await rig.sender.interactive(submit)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert "empty" in answer["errors"][inputs[0]]
    assert await rig.answers() == []


async def test_a_long_answer_over_two_boxes_is_joined(rig: SlackRig) -> None:
    await rig.setup_channel()
    await rig.command("/answer", "", user=BOB)
    view = rig.fake.modal()
    first, second = (b["block_id"] for b in view["blocks"] if b["type"] == "input")
    part1, part2 = "a" * 2990 + " fold", "variance " * 100
    await rig.sender.interactive(view_submission(BOB, view, {first: part1, second: part2}))
    await rig.settle()
    [(name, text)] = await rig.answers()
    assert name == "Bob" and text == f"{part1}\n{part2}".strip()


async def test_hint_button_answers_privately(rig: SlackRig) -> None:
    await rig.setup_channel()
    hook = rig.hook()
    await rig.sender.interactive(block_actions(BOB, CHANNEL, rig.round_ts(), "hint", "1", hook))
    await rig.settle()
    [reply] = rig.responses(hook.rsplit("/", 1)[1])
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert "Hint" in block_texts(reply["blocks"])


async def test_thread_replies_edits_and_deletions(rig: SlackRig) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    assert (
        await rig.event(thread_reply(BOB, "first try", "1800000000.000100", thread), "Ev1") == 200
    )
    assert await rig.answers() == [("Bob", "first try")]
    assert (CHANNEL, "1800000000.000100", "white_check_mark") in rig.fake.reactions

    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": CHANNEL,
        "hidden": True,
        "message": {
            "type": "message",
            "user": BOB,
            "text": GOOD_ANSWER,
            "ts": "1800000000.000100",
            "thread_ts": thread,
        },
        "previous_message": {
            "type": "message",
            "user": BOB,
            "text": "first try",
            "ts": "1800000000.000100",
            "thread_ts": thread,
        },
        "ts": "1800000000.000200",
        "event_ts": "1800000000.000200",
    }
    await rig.event(edited, "Ev2")
    assert await rig.answers() == [("Bob", GOOD_ANSWER)]
    assert (CHANNEL, "1800000000.000100", "repeat") in rig.fake.reactions

    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": CHANNEL,
        "hidden": True,
        "deleted_ts": "1800000000.000100",
        "previous_message": edited["message"],
        "ts": "1800000000.000300",
        "event_ts": "1800000000.000300",
    }
    await rig.event(deleted, "Ev3")
    assert await rig.answers() == []
    [notice] = rig.fake.of("chat.postEphemeral")
    assert "withdrawn" in block_texts(notice.args["blocks"])
    assert notice.args["thread_ts"] == thread


async def test_thread_messages_add_up_and_a_mention_of_another_member_is_discussion(
    rig: SlackRig,
) -> None:
    # Issue #16: a second message replaced the answer ("🔁 Replaced your earlier answer").
    await rig.setup_channel()
    thread = rig.round_ts()
    await rig.event(
        thread_reply(BOB, "Bias is systematic error.", "1800000000.000100", thread), "E1"
    )
    await rig.event(thread_reply(BOB, "Variance is noise.", "1800000000.000200", thread), "E2")
    assert (CHANNEL, "1800000000.000100", "white_check_mark") in rig.fake.reactions
    assert (CHANNEL, "1800000000.000200", "heavy_plus_sign") in rig.fake.reactions
    talk = message_text("Good point ", Mention(BOB, "Bob"), ", and both add up.")
    await rig.event(thread_reply(ALICE, talk, "1800000000.000300", thread), "E3")
    to_bot = message_text(Mention(BOT_USER, "studybot"), " I'd add: more data lowers variance.")
    await rig.event(thread_reply(BOB, to_bot, "1800000000.000400", thread), "E4")
    [(name, text)] = await rig.answers()  # Alice's talk with Bob is no answer
    assert name == "Bob"
    parts = text.split("\n")
    assert parts[:2] == ["Bias is systematic error.", "Variance is noise."]
    assert len(parts) == 3 and parts[2].endswith("I'd add: more data lowers variance.")
    assert not [c for c in rig.fake.of("chat.postEphemeral") if c.args["user"] == ALICE]
    assert not any(r[1] == "1800000000.000300" for r in rig.fake.reactions)


async def test_after_the_reveal_an_on_time_answerer_hears_once_that_it_stands(
    rig: SlackRig,
) -> None:
    # Issue #16: writing, editing or deleting after the reveal got no word at all.
    await rig.setup_channel()
    thread = rig.round_ts()
    await rig.event(thread_reply(BOB, GOOD_ANSWER, "1800000000.000100", thread), "E1")
    status, _, _ = await rig.command("/studybot", "reveal", user=ADMIN)
    assert status == 200
    await rig.event(thread_reply(BOB, "Ah, and noise.", "1800000000.000500", thread), "E5")
    await rig.event(thread_reply(BOB, "Thanks all.", "1800000000.000600", thread), "E6")
    told = [
        block_texts(c.args["blocks"])
        for c in rig.fake.of("chat.postEphemeral")
        if c.args["user"] == BOB
    ]
    assert len(told) == 1 and "your on-time answer stands" in told[0]
    assert await rig.answers() == [("Bob", GOOD_ANSWER)]


async def test_a_retried_event_never_records_or_replies_twice(rig: SlackRig) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    event = thread_reply(BOB, GOOD_ANSWER, "1800000000.000100", thread)
    await rig.event(event, "EvSame")
    calls_after_first = len(rig.fake.calls)
    status = await rig.event(event, "EvSame", retry_num=1)
    assert status == 200
    status = await rig.event(event, "EvSame", retry_num=2)
    assert status == 200
    assert await rig.answers() == [("Bob", GOOD_ANSWER)]
    assert len(rig.fake.calls) == calls_after_first  # no second reaction, no message
    assert [c.args["name"] for c in rig.fake.of("reactions.add")] == ["white_check_mark"]


async def test_other_messages_are_not_answers(rig: SlackRig) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    top_level = {"type": "message", "channel": CHANNEL, "user": BOB, "text": "hi", "ts": "1.1"}
    await rig.event(top_level, "EvTop")
    from_bot = thread_reply(BOB, "bot text", "1.2", thread) | {"bot_id": BOT_ID}
    await rig.event(from_bot, "EvBot")
    other_thread = thread_reply(BOB, "elsewhere", "1.3", "1.0")
    await rig.event(other_thread, "EvOther")
    assert await rig.answers() == []
    assert rig.fake.of("reactions.add") == []


async def test_the_reveal_goes_to_the_thread_and_in_short_to_the_channel(rig: SlackRig) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    await rig.event(thread_reply(BOB, GOOD_ANSWER, "1800000000.000100", thread), "Ev1")
    before = len(rig.fake.of("chat.postMessage"))
    _, _, hook = await rig.command("/studybot", "reveal", user=ADMIN)
    assert "Revealed" in str(rig.responses(hook))
    posts = rig.fake.of("chat.postMessage")[before:]
    in_thread = [p.args for p in posts if p.args.get("thread_ts") == thread]
    in_channel = [p.args for p in posts if not p.args.get("thread_ts")]
    assert in_thread and len(in_channel) == 1
    full = "\n".join(block_texts(p["blocks"]) for p in in_thread)
    assert "Key points" in full and "Bob" in full and "Leaderboard" in full
    summary = in_channel[0]
    assert summary["metadata"]["event_payload"]["key"] == "reveal-1"
    summary_text = block_texts(summary["blocks"])
    assert "Key points" not in summary_text and "thread" in summary_text
    assert "https://fake.slack.test/archives/" in summary_text
    assert any(
        e.get("action_id") == "feedback"
        for b in summary["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )


async def test_the_reveal_finds_the_thread_after_a_restart(rig: SlackRig) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    rig.platform._chat._rounds.clear()  # a new process remembers no post
    before = len(rig.fake.of("chat.postMessage"))
    await rig.command("/studybot", "reveal", user=ADMIN)
    assert rig.fake.of("conversations.history")
    posts = rig.fake.of("chat.postMessage")[before:]
    assert any(p.args.get("thread_ts") == thread for p in posts)


async def test_a_429_on_chat_post_message_is_retried_and_nothing_is_lost(rig: SlackRig) -> None:
    await rig.command("/studybot", "setup days=daily", user=ADMIN)  # its notice goes through
    rig.fake.fail_next("chat.postMessage", times=1, retry_after=0)
    await rig.command("/studybot", "post-now", user=ADMIN)
    assert len(rig.fake.rejected) == 1
    rejected = rig.fake.rejected[0].args
    post = rig.round_post()
    assert post["blocks"] == rejected["blocks"]
    cards = [c for c in rig.fake.of("chat.postMessage") if c.args["blocks"] == post["blocks"]]
    assert len(cards) == 1
    round_ = await rig.app.store.get_round(1)
    assert round_ is not None and round_.status.value == "open"


async def test_app_home_shows_streak_points_coverage_and_leaderboards(rig: SlackRig) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    await rig.event(thread_reply(BOB, GOOD_ANSWER, "1800000000.000100", thread), "Ev1")
    await rig.command("/studybot", "reveal", user=ADMIN)
    opened = {"type": "app_home_opened", "user": BOB, "channel": "D0BOB", "tab": "home"}
    await rig.event(opened, "EvHome")
    [published] = rig.fake.of("views.publish")
    assert published.args["user_id"] == BOB
    view = published.args["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = block_texts(view["blocks"])
    assert f"<#{CHANNEL}>" in text
    for expected in ("Streak", "1 now", "Points", "By category", "Leaderboard", "Bob"):
        assert expected in text, expected


async def test_app_home_for_a_newcomer(rig: SlackRig) -> None:
    await rig.event({"type": "app_home_opened", "user": ALICE, "tab": "home"}, "EvHome")
    [published] = rig.fake.of("views.publish")
    assert "no points yet" in block_texts(published.args["view"]["blocks"])
