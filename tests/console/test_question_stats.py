"""Question stats for admins, and members' problem reports, on the console.

The stats' figures are checked against a recount from the stored answers
(every on-time answer's covered key points, as a regrade left them), on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from bot.content.bank import QuestionBank
from bot.model import MemberRef
from bot.question_messages import SHOWN_ROUNDS
from bot.store.database import Database
from tests.conftest import CONSOLE_START, FIXTURE_CONTENT, Console, open_console

SETUP = (
    "/studybot setup time=09:00 tz=UTC days=daily reveal=17:00"
    " categories=algorithms difficulty=medium admins=dora"
)
GOOD = "L1 drives some weights to exactly zero, so it selects features."
VAGUE = "it depends on the data you have"
BOB = MemberRef("console", "bob", "Bob")


@pytest.fixture
def console(console_on_both: Console) -> Console:
    """The console on a real SQLite file, then on a real PostgreSQL server."""
    return console_on_both


async def a_round(console: Console, day: str, answers: dict[str, str]) -> int:
    """Post the round of `day` at 09:00, let members answer, reveal it at 17:00."""
    await console.run(f":at {day}T09:00")
    round_ = await console.app.store.current_round(1)
    assert round_ is not None
    for name, text in answers.items():
        await console.run(f":as {name}", text)
    await console.run(f":at {day}T17:00")
    return round_.id


async def recount(db: Database, bank: QuestionBank, since: date) -> list[tuple[str, ...]]:
    """Return each revealed round's figures as the reply shows them, worked out from its answers."""
    rounds = await db.fetch(
        "SELECT id, local_date, question_id FROM rounds WHERE revealed_at IS NOT NULL"
        " AND local_date >= :since ORDER BY local_date DESC",
        {"since": since.isoformat()},
    )
    answers = await db.fetch(
        "SELECT a.round_id, a.member_id, a.late, a.covered FROM answers a"
        " JOIN rounds r ON r.id = a.round_id WHERE r.local_date >= :since"
        " AND r.revealed_at IS NOT NULL",
        {"since": since.isoformat()},
    )
    active = len({a["member_id"] for a in answers})
    figures = []
    for r in rounds:
        question = bank.get(r["question_id"])
        assert question is not None
        on_time = [a["covered"] for a in answers if a["round_id"] == r["id"] and not a["late"]]
        n = len(question.key_points)
        share = sum(c.count("1") for c in on_time) / (n * len(on_time)) if on_time else 0
        line = f"Answered on time: {len(on_time)} of {active}"
        if not on_time:
            figures.append((line,))
            continue
        hits = [sum(c[k] == "1" for c in on_time) for k in range(n)]
        k = hits.index(min(hits))
        missed = (
            f"Most missed: {k + 1}. {question.key_points[k].text} "
            f"(covered by {hits[k]} of {len(on_time)})"
            if hits[k] < len(on_time)
            else "Most missed: none"
        )
        figures.append((f"{line} ({len(on_time) / active:.0%})", f"coverage {share:.0%}", missed))
    return figures


