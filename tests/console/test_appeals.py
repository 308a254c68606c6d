"""Appeals and regrades on the console: a member appeals, an admin decides, the boards follow.

Every test ends by checking each stored score against a recount from scratch
(tests.recount_check), so a regrade that leaves any total, count or streak
behind fails here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.content.bank import QuestionBank
from bot.model import MemberRef
from bot.scoring import ScoringRules
from tests.conftest import CONSOLE_START, Console, open_console
from tests.recount_check import assert_scores_recount

RULES = ScoringRules()
SETUP = (
    "/studybot setup time=09:00 tz=UTC days=daily reveal=17:00"
    " categories=algorithms difficulty=medium admins=dora"
)
GOOD = "L1 drives some weights to exactly zero, so it selects features."
VAGUE = "it depends on the data you have"


@pytest.fixture
def console(console_on_both: Console) -> Console:
    """The console on a real SQLite file, then on a real PostgreSQL server."""
    return console_on_both


async def points(console: Console, name: str, round_id: int) -> int | None:
    answers = await console.app.store.round_answers(round_id)
    return next(a.points for a in answers if a.display_name == name)


async def first_round(console: Console, bob_says: str = VAGUE) -> int:
    """Set up the channel, let Alice and Bob answer Monday's question, and reveal it."""
    await console.run(SETUP, ":at 2026-11-30T09:00")
    round_ = await console.app.store.current_round(1)
    assert round_ is not None
    await console.run(":as Alice", GOOD, ":as Bob", bob_says)
    await console.run(":at 2026-11-30T17:00")
    return round_.id


async def test_an_appeal_reaches_the_admins_and_a_decision_rescores_everything(
    console: Console,
) -> None:
    round_id = await first_round(console)
    before = await points(console, "Bob", round_id)
    assert before == RULES.participation  # the vague answer covers nothing

    out = await console.run(":as Bob", ":press My feedback")
    assert "[Appeal]" in out
    out = await console.run(":press Appeal")
    assert "form 'Appeal your grade'" in out
    out = await console.run("My answer says the trade-off depends on the data.")
    # The founder (Alice) and the listed admin (Dora) get the case privately; Bob a receipt.
    assert "Your appeal is with 2 admins of this channel" in out
    assert "[only alice sees this]" in out and "[only dora sees this]" in out
    assert "== Appeal #1 · " in out and "Their note" in out
    assert "[Change the grade]  [Keep as graded]" in out
    out = await console.run(":press Appeal")
    assert "appealed this answer already" in out

    out = await console.run(":as Dora", ":press Change the grade")
    assert "form 'Change the grade', 1 of 2" in out
    out = await console.run("all", "It names the trade-off in its own words.")
    assert "== Grade changed ==" in out
    after = RULES.participation + RULES.coverage_bonus
    assert f"{before} → {after} points" in out
    assert "[only Bob sees this]" in out and "== Your grade was changed" in out
    assert "It names the trade-off in its own words." in out
    assert await points(console, "Bob", round_id) == after

    # A second admin, too late: the first decision stands and says who made it.
    out = await console.run(":as Alice", ":press Keep as graded")
    assert "decided already by Dora" in out
    assert await points(console, "Bob", round_id) == after
    out = await console.run(":as Bob", ":press My feedback")
    assert "An admin regraded this answer." in out and "[Appeal]" not in out
    out = await console.run("/stats")
    assert "-- Regraded by an admin --" in out
    assert (
        "Mon 30 Nov · Compare L1 and L2 regularization" in out
        and f"{before} → {after} points" in out
    )
    out = await console.run(":as Alice", "/stats")
    assert "Regraded" not in out
    await assert_scores_recount(console.app.store.db)


async def test_keeping_the_grade_tells_the_member_and_changes_nothing(console: Console) -> None:
    round_id = await first_round(console)
    await console.run(":as Bob", "/appeal I think I covered the first point")
    out = await console.run(":as Dora", ":press Keep as graded")
    assert "== Grade kept ==" in out and "== Your appeal was decided" in out
    assert await points(console, "Bob", round_id) == RULES.participation
    out = await console.run("/studybot appeals")
    assert "No appeal is waiting" in out
    await assert_scores_recount(console.app.store.db)


