"""Appeals and regrades on Slack, through the real bolt app against the loopback fake.

A member appeals from "My feedback" (an ephemeral message in the channel); the
case reaches each admin in the app's direct messages (an IM, `D…`), where
"Change the grade" opens a modal that carries no channel: its context rides in
`private_metadata`. Every test ends with a from-scratch recount of the scores
(tests.recount_check).
"""

from __future__ import annotations

import json
from typing import Any

from bot.scoring import ScoringRules
from loopback.slack import (
    TRIGGER_LIFETIME,
    SlackText,
    block_actions,
    dm_channel,
    event_callback,
    trigger_issued,
    view_submission,
)
from tests.recount_check import assert_scores_recount
from tests.slack.conftest import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    GOOD_ANSWER,
    SlackRig,
    SocketRig,
    block_texts,
    thread_reply,
    wait_until,
)

RULES = ScoringRules()
DORA = "UDORA"  # the listed admin (admins=), no workspace admin
VAGUE = "no idea, sorry"  # an attempt that covers no key point
NOTE = "My answer says the estimate depends on the data."
REASON = "It names the trade-off in its own words."


def _buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b.get("type") == "actions" for e in b["elements"]]


def _inputs(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in view["blocks"] if b.get("type") == "input"]


async def _points(rig: SlackRig, name: str) -> int | None:
    answers = await rig.app.store.round_answers(1)
    return next(a.points for a in answers if a.display_name == name)


async def _revealed_round(rig: SlackRig) -> None:
    """Set the channel up with Dora listed as admin; Alice and Bob answer; Ada reveals."""
    rig.fake.add_user(DORA, "Dora")
    text = SlackText(f"setup days=daily admins=<@{DORA}|dora>")
    _, _, hook = await rig.command("/studybot", text, user=ADMIN)
    assert "Daily questions are on" in json.dumps(rig.responses(hook))
    _, _, hook = await rig.command("/studybot", "post-now", user=ADMIN)
    thread = rig.round_ts()
    await rig.event(thread_reply(ALICE, GOOD_ANSWER, "1800000000.000100", thread), "EvA")
    await rig.event(thread_reply(BOB, VAGUE, "1800000000.000200", thread), "EvB")
    await rig.command("/studybot", "reveal", user=ADMIN)
    assert await _points(rig, "Bob") == RULES.participation


def _summary_ts(rig: SlackRig) -> str:
    """Return the ts of the reveal's summary in the channel (the My feedback button's message)."""
    for message in rig.fake.messages[CHANNEL]:
        if (message.get("metadata") or {}).get("event_payload", {}).get("key") == "reveal-1":
            return str(message["ts"])
    raise AssertionError("no reveal summary")


async def _press(
    rig: SlackRig,
    user: str,
    channel: str,
    ts: str,
    action: str,
    value: str,
    *,
    ephemeral: bool = False,
) -> list[dict[str, Any]]:
    """Press a button; return what the adapter posted to the press's response_url."""
    hook = rig.hook()
    payload = block_actions(user, channel, ts, action, value, hook, ephemeral=ephemeral)
    status, _ = await rig.sender.interactive(payload)
    assert status == 200
    await rig.settle()
    return rig.responses(hook.rsplit("/", 1)[1])


async def _submit(rig: SlackRig, user: str, view: dict[str, Any], values: dict[str, str]) -> str:
    """Submit a modal as `user`; return Slack's answer body (empty: the modal closed)."""
    status, body = await rig.sender.interactive(view_submission(user, view, values))
    assert status == 200
    await rig.settle()
    return body