async def test_question_stats_match_a_recount_from_the_answers(console: Console) -> None:
    await console.run(SETUP)
    await a_round(console, "2026-11-30", {"Alice": GOOD, "Bob": VAGUE, "Dora": GOOD})
    await console.run(":as Carol", "Late, but L1 makes weights sparse.")  # active, not on time
    await a_round(console, "2026-12-01", {"Alice": GOOD})
    await a_round(console, "2026-12-02", {})
    # Bob's answer of Monday, regraded by Dora: the human's grade counts.
    await console.run(":as Dora", "/studybot regrade bob 2026-11-30")
    await console.run(":press Change the grade", "2", "It says the weights shrink.")

    out = await console.run("/studybot question-stats")
    assert "[only Dora sees this]" in out and "Question stats · the last 30 days" in out
    assert "3 revealed rounds, newest first" in out
    assert "members active here in these 30 days: 4" in out
    # Newest first, each with the day and its question's first line.
    days = [out.index(d) for d in ("Wed 02 Dec · ", "Tue 01 Dec · ", "Mon 30 Nov · ")]
    assert days == sorted(days)
    assert "Mon 30 Nov · Compare L1 and L2 regularization" in out
    assert "Nobody answered in time." in out  # Wednesday
    figures = await recount(console.app.store.db, console.app.bank, date(2026, 11, 3))
    assert len(figures) == 3
    for round_figures in figures:
        for figure in round_figures:
            assert figure in out, (figure, out)
    # Bob's regrade credits key point 2: only point 3 is covered by nobody on Monday.
    assert "Answered on time: 3 of 4 (75%)" in out
    assert "covered by 0 of 3" in out

    out = await console.run("/studybot question-stats 1")
    assert "1 revealed round," in out and "Wed 02 Dec" in out and "Mon 30 Nov" not in out
    out = await console.run("/studybot question-stats days=2")
    assert "2 revealed rounds" in out and "Mon 30 Nov" not in out


async def test_question_stats_refuse_bad_days_and_members(console: Console) -> None:
    await console.run(SETUP)
    for bad in ("0", "366", "abc", "-3", "30 days"):
        out = await console.run(f"/studybot question-stats {bad}")
        assert "is not a number of days: give a whole number from 1 to 365" in out, bad
    out = await console.run("/studybot question-stats")
    assert "No question was revealed here in the last 30 days." in out
    out = await console.run(":as Bob", "/studybot question-stats")
    assert "is for the channel's admins" in out


async def test_a_long_period_shows_the_newest_rounds_and_counts_the_rest(
    console: Console,
) -> None:
    await console.run(SETUP)
    for day in range(1, 20):
        await a_round(console, f"2026-12-{day:02d}", {"Bob": VAGUE} if day % 2 else {})
    out = await console.run(":as Alice", "/studybot question-stats 365")
    assert "20 revealed rounds" in out  # Monday 30 November's too
    assert out.count("\n  -- ") == SHOWN_ROUNDS
    assert "Sat 19 Dec" in out and "Sat 05 Dec" in out and "Fri 04 Dec" not in out
    assert f"And {20 - SHOWN_ROUNDS} older rounds not shown" in out


async def test_a_member_reports_a_problem_from_the_reveal(console: Console) -> None:
    await console.run(SETUP)
    round_id = await a_round(console, "2026-11-30", {"Alice": GOOD})
    out = await console.run(":as Bob", ":press Report a problem")
    assert "form 'Report a problem'" in out
    note = "Key point **3** is unfair @everyone <@1>"
    out = await console.run(note)
    assert "[only Bob sees this]" in out and "Thank you for the report" in out
    # Made inert: no mention of everyone nor of member 1 (the console shows no Markdown).
    assert "@\u200beveryone <\u200b@1>”" in out
    assert "If you report this question again, your new note replaces this one" in out
    rows = await console.app.store.db.fetch("SELECT * FROM problem_reports")
    assert [(r["round_id"], r["note"]) for r in rows] == [(round_id, note)]
    # A second report by Bob replaces his first; Carol's is her own.
    out = await console.run(":press Report a problem", "The prompt is unclear.")
    assert "It replaces the report you sent earlier" in out
    await console.run(":as Carol", ":press Report a problem", "Elastic net is not L1 + L2.")
    rows = await console.app.store.db.fetch(
        "SELECT m.display_name, p.note, p.question_id FROM problem_reports p"
        " JOIN members m ON m.id = p.member_id ORDER BY m.display_name"
    )
    assert [(r["display_name"], r["note"]) for r in rows] == [
        ("Bob", "The prompt is unclear."),
        ("Carol", "Elastic net is not L1 + L2."),
    ]
    assert {r["question_id"] for r in rows} == {"algorithms-l1-l2"}