async def test_who_may_appeal_and_decide_and_when(console: Console) -> None:
    await first_round(console)
    out = await console.run(":as Carol", "/appeal")
    assert "You didn't answer that question" in out
    out = await console.run(":as Bob", "/appeal " + "x" * 1001)
    assert "keep it under 1000" in out
    await console.run("/appeal please look")
    out = await console.run(":as Carol", ":press Change the grade")
    assert "no button" in out.lower()  # Carol was sent no case
    case = await console.app.store.appeal(1)
    assert case is not None
    review = await console.app.store.answer_by_id(case.answer_id)
    assert review is not None
    carol = MemberRef("console", "carol", "Carol")
    reply = await console.app.core._services.appeals.decide(  # a forged button press
        carol, f"{review.answer_id}:1:0000", "all", "because"
    )
    assert reply.is_error and "Only the channel's admins" in reply.text
    # Alice is an admin, but may not decide on her own answer.
    await console.run(":as Alice", "/appeal")
    alice_case = await console.app.store.appeal(2)
    assert alice_case is not None
    alice = MemberRef("console", "alice", "Alice", can_manage=True)
    reply = await console.app.core._services.appeals.keep(alice, "2")
    assert reply.is_error and "your own answer" in reply.text
    # 48 hours after the reveal, appeals are closed.
    await console.run(":at 2026-12-02T17:01")
    out = await console.run(":as Bob", "/studybot appeals")
    assert "admins" in out.lower()  # Bob is no admin
    out = await console.run(":as Carol", "/appeal")
    assert "didn't answer" in out
    await assert_scores_recount(console.app.store.db)


async def test_crediting_a_non_attempt_rebuilds_the_streak_of_later_rounds(
    console: Console,
) -> None:
    """A regrade that makes an answer count grows the streak, so later rounds' bonuses grow."""
    round_id = await first_round(console, bob_says="L1, L2, lasso, ridge, sparse, shrinkage")
    assert await points(console, "Bob", round_id) == 0  # a list of terms: no attempt
    later = []
    for day in ("2026-12-01", "2026-12-02"):
        await console.run(f":at {day}T09:00")
        round_ = await console.app.store.current_round(1)
        assert round_ is not None
        later.append(round_.id)
        await console.run(":as Bob", VAGUE, f":at {day}T17:00")
    before = [await points(console, "Bob", r) for r in later]
    assert before == [RULES.participation, RULES.participation + RULES.streak_bonus]
    out = await console.run(":as Alice", "/studybot regrade bob 2026-11-30")
    assert "== Regrade · " in out and "The grader judged it" in out
    await console.run(":press Change the grade", "1", "A terse but real answer.")
    after = [await points(console, "Bob", r) for r in later]
    assert after == [b + RULES.streak_bonus for b in before]
    assert (await points(console, "Bob", round_id) or 0) > RULES.participation
    await assert_scores_recount(console.app.store.db)


async def test_a_decision_after_the_week_ended_changes_that_weeks_board_and_says_so(
    console: Console,
) -> None:
    round_id = await first_round(console)
    await console.run(":at 2026-12-07T10:00")  # Monday of the next week
    out = await console.run(":as Alice", "/studybot regrade bob 2026-11-30")
    out = await console.run(":press Change the grade", "all", "Missed by the grader.")
    assert "the week 2026-W49 (over: its final board changed)" in out
    assert "the month 2026-11 (over" in out and "all time" in out
    board = await console.app.store.top_scores(1, "w2026-49")
    assert next((s.display_name, s.points) for s in board) == (
        "Bob",
        await points(console, "Bob", round_id),
    )
    out = await console.run("/studybot regrade bob 2026-13-01")
    assert "is not a date" in out
    out = await console.run("/studybot regrade bob")
    assert "Name a member and a date" in out
    await assert_scores_recount(console.app.store.db)


