"""Reminders on the loopback Slack: a DM (an IM, `D…`) to a member who has not answered.

Nothing is posted in the channel; the DM's *Answer privately* opens the answer
modal at once, and the answer sent from it counts for the round.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.jobs import ManualJobScheduler
from loopback.slack import block_actions, dm_channel, view_submission
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

WEDNESDAY = datetime(2026, 12, 2, tzinfo=UTC)
LATER = "Each fold takes a turn as the validation set, and the scores are averaged."


def _reminders(rig: SlackRig, user: str) -> list[dict[str, Any]]:
    return [m for m in rig.fake.dms(user) if "Still open" in block_texts(m["blocks"])]


async def test_a_reminder_reaches_a_member_by_dm_and_its_button_answers_the_round(
    rig: SlackRig,
) -> None:
    await rig.setup_channel("days=daily time=09:00 reveal=18:00")  # Tue 1 Dec, posted now
    thread = rig.round_ts()
    await rig.event(thread_reply(ALICE, GOOD_ANSWER, "1800000000.000100", thread), "EvA")
    await rig.event(thread_reply(BOB, GOOD_ANSWER, "1800000000.000200", thread), "EvB")
    await rig.command("/studybot", "reveal", user=ADMIN)
    scheduler = rig.app.scheduler
    assert isinstance(scheduler, ManualJobScheduler)
    await scheduler.run_until(WEDNESDAY.replace(hour=9))
    await rig.settle()
    today = rig.round_ts()
    await rig.event(thread_reply(ALICE, GOOD_ANSWER, "1800000100.000100", today), "EvA2")
    in_channel = len(rig.fake.messages[CHANNEL])

    await scheduler.run_until(WEDNESDAY.replace(hour=16))  # two hours before the reveal
    await rig.settle()
    assert _reminders(rig, ALICE) == []
    [reminder] = _reminders(rig, BOB)
    assert len(rig.fake.messages[CHANNEL]) == in_channel  # nothing in the channel
    text = block_texts(reminder["blocks"])
    assert "revealed in *2 h*" in text and "Your streak of 1 round ends" in text
    assert "`/answer`" in text and "`/remind off`" in text
    [button] = [e for b in reminder["blocks"] if b.get("type") == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == ("remind-answer", "2")

    press = block_actions(BOB, dm_channel(BOB), reminder["ts"], "remind-answer", "2", rig.hook())
    status, _ = await rig.sender.interactive(press)
    assert status == 200
    await rig.settle()
    view = rig.fake.modal()
    assert view["callback_id"] == "remind-answer"
    status, _ = await rig.sender.interactive(view_submission(BOB, view, {"text": LATER}))
    assert status == 200
    await rig.settle()
    assert ("Bob", LATER) in await rig.answers(2)
    await scheduler.run_until(WEDNESDAY.replace(hour=17, minute=59))
    await rig.settle()
    assert len(_reminders(rig, BOB)) == 1