async def _appeal(rig: SlackRig) -> None:
    """Bob presses My feedback, then Appeal on that ephemeral message, and sends a note."""
    [feedback] = await _press(rig, BOB, CHANNEL, _summary_ts(rig), "feedback", "1")
    assert feedback["response_type"] == "ephemeral"
    [appeal] = [b for b in _buttons(feedback["blocks"]) if b["action_id"] == "appeal"]
    assert appeal["value"] == "1" and appeal["text"]["text"] == "Appeal"
    opened = len(rig.fake.opened)
    await _press(rig, BOB, CHANNEL, "1800000000.000900", "appeal", "1", ephemeral=True)
    assert len(rig.fake.opened) == opened + 1
    view = rig.fake.modal()
    assert view["callback_id"] == "appeal"
    [note] = _inputs(view)
    assert note["block_id"] == "text" and note["element"]["multiline"] is True
    assert await _submit(rig, BOB, view, {"text": NOTE}) == ""


def _case(rig: SlackRig, admin: str) -> dict[str, Any]:
    """Return the appeal's case as the app's DM with an admin holds it."""
    [case] = [m for m in rig.fake.dms(admin) if "Appeal #" in block_texts(m["blocks"])]
    return case


async def test_an_appeal_reaches_the_admins_by_dm_and_a_regrade_there_rescores(
    rig: SlackRig,
) -> None:
    await _revealed_round(rig)
    await _appeal(rig)
    [receipt] = [
        c.args
        for c in rig.fake.of("chat.postEphemeral")
        if c.args["user"] == BOB and "Appeal sent" in block_texts(c.args["blocks"])
    ]
    assert receipt["channel"] == CHANNEL
    assert "Your appeal is with 2 admins of this channel" in block_texts(receipt["blocks"])

    # The listed admin and the founder each get the case in the app's DM with them.
    for admin in (DORA, ADMIN):
        text = block_texts(_case(rig, admin)["blocks"])
        assert VAGUE in text and "Bob" in text and "Their note" in text and NOTE in text
        assert "Graded: 0 of" in text and "1. ✗" in text
    case = _case(rig, DORA)
    change, keep = _buttons(case["blocks"])
    assert (change["action_id"], change["text"]["text"]) == ("regrade", "Change the grade")
    assert (keep["action_id"], keep["text"]["text"]) == ("appeal-keep", "Keep as graded")

    # Dora presses "Change the grade" in her DM: a modal of two inputs opens.
    opened = len(rig.fake.opened)
    await _press(rig, DORA, dm_channel(DORA), case["ts"], "regrade", change["value"])
    assert len(rig.fake.opened) == opened + 1
    view = rig.fake.modal()
    assert view["callback_id"] == "regrade"
    covered, reason = _inputs(view)
    assert covered["block_id"] == "covered" and covered["element"]["multiline"] is False
    assert reason["block_id"] == "reason" and reason["element"]["multiline"] is True
    assert await _submit(rig, DORA, view, {"covered": "all", "reason": REASON}) == ""

    after = RULES.participation + RULES.coverage_bonus
    assert await _points(rig, "Bob") == after
    told = [c for c in rig.fake.of("chat.postEphemeral") if c.args["user"] == DORA]
    [changed] = [block_texts(c.args["blocks"]) for c in told]
    assert "Grade changed" in changed and f"→ {after} points" in changed
    assert told[0].args["channel"] == dm_channel(DORA)
    [note] = [block_texts(m["blocks"]) for m in rig.fake.dms(BOB)]
    assert "Your grade was changed" in note and REASON in note and "now credited" in note

    _, _, hook = await rig.command("/leaderboard", "all", user=BOB)
    [board] = [block_texts(r["blocks"]) for r in rig.responses(hook)]
    assert f"1. Bob — {after} · 1 round, 100% coverage\n2. Alice — " in board
    # Bob's feedback now says so, with no Appeal; the old Appeal button opens no form.
    [feedback] = await _press(rig, BOB, CHANNEL, _summary_ts(rig), "feedback", "1")
    assert "An admin regraded this answer." in block_texts(feedback["blocks"])
    assert "appeal" not in [b["action_id"] for b in _buttons(feedback["blocks"])]
    await _press(rig, BOB, CHANNEL, "1800000000.000900", "appeal", "1", ephemeral=True)
    assert "appealed this answer already" in block_texts(rig.fake.modal()["blocks"])
    assert "callback_id" not in rig.fake.modal()
    await assert_scores_recount(rig.app.store.db)


