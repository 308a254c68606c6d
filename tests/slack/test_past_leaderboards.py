"""A past period's leaderboard on the loopback Slack: typed after /leaderboard, shared by button."""

from __future__ import annotations

import json
from typing import Any

from loopback.slack import block_actions
from tests.slack.conftest import ADMIN, BOB, CHANNEL, SlackRig


def _text(responses: list[dict[str, Any]]) -> str:
    return json.dumps(responses, ensure_ascii=False)


async def test_a_closed_week_is_typed_and_shared(rig: SlackRig) -> None:
    await rig.setup_channel()  # Tue 1 Dec 2026, week 2026-W49
    _, _, hook = await rig.command("/leaderboard", "week 2026-W48", user=BOB)
    [private] = rig.responses(hook)
    assert private["response_type"] == "ephemeral"
    assert "week 2026-W48 (23 Nov – 29 Nov 2026, final)" in _text([private])
    assert "You had no points in that period." in _text([private])
    [share] = [e for b in private["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert share["value"] == "week 2026-W48"
    shared_hook = rig.hook()
    await rig.sender.interactive(
        block_actions(BOB, CHANNEL, "1.0", share["action_id"], share["value"], shared_hook)
    )
    await rig.settle()
    [shared] = rig.responses(shared_hook.rsplit("/", 1)[1])
    assert shared["response_type"] == "in_channel"
    assert "week 2026-W48 (23 Nov – 29 Nov 2026, final)" in _text([shared])
    assert "/leaderboard week 2026-W48" in _text([shared])

    _, _, hook = await rig.command("/leaderboard", "last month", user=BOB)
    assert "November 2026 (final)" in _text(rig.responses(hook))


async def test_a_period_not_begun_is_refused_privately(rig: SlackRig) -> None:
    await rig.setup_channel()
    for text, says in (
        ("week 2026-W50", "Week 2026-W50 has not begun: it starts on Mon 7 Dec."),
        ("month 2026-13", "There is no month 13"),
        ("all last", "All time has no past"),
    ):
        _, _, hook = await rig.command("/leaderboard", text, user=BOB)
        [reply] = rig.responses(hook)
        assert reply["response_type"] == "ephemeral" and says in _text([reply]), (text, reply)


async def twelve_answer_a_round(rig: SlackRig) -> list[str]:
    """Set up the channel; twelve members answer its round, half of them well; reveal it."""
    await rig.setup_channel()
    members = [f"UPAGE{i:02d}" for i in range(12)]
    for i, user in enumerate(members):
        rig.fake.state.add_user(user, f"Pager {i:02d}")
        text = "Precision counts false positives" if i % 2 else "I am not sure, sorry"
        status, _, _ = await rig.command("/answer", text, user=user)
        assert status == 200
    await rig.settle()
    await rig.command("/studybot", "reveal", user=ADMIN)
    await rig.settle()
    return members


def buttons_of(reply: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return a reply's buttons by label."""
    return {
        e["text"]["text"]: e
        for b in reply["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }


async def press(rig: SlackRig, button: dict[str, Any], user: str = BOB) -> dict[str, Any]:
    """Press a button of an ephemeral reply as `user`; return the reply it brings."""
    pressed = rig.hook()
    await rig.sender.interactive(
        block_actions(user, CHANNEL, "1.0", button["action_id"], button["value"], pressed)
    )
    await rig.settle()
    [reply] = rig.responses(pressed.rsplit("/", 1)[1])
    return reply


async def test_next_and_previous_page_the_board_for_the_presser(rig: SlackRig) -> None:
    members = await twelve_answer_a_round(rig)
    group = (await rig.app.store.list_groups())[0]
    names = [s.display_name for s in await rig.app.store.top_scores(group.id, "all", 20)]
    assert len(names) == 12

    _, _, hook = await rig.command("/leaderboard", "all", user=members[0])
    [first] = rig.responses(hook)
    assert "all time · page 1 of 2" in _text([first])
    buttons = buttons_of(first)
    assert list(buttons) == ["Next", "Share"] and buttons["Next"]["value"] == "all page=2"
    for label, page, shows in (("Next", 2, names[10:]), ("Previous", 1, names[:10])):
        reply = await press(rig, buttons[label])
        assert reply["response_type"] == "ephemeral"
        assert f"all time · page {page} of 2" in _text([reply])
        assert all(f"{names.index(n) + 1}. {n} — " in _text([reply]) for n in shows)
        assert "You have no points in this period yet" in _text([reply])  # Bob did not answer
        buttons = buttons_of(reply)
