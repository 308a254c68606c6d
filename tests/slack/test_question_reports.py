"""A problem report on Slack: the reveal's "Report a problem" opens its modal at once.

Through the real bolt app against the loopback fake: the modal opens from the
press (a trigger_id lives 3 s), its note is recorded, the member thanked privately.
"""

from __future__ import annotations

from loopback.slack import block_actions
from tests.slack.conftest import BOB, CHANNEL, SlackRig, block_texts
from tests.slack.test_appeals import (
    _buttons,
    _inputs,
    _opened_at_once,
    _press,
    _revealed_round,
    _slow_lookups,
    _submit,
    _summary_ts,
)

NOTE = "The reference answer calls k-fold unbiased: it is not."


async def test_report_a_problem_opens_a_modal_and_records_the_note(rig: SlackRig) -> None:
    await _revealed_round(rig)
    summary = next(m for m in rig.fake.messages[CHANNEL] if m["ts"] == _summary_ts(rig))
    [report] = [b for b in _buttons(summary["blocks"]) if b["action_id"] == "report"]
    assert report["value"] == "1" and report["text"]["text"] == "Report a problem"
    opened = len(rig.fake.opened)
    await _press(rig, BOB, CHANNEL, _summary_ts(rig), "report", "1")
    assert len(rig.fake.opened) == opened + 1
    view = rig.fake.modal()
    assert view["callback_id"] == "report"
    [note] = _inputs(view)
    assert note["block_id"] == "note" and note["element"]["max_length"] == 500
    assert note.get("optional") is not True
    assert await _submit(rig, BOB, view, {"note": NOTE}) == ""
    [thanks] = [
        c.args
        for c in rig.fake.of("chat.postEphemeral")
        if c.args["user"] == BOB and "Thank you for the report" in block_texts(c.args["blocks"])
    ]
    assert thanks["channel"] == CHANNEL
    rows = await rig.app.store.db.fetch("SELECT round_id, note FROM problem_reports")
    assert [(r["round_id"], r["note"]) for r in rows] == [(1, NOTE)]


async def test_the_report_modal_opens_at_once_when_slack_is_slow(rig: SlackRig) -> None:
    await _revealed_round(rig)
    _slow_lookups(rig)
    press = block_actions(BOB, CHANNEL, _summary_ts(rig), "report", "1", rig.hook())
    view = await _opened_at_once(rig, press, "report")
    assert rig.fake.of("views.update") == []  # the core's answer is the form shown
    assert await _submit(rig, BOB, view, {"note": NOTE}) == ""
    rows = await rig.app.store.db.fetch("SELECT note FROM problem_reports")
    assert [r["note"] for r in rows] == [NOTE]