async def test_the_maintainers_report_counts_upheld_appeals_per_key_point(
    tmp_path: Path, fixture_bank: QuestionBank, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main
    from tests.conftest import FIXTURE_CONTENT

    path = tmp_path / "bot.sqlite3"
    c = await open_console(path, fixture_bank, CONSOLE_START)
    try:
        await first_round(c)
        await c.run(":as Bob", "/appeal it says the trade-off", ":as Carol", "x")
        await c.run(":as Dora", ":press Change the grade", "1 3", "It states both.")
        review = await c.app.store.answer_by_id(1)
        assert review is not None
    finally:
        await c.app.stop()
    url = f"sqlite:///{path}"
    argv = ["content", "appeals", "--database", url, "--content", str(FIXTURE_CONTENT)]
    assert await asyncio.to_thread(main, argv) == 0
    printed = capsys.readouterr().out
    assert f"{review.question_id}: 1 decided, 1 upheld (100%)" in printed
    assert "  1. credited 1x, withdrawn 0x: " in printed
    assert "  3. credited 1x, withdrawn 0x: " in printed and "  2." not in printed


async def test_two_admins_deciding_at_once_one_decision_wins(console: Console) -> None:
    round_id = await first_round(console)
    await console.run(":as Bob", "/appeal please look again")
    appeal = await console.app.store.appeal(1)
    assert appeal is not None
    appeals = console.app.core._services.appeals
    seen = "0" * len((await console.app.store.answer_by_id(appeal.answer_id)).covered or ())
    value = f"{appeal.answer_id}:{appeal.id}:{seen}"
    dora = MemberRef("console", "dora", "Dora")
    alice = MemberRef("console", "alice", "Alice", can_manage=True)
    replies = await asyncio.gather(
        appeals.decide(dora, value, "all", "Dora's view"),
        appeals.decide(alice, value, "1", "Alice's view"),
    )
    winners = [r for r in replies if not r.is_error]
    assert len(winners) == 1 and winners[0].title == "Grade changed"
    loser = next(r for r in replies if r.is_error)
    assert "decided already by" in loser.text
    rows = await console.app.store.db.fetch("SELECT COUNT(*) AS n FROM regrades")
    assert rows[0]["n"] == 1
    assert await points(console, "Bob", round_id) in (
        RULES.participation + RULES.coverage_bonus,
        RULES.participation + round(RULES.coverage_bonus / 3),
    )
    await assert_scores_recount(console.app.store.db)


async def test_the_note_and_the_reason_may_be_left_empty(console: Console) -> None:
    await first_round(console)
    out = await console.run(":as Bob", ":press My feedback", ":press Appeal")
    assert "an empty line to leave it out" in out
    assert await console.session.handle_line("")  # an empty line sends the form
    case = await console.app.store.appeal(1)
    assert case is not None and case.note == ""
    out = await console.run(":as Dora", ":press Change the grade", "all")
    assert "2 of 2" in out and "an empty line to leave it out" in out
    assert await console.session.handle_line("")
    decided = await console.app.store.appeal(1)
    assert decided is not None and decided.reason == "" and decided.decided_by == "Dora"
    await assert_scores_recount(console.app.store.db)


async def test_no_regrade_while_a_reveal_of_the_group_is_scoring(console: Console) -> None:
    """A reveal scores members from stats it read first: a regrade then would be overwritten."""
    round_id = await first_round(console)
    await console.run(":at 2026-12-01T09:00")  # Tuesday's round opens
    tuesday = await console.app.store.current_round(1)
    assert tuesday is not None
    await console.app.store.db.execute(
        "UPDATE rounds SET status = 'revealing' WHERE id = :id", {"id": tuesday.id}
    )
    out = await console.run(":as Alice", "/studybot regrade bob 2026-11-30")
    out = await console.run(":press Change the grade", "all", "Missed by the grader.")
    assert "being revealed and scored right now" in out
    assert await points(console, "Bob", round_id) == RULES.participation
    await console.app.store.db.execute(
        "UPDATE rounds SET status = 'open' WHERE id = :id", {"id": tuesday.id}
    )
    out = await console.run(":press Change the grade", "all", "Missed by the grader.")
    assert "== Grade changed ==" in out
    await assert_scores_recount(console.app.store.db)


async def test_an_admin_whose_dms_are_closed_gets_nothing_and_nothing_is_said(
    console: Console,
) -> None:
    out = await console.run(":close-dms Dora")
    assert "(Dora takes no direct messages now)" in out
    await first_round(console)
    out = await console.run(":as Bob", ":press My feedback", ":press Appeal", "I covered more")
    assert "Your appeal is with 1 admin of this channel" in out
    assert "[only alice sees this]" in out and "[only dora sees this]" not in out
    assert "Cannot" not in out and "closed" not in out  # no error for anyone to see
    assert await console.app.notes.closed("console", ["dora", "alice"]) == {"dora"}

    # A week on, Dora has opened her DMs: the next case reaches her.
    out = await console.run(":open-dms @Dora", ":at 2026-12-07T09:00")
    assert "(Dora takes direct messages again)" in out
    await console.run(":as Bob", VAGUE, ":at 2026-12-07T17:00")
    out = await console.run("/appeal I covered more")
    assert "Your appeal is with 2 admins of this channel" in out
    assert "[only dora sees this]" in out
    await assert_scores_recount(console.app.store.db)


async def test_the_dm_console_commands_need_a_name(console: Console) -> None:
    for line in (":close-dms", ":open-dms two words"):
        out = await console.run(line)
        assert "! Say whose:" in out
    assert console.chat.closed_dms == set()