async def test_keep_as_graded_from_the_dm_and_a_later_decision_is_decided_already(
    rig: SlackRig,
) -> None:
    await _revealed_round(rig)
    await _appeal(rig)
    [_, keep] = _buttons(_case(rig, DORA)["blocks"])
    kept = await _press(
        rig, DORA, dm_channel(DORA), _case(rig, DORA)["ts"], "appeal-keep", keep["value"]
    )
    assert ["Grade kept" in block_texts(r["blocks"]) for r in kept] == [True]
    assert kept[0]["response_type"] == "ephemeral"
    [note] = [block_texts(m["blocks"]) for m in rig.fake.dms(BOB)]
    assert "Your appeal was decided" in note and "kept its grade" in note

    # Ada, the founder, decides later from her own DM: both ways say Dora decided first.
    case = _case(rig, ADMIN)
    change, keep = _buttons(case["blocks"])
    late = await _press(rig, ADMIN, dm_channel(ADMIN), case["ts"], "appeal-keep", keep["value"])
    assert ["decided already by Dora" in block_texts(r["blocks"]) for r in late] == [True]
    await _press(rig, ADMIN, dm_channel(ADMIN), case["ts"], "regrade", change["value"])
    view = rig.fake.modal()
    assert view["callback_id"] == "regrade"
    answer = json.loads(await _submit(rig, ADMIN, view, {"covered": "all", "reason": "no"}))
    assert answer["response_action"] == "errors"
    assert "decided already by Dora" in answer["errors"]["covered"]
    assert await _points(rig, "Bob") == RULES.participation
    assert len(rig.fake.dms(BOB)) == 1  # told once, of the decision that counts
    await assert_scores_recount(rig.app.store.db)


async def test_a_member_forging_the_admins_buttons_and_modal_changes_nothing(
    rig: SlackRig,
) -> None:
    await _revealed_round(rig)
    await _appeal(rig)
    case = _case(rig, DORA)
    change, keep = _buttons(case["blocks"])
    # Alice is no admin: the same action ids and values, from her DM and from the channel.
    for channel in (dm_channel(ALICE), CHANNEL):
        said = await _press(rig, ALICE, channel, case["ts"], "appeal-keep", keep["value"])
        assert ["Only the channel's admins" in block_texts(r["blocks"]) for r in said] == [True]
        await _press(rig, ALICE, channel, case["ts"], "regrade", change["value"])
        assert "Only the channel's admins" in block_texts(rig.fake.modal()["blocks"])
        assert "callback_id" not in rig.fake.modal()  # nothing to submit
    # A forged submission of Dora's modal, its private_metadata copied.
    await _press(rig, DORA, dm_channel(DORA), case["ts"], "regrade", change["value"])
    view = rig.fake.modal()
    answer = json.loads(await _submit(rig, ALICE, view, {"covered": "all", "reason": "mine"}))
    assert answer["response_action"] == "errors"
    assert "Only the channel's admins" in answer["errors"]["covered"]
    assert await _points(rig, "Bob") == RULES.participation
    appeal = await rig.app.store.appeal(1)
    assert appeal is not None and appeal.decided_by is None
    assert rig.fake.dms(BOB) == []
    await assert_scores_recount(rig.app.store.db)


