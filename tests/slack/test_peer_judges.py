"""Peer judges (`appeals=peers`) on Slack, through the real bolt app against the loopback fake.

Bob appeals a vague answer; three of the four members who answered well get the
case in the app's DM with them, without Bob's name; "Judge" there opens a
modal of one input. Two agreeing votes settle it and Bob hears by DM; nothing
reaches the channel. Every test ends with a from-scratch recount of the scores.
"""

from __future__ import annotations

import json
from typing import Any

from bot.records import AppealStatus
from bot.scoring import ScoringRules
from loopback.slack import TRIGGER_LIFETIME, SlackText, block_actions, dm_channel, trigger_issued
from tests.recount_check import assert_scores_recount
from tests.slack.conftest import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    GOOD_ANSWER,
    SlackRig,
    block_texts,
    thread_reply,
    wait_until,
)
from tests.slack.test_appeals import (
    VAGUE,
    _buttons,
    _inputs,
    _points,
    _press,
    _slow_lookups,
    _submit,
    _summary_ts,
)

RULES = ScoringRules()
NOTE = "My answer names the trade-off."
MEMBERS = {ALICE: "Alice", "UCAROL": "Carol", "UDAN": "Dan", "UERIN": "Erin"}


async def _peer_round(rig: SlackRig) -> None:
    """Set up with appeals=peers; four members answer well, Bob vaguely; Ada reveals."""
    for user, name in MEMBERS.items():
        if user != ALICE:
            rig.fake.add_user(user, name)
    _, _, hook = await rig.command("/studybot", SlackText("setup days=daily appeals=peers"), ADMIN)
    assert "Daily questions are on" in json.dumps(rig.responses(hook))
    await rig.command("/studybot", "post-now", user=ADMIN)
    thread = rig.round_ts()
    for n, user in enumerate([*MEMBERS, BOB]):
        text = VAGUE if user == BOB else GOOD_ANSWER
        ts = f"1800000000.{n + 1:06d}"
        await rig.event(thread_reply(user, text, ts, thread), f"Ev{n}")
    await rig.command("/studybot", "reveal", user=ADMIN)
    assert await _points(rig, "Bob") == RULES.participation


async def _appeal(rig: SlackRig) -> None:
    """Bob presses My feedback, then Appeal on that ephemeral message, and sends a note."""
    await _press(rig, BOB, CHANNEL, _summary_ts(rig), "feedback", "1")
    await _press(rig, BOB, CHANNEL, "1800000000.000900", "appeal", "1", ephemeral=True)
    view = rig.fake.modal()
    assert view["callback_id"] == "appeal"
    assert await _submit(rig, BOB, view, {"text": NOTE}) == ""


async def _panel(rig: SlackRig) -> list[str]:
    rows = await rig.app.store.db.fetch(
        "SELECT m.user_id FROM appeal_judges j JOIN members m ON m.id = j.judge_id"
        " ORDER BY m.user_id"
    )
    return [str(r["user_id"]) for r in rows]


def _judge_cards(rig: SlackRig, user: str) -> list[dict[str, Any]]:
    return [m for m in rig.fake.dms(user) if "Judge an appeal" in block_texts(m["blocks"])]


async def _open_judge_form(rig: SlackRig, user: str, channel: str, ts: str) -> dict[str, Any]:
    """Press Judge (appeal 1) as `user`; return the modal that opened."""
    opened = len(rig.fake.opened)
    assert await _press(rig, user, channel, ts, "appeal-judge", "1") == []
    assert len(rig.fake.opened) == opened + 1
    return rig.fake.modal()


async def _refused_press(rig: SlackRig, user: str, channel: str, ts: str) -> str:
    """Press Judge (appeal 1) as `user`; check the modal has no form; return what it shows."""
    shown = await _open_judge_form(rig, user, channel, ts)
    assert "callback_id" not in shown  # nothing to submit
    return block_texts(shown["blocks"])


def _said_to(rig: SlackRig, user: str) -> list[str]:
    return [
        block_texts(c.args["blocks"])
        for c in rig.fake.of("chat.postEphemeral")
        if c.args["user"] == user
    ]


async def _vote(rig: SlackRig, judge: str, covered: str) -> str:
    """A judge presses Judge on the DM card and submits the form; return what they are told."""
    [card] = _judge_cards(rig, judge)
    view = await _open_judge_form(rig, judge, dm_channel(judge), card["ts"])
    assert view["callback_id"] == "appeal-judge"
    assert [b["block_id"] for b in _inputs(view)] == ["covered"]
    assert _inputs(view)[0]["element"]["multiline"] is False
    told = len(_said_to(rig, judge))
    assert await _submit(rig, judge, view, {"covered": covered}) == ""
    [said] = _said_to(rig, judge)[told:]
    [call] = [c for c in rig.fake.of("chat.postEphemeral") if c.args["user"] == judge][-1:]
    assert call.args["channel"] == dm_channel(judge)
    return said


