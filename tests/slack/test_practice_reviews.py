"""Practice reviews on the loopback Slack: the recall rating buttons, and /review."""

from __future__ import annotations

import json
from typing import Any

from loopback.slack import block_actions
from tests.slack.conftest import BOB, CHANNEL, SlackRig

FULL = "term frequency times inverse document frequency; common words weigh less"


def _text(responses: list[dict[str, Any]]) -> str:
    return json.dumps(responses, ensure_ascii=False)


def _buttons(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_a_rating_button_reschedules_the_practice_question(rig: SlackRig) -> None:
    _, _, hook = await rig.command("/practice", "nlp easy", user=BOB)
    assert "Practice · NLP · easy" in _text(rig.responses(hook))
    _, _, hook = await rig.command("/practice", f"answer {FULL}", user=BOB)
    [result] = rig.responses(hook)
    assert result["response_type"] == "ephemeral"
    buttons = _buttons(result)
    assert [b["text"]["text"] for b in buttons] == ["Again", "Hard", "Good", "Easy ✓"]
    hard = buttons[1]
    pressed = rig.hook()
    await rig.sender.interactive(
        block_actions(BOB, CHANNEL, "1.0", hard["action_id"], hard["value"], pressed)
    )
    await rig.settle()
    [rated] = rig.responses(pressed.rsplit("/", 1)[1])
    assert rated["response_type"] == "ephemeral"
    assert "Rated *Hard*. Next review:" in _text([rated])
    _, _, hook = await rig.command("/review", "", user=BOB)
    assert "No reviews are due" in _text(rig.responses(hook))