async def test_no_channel_message_names_anyone_for_an_appeal(rig: SlackRig) -> None:
    await _revealed_round(rig)
    in_channel = len(rig.fake.messages[CHANNEL])  # its thread's messages included
    responses = len(rig.fake.of("response_url"))
    ephemerals = len(rig.fake.of("chat.postEphemeral"))
    await _appeal(rig)
    case = _case(rig, DORA)
    change, _ = _buttons(case["blocks"])
    await _press(rig, DORA, dm_channel(DORA), case["ts"], "regrade", change["value"])
    await _submit(rig, DORA, rig.fake.modal(), {"covered": "all", "reason": REASON})
    _, _, hook = await rig.command("/appeal", "I named both folds", user=ALICE)
    assert "Appeal sent" in block_texts(rig.responses(hook)[0]["blocks"])
    _, _, hook = await rig.command("/studybot", "appeals", user=DORA)
    assert "Alice" in block_texts(rig.responses(hook)[0]["blocks"])
    assert await _points(rig, "Bob") == RULES.participation + RULES.coverage_bonus
    # Nothing was posted in the channel or its thread: the cases and the decisions went to
    # the app's DMs, and what members saw in the channel was ephemeral, to the one who acted.
    assert rig.fake.messages[CHANNEL][in_channel:] == []
    assert len(rig.fake.dms(DORA)) == 2 and len(rig.fake.dms(BOB)) == 1
    said = rig.fake.of("response_url")[responses:]
    assert said and {r.args["response_type"] for r in said} == {"ephemeral"}
    for call in rig.fake.of("chat.postEphemeral")[ephemerals:]:
        assert call.args["channel"] in (CHANNEL, dm_channel(call.args["user"]))
    await assert_scores_recount(rig.app.store.db)


async def test_an_admin_reviews_from_the_list_of_open_appeals_in_the_channel(
    rig: SlackRig,
) -> None:
    await _revealed_round(rig)
    await _appeal(rig)
    _, _, hook = await rig.command("/studybot", "appeals", user=DORA)
    [listed] = rig.responses(hook)
    assert listed["response_type"] == "ephemeral" and "#1 · Bob" in block_texts(listed["blocks"])
    [review] = _buttons(listed["blocks"])
    assert (review["action_id"], review["text"]["text"]) == ("appeal-open", "Review #1")
    ts = "1800000000.000990"  # the ephemeral list's
    [card] = await _press(rig, DORA, CHANNEL, ts, "appeal-open", review["value"], ephemeral=True)
    assert card["response_type"] == "ephemeral" and NOTE in block_texts(card["blocks"])
    change, _ = _buttons(card["blocks"])
    await _press(rig, DORA, CHANNEL, ts, "regrade", change["value"], ephemeral=True)
    view = rig.fake.modal()
    assert view["callback_id"] == "regrade"
    assert await _submit(rig, DORA, view, {"covered": "1", "reason": ""}) == ""
    [done] = [c.args for c in rig.fake.of("chat.postEphemeral") if c.args["user"] == DORA]
    assert done["channel"] == CHANNEL and "Grade changed" in block_texts(done["blocks"])
    _, _, hook = await rig.command("/studybot", "appeals", user=DORA)
    assert "No appeal is waiting" in block_texts(rig.responses(hook)[0]["blocks"])
    assert (await _points(rig, "Bob") or 0) > RULES.participation
    await assert_scores_recount(rig.app.store.db)


async def test_regrade_names_the_member_by_a_mention(rig: SlackRig) -> None:
    await _revealed_round(rig)
    text = SlackText(f"regrade <@{BOB}|bob> 2026-12-01")
    _, _, hook = await rig.command("/studybot", text, user=DORA)
    [card] = [block_texts(r["blocks"]) for r in rig.responses(hook)]
    assert "Regrade · " in card and VAGUE in card
    await assert_scores_recount(rig.app.store.db)


def _slow_lookups(rig: SlackRig) -> None:
    """Make users.info take longer than a trigger_id lives, and forget every member.

    As hours after the reveal, when the members' names have long left the cache.
    """
    assert rig.platform.bot is not None
    rig.platform.bot.users._cache.clear()
    rig.fake.slow("users.info", TRIGGER_LIFETIME + 0.5)


