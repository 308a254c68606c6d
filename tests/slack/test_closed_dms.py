"""Closed DMs on the loopback Slack: refused, noted, left alone for a week, tried again.

The core's private messages go through `PrivateNotes` and the real slack-sdk
client; the fake answers a post to a member the app may not DM as Slack does
(`{"ok": false, "error": "cannot_dm_bot"}`, `user_disabled`, `user_not_found`).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.errors import SlackApiError

from bot.model import MemberRef
from bot.private_notes import RETRY_AFTER
from bot.replies import Reply
from tests.slack.conftest import ADMIN, ALICE, BOB, CHANNEL, SlackRig, block_texts
from tests.slack.test_appeals import DORA, _appeal, _case, _revealed_round

NOTE = Reply(text="Your appeal was decided.")


def _posts_to(rig: SlackRig, user_id: str) -> int:
    """Return how many chat.postMessage calls went to a member's DMs (refused ones too)."""
    return sum(
        1
        for c in rig.fake.calls
        if c.method == "chat.postMessage" and c.args.get("channel") == user_id
    )


@pytest.mark.parametrize("error", ["cannot_dm_bot", "user_disabled", "user_not_found"])
async def test_closed_dms_are_noted_left_alone_for_a_week_then_tried_again(
    rig: SlackRig, error: str
) -> None:
    bob = MemberRef("slack", BOB, "")
    rig.fake.refuse_dms(BOB, error)
    assert not await rig.app.notes.send(bob, NOTE)
    assert rig.fake.errors("chat.postMessage") == [error]
    assert await rig.app.notes.closed("slack", [BOB, ADMIN]) == {BOB}

    rig.clock.advance(RETRY_AFTER - timedelta(minutes=1))
    assert not await rig.app.notes.send(bob, NOTE)
    assert _posts_to(rig, BOB) == 1  # no call to Slack at all

    del rig.fake.state.refused_dms[BOB]  # Bob can be written to again
    rig.clock.advance(timedelta(minutes=1))
    assert await rig.app.notes.send(bob, NOTE)
    assert _posts_to(rig, BOB) == 2
    assert [m["text"] for m in rig.fake.dms(BOB)] == [NOTE.text]
    assert rig.fake.messages[CHANNEL] == []  # nothing said in the channel


async def test_another_slack_error_is_no_closed_door(rig: SlackRig) -> None:
    rig.fake.refuse_dms(BOB, "fatal_error")  # an error of no member's making
    with pytest.raises(SlackApiError, match="fatal_error"):
        await rig.app.notes.send(MemberRef("slack", BOB, ""), NOTE)
    assert await rig.app.notes.closed("slack", [BOB]) == frozenset()


async def test_an_admin_slack_will_not_dm_is_skipped_quietly_and_not_asked_again(
    rig: SlackRig,
) -> None:
    rig.fake.refuse_dms(DORA, "user_disabled")
    await _revealed_round(rig)
    public = list(rig.fake.messages[CHANNEL])
    await _appeal(rig)
    [receipt] = [
        c.args
        for c in rig.fake.of("chat.postEphemeral")
        if c.args["user"] == BOB and "Appeal sent" in block_texts(c.args["blocks"])
    ]
    assert "Your appeal is with 1 admin of this channel" in block_texts(receipt["blocks"])
    _case(rig, ADMIN)  # the founder has it
    assert rig.fake.dms(DORA) == [] and _posts_to(rig, DORA) == 1
    assert await rig.app.notes.closed("slack", [DORA]) == {DORA}

    # Alice appeals too, within the week: Dora is not written to again.
    _, _, hook = await rig.command("/appeal", "I named both folds", user=ALICE)
    assert "Your appeal is with 1 admin" in str(rig.responses(hook))
    assert _posts_to(rig, DORA) == 1
    assert rig.fake.messages[CHANNEL] == public  # nothing new in the channel