async def test_a_report_needs_a_short_note_about_a_revealed_round(console: Console) -> None:
    await console.run(SETUP, ":at 2026-11-30T09:00")
    questions = console.app.core._services.questions
    group = await console.app.store.get_group(1)
    assert group is not None
    reply = await questions.report_form(group, "1")  # open, not revealed
    assert reply.is_error and "not one revealed in this channel" in reply.text
    await console.run(":at 2026-11-30T17:00")
    assert (await questions.report_form(group, "1")).form is not None
    for value in ("2", "x", ""):
        assert (await questions.report(group, BOB, value, "wrong")).is_error
    reply = await questions.report(group, BOB, "1", "   ")
    assert reply.is_error and "Your note is empty" in reply.text
    reply = await questions.report(group, BOB, "1", "x" * 501)
    assert reply.is_error and "keep it under 500" in reply.text
    rows = await console.app.store.db.fetch("SELECT COUNT(*) AS n FROM problem_reports")
    assert rows[0]["n"] == 0


async def test_the_maintainers_list_reports_per_question_newest_first(
    tmp_path: Path, fixture_bank: QuestionBank, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    path = tmp_path / "bot.sqlite3"
    c = await open_console(path, fixture_bank, CONSOLE_START)
    try:
        await c.run(SETUP)
        await a_round(c, "2026-11-30", {"Alice": GOOD})
        await c.run(":as Bob", ":press Report a problem", "First: the answer is wrong.")
        await c.run(":at 2026-11-30T18:00", ":as Carol", ":press Report a problem")
        await c.run("Second: \x1b[2Jcleared the screen")
        await c.run(":as Alice", "/studybot settings categories=evaluation difficulty=mixed")
        await a_round(c, "2026-12-01", {"Alice": GOOD})
        await c.run(":as Bob", ":press Report a problem", "Another question, another note.")
        first = await c.app.store.round_on(1, date(2026, 11, 30))
        second = await c.app.store.round_on(1, date(2026, 12, 1))
        assert first is not None and second is not None
        notes = await c.app.store.db.fetch("SELECT note FROM problem_reports ORDER BY id")
        assert notes[1]["note"] == "Second: \x1b[2Jcleared the screen"  # stored as given
    finally:
        await c.app.stop()
    argv = ["content", "reports", "--database", f"sqlite:///{path}"]
    argv += ["--content", str(FIXTURE_CONTENT)]
    assert await asyncio.to_thread(main, argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{first.question_id}: 2 reports · Compare L1 and L2")
    assert "(round of 2026-11-30): “Second: [2Jcleared the screen”" in lines[1]
    assert "2026-11-30 18:00 UTC" in lines[1]
    assert "2026-11-30 17:00 UTC (round of 2026-11-30): “First: the answer is wrong.”" in lines[2]
    assert lines[3].startswith(f"{second.question_id}: 1 report · ")
    assert "“Another question, another note.”" in lines[4]
    assert len(lines) == 5


async def test_the_reports_of_an_old_database_ask_for_a_migration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main
    from bot.clock import SystemClock
    from bot.store import migrations
    from bot.store.urls import open_database

    path = tmp_path / "old.sqlite3"
    db = await open_database(f"sqlite:///{path}")
    try:
        old = tuple(m for m in migrations.MIGRATIONS if m[0] < migrations.REPORTS_VERSION)
        original = migrations.MIGRATIONS
        migrations.MIGRATIONS = old
        try:
            await migrations.migrate(db, SystemClock())
        finally:
            migrations.MIGRATIONS = original
    finally:
        await db.close()
    argv = ["content", "reports", "--database", f"sqlite:///{path}"]
    argv += ["--content", str(FIXTURE_CONTENT)]
    assert await asyncio.to_thread(main, argv) == 2
    err = capsys.readouterr().err
    assert "from before problem reports: run `studybot db migrate` first" in err