async def _opened_at_once(rig: SlackRig, payload: dict[str, Any], form: str) -> dict[str, Any]:
    """Send a button press; check its modal opened well within the trigger_id's 3 s."""
    opened = len(rig.fake.opened)
    status, _ = await rig.sender.interactive(payload)
    assert status == 200
    await wait_until(lambda: len(rig.fake.opened) > opened, within=2 * TRIGGER_LIFETIME)
    call = rig.fake.of("views.open")[-1]
    issued = trigger_issued(payload["trigger_id"])
    assert issued is not None and call.at - issued < 1.0
    assert call.args["view"]["callback_id"] == form
    await rig.settle()
    assert rig.fake.errors("views.open") == []
    rig.fake.slow("users.info", 0)
    return rig.fake.modal()


async def test_appeal_and_change_the_grade_open_their_modals_at_once_when_slack_is_slow(
    rig: SlackRig,
) -> None:
    await _revealed_round(rig)
    _slow_lookups(rig)
    press = block_actions(
        BOB, CHANNEL, "1800000000.000900", "appeal", "1", rig.hook(), ephemeral=True
    )
    view = await _opened_at_once(rig, press, "appeal")
    assert rig.fake.of("views.update") == []  # the core's answer is the form shown
    await _submit(rig, BOB, view, {"text": NOTE})
    case = _case(rig, DORA)
    change, _ = _buttons(case["blocks"])
    _slow_lookups(rig)
    press = block_actions(
        DORA, dm_channel(DORA), case["ts"], "regrade", change["value"], rig.hook()
    )
    view = await _opened_at_once(rig, press, "regrade")
    assert rig.fake.of("views.update") == []
    assert [b["block_id"] for b in _inputs(view)] == ["covered", "reason"]
    assert "now: none" in _inputs(view)[0]["label"]["text"]
    await _submit(rig, DORA, view, {"covered": "all", "reason": REASON})
    assert await _points(rig, "Bob") == RULES.participation + RULES.coverage_bonus
    await assert_scores_recount(rig.app.store.db)


async def test_an_appeal_decided_from_the_dm_over_socket_mode(socket_rig: SocketRig) -> None:
    rig = socket_rig
    rig.fake.add_user(DORA, "Dora")
    await rig.command("/studybot", f"setup days=daily admins=<@{DORA}|dora>", ADMIN)
    await rig.command("/studybot", "post-now", ADMIN)
    thread = rig.fake.messages[CHANNEL][1]["ts"]
    reply = thread_reply(BOB, VAGUE, "1800000000.000200", thread)
    await rig.fake.send_envelope("events_api", event_callback(reply, "EvSockBob"))
    await rig.settle()
    await rig.command("/studybot", "reveal", ADMIN)
    _, hook = await rig.command("/appeal", NOTE, BOB)
    assert any("Appeal sent" in str(c.args) for c in rig.fake.of("response_url") if c.token == hook)

    [case] = [m for m in rig.fake.dms(DORA) if "Appeal #1" in block_texts(m["blocks"])]
    change, _ = _buttons(case["blocks"])
    press = block_actions(
        DORA, dm_channel(DORA), case["ts"], "regrade", change["value"], rig.fake.response_url("s")
    )
    await rig.fake.send_envelope("interactive", press)
    await rig.settle()
    view = rig.fake.modal()
    assert view["callback_id"] == "regrade"
    submit = view_submission(DORA, view, {"covered": "all", "reason": REASON})
    ack = await rig.fake.send_envelope("interactive", submit)
    await rig.settle()
    assert "payload" not in ack  # the modal closes
    points = {a.display_name: a.points for a in await rig.app.store.round_answers(1)}
    assert points["Bob"] == RULES.participation + RULES.coverage_bonus
    [told] = [block_texts(m["blocks"]) for m in rig.fake.dms(BOB)]
    assert "Your grade was changed" in told and REASON in told
    await assert_scores_recount(rig.app.store.db)