async def test_three_peers_judge_by_dm_and_two_agreeing_votes_change_the_grade(
    rig: SlackRig,
) -> None:
    await _peer_round(rig)
    await _appeal(rig)
    [receipt] = [
        block_texts(c.args["blocks"])
        for c in rig.fake.of("chat.postEphemeral")
        if c.args["user"] == BOB and "Appeal sent" in block_texts(c.args["blocks"])
    ]
    assert "Three members who answered the same question" in receipt

    panel = await _panel(rig)
    assert len(panel) == 3 and set(panel) <= set(MEMBERS)
    assert sorted(u for u in MEMBERS if _judge_cards(rig, u)) == panel
    assert not _judge_cards(rig, BOB) and not _judge_cards(rig, ADMIN)
    assert not [m for m in rig.fake.dms(ADMIN) if "Appeal #" in block_texts(m["blocks"])]
    for judge in panel:
        [card] = _judge_cards(rig, judge)
        text = block_texts(card["blocks"])
        assert "Bob" not in text and VAGUE in text and NOTE in text
        [button] = _buttons(card["blocks"])
        assert (button["action_id"], button["value"], button["text"]["text"]) == (
            "appeal-judge",
            "1",
            "Judge",
        )

    first, second, third = panel
    said = await _vote(rig, first, "all")
    assert "Your vote is in and stays private" in said and "once a majority agrees" in said
    assert await _points(rig, "Bob") == RULES.participation
    said = await _vote(rig, second, "all")
    assert "a majority agreed, and the grade was changed" in said
    after = RULES.participation + RULES.coverage_bonus
    assert await _points(rig, "Bob") == after
    [told] = [block_texts(m["blocks"]) for m in rig.fake.dms(BOB)]
    assert "Your grade was changed" in told
    assert all(name not in told for name in MEMBERS.values())

    [card] = _judge_cards(rig, third)
    late = await _refused_press(rig, third, dm_channel(third), card["ts"])
    assert "voted on this appeal already, or it was decided" in late
    assert await _points(rig, "Bob") == after
    appeal = await rig.app.store.appeal(1)
    assert appeal is not None and appeal.status is not AppealStatus.OPEN
    assert appeal.decided_by is None  # no judge is named
    await assert_scores_recount(rig.app.store.db)


async def test_a_member_who_is_no_judge_forging_the_judge_button_and_modal_changes_nothing(
    rig: SlackRig,
) -> None:
    await _peer_round(rig)
    await _appeal(rig)
    panel = await _panel(rig)
    outsider = next(u for u in MEMBERS if u not in panel)
    [card] = _judge_cards(rig, panel[0])
    # The outsider presses the same action and value, from her DM and from the channel ...
    for channel in (dm_channel(outsider), CHANNEL):
        shown = await _refused_press(rig, outsider, channel, card["ts"])
        assert "Only the three members asked to judge" in shown
    # ... and submits a judge's modal, its private_metadata copied; so does Bob.
    view = await _open_judge_form(rig, panel[0], dm_channel(panel[0]), card["ts"])
    assert view["callback_id"] == "appeal-judge"
    for user in (outsider, BOB):
        answer = json.loads(await _submit(rig, user, view, {"covered": "all"}))
        assert answer["response_action"] == "errors"
        assert "Only the three members asked to judge" in answer["errors"]["covered"]

    votes = await rig.app.store.db.fetch("SELECT covered FROM appeal_judges")
    assert len(votes) == 3 and all(v["covered"] is None for v in votes)
    appeal = await rig.app.store.appeal(1)
    assert appeal is not None and appeal.status is AppealStatus.OPEN
    assert await _points(rig, "Bob") == RULES.participation
    assert rig.fake.dms(BOB) == []
    await assert_scores_recount(rig.app.store.db)


async def test_nothing_about_a_peer_appeal_is_posted_in_the_channel_or_thread(
    rig: SlackRig,
) -> None:
    await _peer_round(rig)
    in_channel = len(rig.fake.messages[CHANNEL])  # its thread's messages included
    responses = len(rig.fake.of("response_url"))
    ephemerals = len(rig.fake.of("chat.postEphemeral"))
    await _appeal(rig)
    panel = await _panel(rig)
    for judge in panel[:2]:
        await _vote(rig, judge, "1")
    appeal = await rig.app.store.appeal(1)
    assert appeal is not None and appeal.status is not AppealStatus.OPEN

    assert rig.fake.messages[CHANNEL][in_channel:] == []
    said = rig.fake.of("response_url")[responses:]
    assert said and {r.args["response_type"] for r in said} == {"ephemeral"}
    for call in rig.fake.of("chat.postEphemeral")[ephemerals:]:
        assert call.args["channel"] in (CHANNEL, dm_channel(call.args["user"]))
    heard = {u for u in [*MEMBERS, BOB, ADMIN] if rig.fake.dms(u)}
    assert heard == {*panel, BOB}
    await assert_scores_recount(rig.app.store.db)


async def test_judge_opens_its_modal_at_once_when_slack_is_slow(rig: SlackRig) -> None:
    await _peer_round(rig)
    await _appeal(rig)
    judge = (await _panel(rig))[0]
    [card] = _judge_cards(rig, judge)
    _slow_lookups(rig)  # hours later: the judge's name has left the cache, users.info is slow
    press = block_actions(judge, dm_channel(judge), card["ts"], "appeal-judge", "1", rig.hook())
    opened = len(rig.fake.opened)
    status, _ = await rig.sender.interactive(press)
    assert status == 200
    await wait_until(lambda: len(rig.fake.opened) > opened, within=2 * TRIGGER_LIFETIME)
    issued = trigger_issued(press["trigger_id"])
    assert issued is not None and rig.fake.of("views.open")[-1].at - issued < 1.0
    await rig.settle()
    assert rig.fake.errors("views.open") == []
    rig.fake.slow("users.info", 0)
    view = rig.fake.modal()  # the core's form, filled in by views.update
    assert view["callback_id"] == "appeal-judge"
    assert [b["block_id"] for b in _inputs(view)] == ["covered"]
    assert await _submit(rig, judge, view, {"covered": "all"}) == ""
    votes = await rig.app.store.db.fetch("SELECT covered FROM appeal_judges")
    assert sorted(str(v["covered"]) for v in votes) == ["111", "None", "None"]
    await assert_scores_recount(rig.app.store.db)
