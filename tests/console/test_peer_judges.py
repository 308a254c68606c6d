"""Peer judges (`appeals=peers`) on the console: three members of the round decide by majority."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.content.bank import QuestionBank
from bot.model import MemberRef
from bot.scoring import ScoringRules
from tests.conftest import CONSOLE_START, Console, open_console
from tests.recount_check import assert_scores_recount

RULES = ScoringRules()
SETUP = (
    "/studybot setup time=09:00 tz=UTC days=daily reveal=17:00"
    " categories=algorithms difficulty=medium appeals=peers"
)
GOOD = "L1 drives some weights to exactly zero, so it selects features."
VAGUE = "it depends on the data you have"
MEMBERS = ("Alice", "Carol", "Dan", "Erin")


async def reveal_round(console: Console, members: tuple[str, ...] = MEMBERS) -> None:
    """Let the members answer well and Bob vaguely, then reveal."""
    await console.run(SETUP, ":at 2026-11-30T09:00")
    for name in members:
        await console.run(f":as {name}", GOOD)
    await console.run(":as Bob", VAGUE, ":at 2026-11-30T17:00")


async def judges(console: Console) -> list[str]:
    rows = await console.app.store.db.fetch(
        "SELECT m.display_name FROM appeal_judges j JOIN members m ON m.id = j.judge_id"
        " ORDER BY m.display_name"
    )
    return [r["display_name"] for r in rows]


async def bob_points(console: Console) -> int | None:
    round_ = await console.app.store.latest_revealed_round(1)
    assert round_ is not None
    answers = await console.app.store.round_answers(round_.id)
    return next(a.points for a in answers if a.display_name == "Bob")


async def test_three_peers_decide_by_majority_and_votes_stay_private(console: Console) -> None:
    await reveal_round(console)
    out = await console.run(":as Bob", "/appeal my answer names the trade-off")
    assert "Three members who answered the same question will judge it" in out
    panel = await judges(console)
    assert len(panel) == 3 and "Bob" not in panel and set(panel) <= set(MEMBERS)
    for name in panel:
        assert f"[only {name.lower()} sees this]" in out
    cards = out.split("(you are now Bob)")[1].split("[only Bob sees this]")[0]
    assert "== Judge an appeal" in cards and "Bob" not in cards  # the author is left out
    assert "[Change the grade]" not in out  # the admins are not asked

    outsider = next(n for n in MEMBERS if n not in panel)
    refused = await console.app.core._services.appeals.peers.vote(
        MemberRef("console", outsider.lower(), outsider), "1", "all"
    )
    assert refused.is_error and "Only the three members" in refused.text

    first, second, third = panel
    out = await console.run(f":as {first}", ":press Judge", "all")
    assert "Your vote is in and stays private" in out and "once a majority agrees" in out
    assert await bob_points(console) == RULES.participation
    out = await console.run(f":as {second}", ":press Judge", "1")
    assert "once a majority agrees" in out  # 1 of 2 agree on points 2 and 3: not settled
    out = await console.run(f":as {third}", ":press Judge", "1 2")
    # Point 1: three votes; point 2: two of three; point 3: one of three.
    assert "a majority agreed, and the grade was changed" in out
    assert "[only Bob sees this]" in out and "Three members who answered" in out
    assert await bob_points(console) == RULES.participation + round(RULES.coverage_bonus * 2 / 3)
    out = await console.run(f":as {third}", ":press Judge")
    assert "voted on this appeal already, or it was decided" in out
    appeal = await console.app.store.appeal(1)
    assert appeal is not None and appeal.decided_by is None  # no judge is named
    await assert_scores_recount(console.app.store.db)


async def test_two_agreeing_votes_settle_it_and_the_same_grade_is_kept(console: Console) -> None:
    await reveal_round(console)
    await console.run(":as Bob", "/appeal please")
    first, second, third = await judges(console)
    await console.run(f":as {first}", ":press Judge", "none")
    out = await console.run(f":as {second}", ":press Judge", "none")
    assert "a majority agreed to keep the grade" in out and "== Your appeal was decided" in out
    out = await console.run(f":as {third}", ":press Judge", "all")
    assert "voted on this appeal already, or it was decided" in out
    assert await bob_points(console) == RULES.participation
    await assert_scores_recount(console.app.store.db)


async def test_too_few_peers_send_the_appeal_to_the_admins(console: Console) -> None:
    await reveal_round(console, members=("Alice", "Carol"))
    out = await console.run(":as Bob", "/appeal please")
    assert "Your appeal is with 1 admin of this channel" in out  # the founder
    assert await judges(console) == []
    assert "[Change the grade]" in out


async def test_the_appeals_setting_is_checked_and_shown(console: Console) -> None:
    await console.run("/studybot setup time=09:00 tz=UTC")
    out = await console.run("/studybot settings appeals=jury")
    assert "appeals='jury' is not a choice" in out or "is not a choice" in out
    out = await console.run("/studybot settings appeals=peers")
    assert "-- Appeals --" in out and "three members who answered the same question" in out
    out = await console.run("/studybot settings appeals=admins")
    assert "the admins decide" in out


async def test_judges_whose_dms_are_closed_are_noted_and_the_panel_stands(
    console: Console,
) -> None:
    for name in MEMBERS:
        await console.run(f":close-dms {name}")
    await console.run(":open-dms Alice")
    await reveal_round(console)
    out = await console.run(":as Bob", "/appeal please")
    assert "Three members who answered the same question will judge it" in out
    panel = await judges(console)
    closed = {n.lower() for n in panel} - {"alice"}
    assert await console.app.notes.closed("console", [n.lower() for n in MEMBERS]) == closed
    assert [n for n in panel if f"[only {n.lower()} sees this]" in out] == [
        n for n in panel if n == "Alice"
    ]


async def test_an_appeal_its_judges_leave_undecided_goes_to_the_admins_a_day_later(
    console: Console,
) -> None:
    await reveal_round(console)
    await console.run(":as Bob", "/appeal my answer names the trade-off")
    first, *_ = await judges(console)
    await console.run(f":as {first}", ":press Judge", "all")  # one vote: nothing settled
    out = await console.run(":at 2026-12-01T16:59")
    assert "Appeal passed on" not in out and "[Change the grade]" not in out
    out = await console.run(":at 2026-12-01T17:00")
    passed = out.split("[only Bob sees this]")
    assert len(passed) == 2 and "== Appeal passed on" in passed[1]
    assert "with 1 admin of this channel too" in passed[1]
    assert "[only alice sees this]" in out and "[Change the grade]" in out  # the founder
    # the admin decides; a judge's late vote then finds it decided
    out = await console.run(":as Alice", ":press Keep as graded")
    assert "== Grade kept ==" in out and "== Your appeal was decided" in out
    out = await console.run(":at 2026-12-03T17:00")
    assert "Appeal passed on" not in out  # once
    second = (await judges(console))[1]
    late = await console.app.appeals.peers.vote(
        MemberRef("console", second.lower(), second), "1", "all"
    )
    assert late.is_error and "voted on this appeal already, or it was decided" in late.text


async def test_a_restart_past_the_day_passes_the_appeal_on_at_start(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    c = await open_console(tmp_path / "bot.sqlite3", fixture_bank, CONSOLE_START)
    await reveal_round(c)
    await c.run(":as Bob", "/appeal please")
    await c.app.stop()  # down for two days
    c = await open_console(
        tmp_path / "bot.sqlite3", fixture_bank, datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    )
    try:
        out = c.out.getvalue()
        assert "== Appeal passed on" in out and "[Change the grade]" in out
        assert "[only Bob sees this]" in out
    finally:
        await c.app.stop()
