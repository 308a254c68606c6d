"""A category's leaderboard on the loopback Slack: typed after /leaderboard, paged by button."""

from __future__ import annotations

import json

from bot.scoring import category_key
from tests.recount_check import recounted_board
from tests.slack.conftest import BOB, SlackRig
from tests.slack.test_past_leaderboards import buttons_of, press, twelve_answer_a_round


async def test_next_and_previous_keep_the_category(rig: SlackRig) -> None:
    members = await twelve_answer_a_round(rig)
    group = (await rig.app.store.list_groups())[0]
    [row] = await rig.app.store.db.fetch("SELECT category FROM rounds")
    category = row["category"]
    title = rig.app.bank.category_title(category)
    board = await recounted_board(rig.app.store.db, group.id, category_key("all", category))
    names = [name for name, _ in board]
    assert len(names) == 12

    _, _, hook = await rig.command("/leaderboard", f"all category={category}", user=members[0])
    [first] = rig.responses(hook)
    assert f"{title} · all time · page 1 of 2" in json.dumps(first, ensure_ascii=False)
    buttons = buttons_of(first)
    assert buttons["Next"]["value"] == f"all category={category} page=2"
    assert buttons["Share"]["value"] == f"all category={category}"
    for label, page, shows in (("Next", 2, names[10:]), ("Previous", 1, names[:10])):
        reply = await press(rig, buttons[label])
        text = json.dumps(reply, ensure_ascii=False)
        assert reply["response_type"] == "ephemeral"
        assert f"{title} · all time · page {page} of 2" in text
        assert all(f"{names.index(n) + 1}. {n} — " in text for n in shows)
        assert "You have no points in this category in this period yet" in text  # Bob
        buttons = buttons_of(reply)

    _, _, hook = await rig.command("/leaderboard", "week category=astronomy", user=BOB)
    [refused] = rig.responses(hook)
    assert "There is no category 'astronomy': try one of" in json.dumps(refused)
