"""A restarted console on the same database: new ids, and `:admin` said to be gone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.content.bank import QuestionBank
from bot.model import Round
from tests.conftest import Console, open_console

DAY1 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
RESTART = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # after day one's reveal


async def current_round(c: Console) -> Round:
    """Return the group's current round (the console's only group)."""
    round_ = await c.app.store.current_round(1)
    assert round_ is not None
    return round_


async def answers_by_name(c: Console, round_: Round) -> dict[str, bool]:
    """Return who answered a round, each with whether the answer was late."""
    return {a.display_name: a.late for a in await c.app.store.round_answers(round_.id)}


async def answer_message_ids(c: Console) -> list[str]:
    """Return the message id of every answer in the database."""
    rows = await c.app.store.db.fetch("SELECT message_id FROM answers ORDER BY id")
    return [str(row["message_id"]) for row in rows]


async def test_a_restarted_console_takes_the_next_days_thread_answers_for_the_next_round(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    db = tmp_path / "bot.sqlite3"
    c = await open_console(db, fixture_bank, DAY1)
    try:
        await c.run("/studybot setup time=09:00 days=daily reveal=17:00", ":at 2026-11-30T09:00")
        day1 = await current_round(c)
        out = await c.run("Day one: bias and variance trade off.")
        assert "Recorded your answer" in out
        out = await c.run(":at 2026-11-30T17:00")
        assert "== The answer" in out
    finally:
        await c.app.stop()  # the process ends: `:quit`

    c = await open_console(db, fixture_bank, RESTART)  # a new `./scripts/run`
    try:
        out = await c.run(":at 2026-12-01T09:00")
        assert "Question of the day" in out
        day2 = await current_round(c)
        assert day2.id != day1.id

        alice = await c.run("Day two: Alice answers in the new thread.")
        bob = await c.run(":as Bob", "Day two: Bob, who skipped day one, answers too.")

        assert await answers_by_name(c, day2) == {"Alice": False, "Bob": False}  # on time
        assert await answers_by_name(c, day1) == {"Alice": False}  # no late Bob there
        assert "Recorded your answer" in alice and "Recorded your answer" in bob
        assert day2.thread_id != day1.thread_id and day2.message_id != day1.message_id
        ids = await answer_message_ids(c)
        assert len(ids) == 3 and len(set(ids)) == 3  # the members' messages differ too
    finally:
        await c.app.stop()


async def test_a_restarted_console_says_admin_rights_were_not_kept(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    db = tmp_path / "bot.sqlite3"
    c = await open_console(db, fixture_bank, DAY1, admin=True)
    try:
        await c.run("/studybot setup time=09:00 days=daily")
    finally:
        await c.app.stop()

    c = await open_console(db, fixture_bank, DAY1, admin=False)
    try:
        await c.session.run_script(["/studybot pause", ":admin", "/studybot pause"])
        lines = c.out.getvalue().splitlines()
        assert lines[0] == (
            "(you are Alice; admin rights are not kept between runs: "
            "type :admin to manage the channel)"
        )
        assert sum("admin rights are not kept" in line for line in lines) == 1
        first, second = c.out.getvalue().split("Alice@#general> :admin")
        assert "is for the channel's admins" in first  # until `:admin` again
        assert "is for the channel's admins" not in second
        assert "(Alice may manage #general now)" in second
    finally:
        await c.app.stop()


async def test_a_console_started_as_an_admin_says_so_and_may_manage(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    c = await open_console(tmp_path / "bot.sqlite3", fixture_bank, DAY1, admin=True)
    try:
        await c.session.run_script(["/studybot setup time=09:00 days=daily"])
        out = c.out.getvalue()
        assert out.splitlines()[0] == "(you are Alice, an admin of #general)"
        assert "not kept" not in out and "Daily questions are on" in out
    finally:
        await c.app.stop()
