"""Reminders before the reveal on the console: to whom, once, across restarts, and settings.

The group posts daily at 09:00 UTC and reveals at 17:00, so the default reminder
(`remind=2h`) comes at 15:00. On Monday Alice, Bob, Carol and Dan answer; on
Tuesday Alice answers again and Dan turns reminders off, so at 15:00 only Bob
and Carol are reminded, privately.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.content.bank import QuestionBank
from tests.conftest import Console, console_on, open_console

SETUP = "/studybot setup time=09:00 tz=UTC days=daily reveal=17:00"


@pytest.fixture(params=["sqlite", "postgresql"])
async def console(
    request: pytest.FixtureRequest, tmp_path: Path, fixture_bank: QuestionBank
) -> AsyncIterator[Console]:
    async with console_on(request.param, tmp_path, fixture_bank) as c:
        yield c


async def answer(console: Console, *members: str) -> None:
    """Each member answers the open question with its reference answer (a real attempt)."""
    round_ = await console.app.store.current_round(1)
    assert round_ is not None
    question = console.app.bank.get(round_.question_id)
    assert question is not None
    text = " ".join(question.answer.split())
    for member in members:
        out = await console.run(f":as {member}", text)
        assert "Recorded your answer" in out, out


async def monday_then_tuesday(console: Console) -> None:
    """Set up, play Monday (four answer), and post Tuesday's question, answered by Alice."""
    await console.run(SETUP, ":at 2026-11-30T09:00")
    await answer(console, "Alice", "Bob", "Carol", "Dan")
    await console.run(":at 2026-11-30T17:00", ":at 2026-12-01T09:00")
    await answer(console, "Alice")


def reminded(out: str) -> list[str]:
    """Return who was shown a reminder in console output, in order."""
    blocks = out.split("[only ")
    return [b.split(" sees this]")[0] for b in blocks[1:] if "== Still open" in b]


async def test_only_active_members_who_have_not_answered_are_reminded_privately(
    console: Console,
) -> None:
    await monday_then_tuesday(console)
    said = await console.run(":as Dan", "/remind off")
    assert "Your reminders are now off" in said
    await console.run(":as Erin", "/remind")  # Erin never answered: nothing to remind her of
    assert reminded(await console.run(":at 2026-12-01T14:59")) == []
    out = await console.run(":at 2026-12-01T15:00")
    assert reminded(out) == ["Bob", "Carol"]
    assert "[#" not in out  # nothing in the channel, nobody named there
    bob = out.split("[only Bob sees this]")[1].split("[only")[0]
    assert "The answer is revealed in **2 h** (Tue 01 Dec, 17:00 (UTC))" in bob
    assert "Your streak of 1 round ends if you miss this one." in bob
    assert "/answer" in bob and "[Answer privately]" in bob
    assert reminded(await console.run(":at 2026-12-01T16:59")) == []
    # Bob answers from his reminder: its button opens the private form.
    form = await console.run(":as Bob", ":press remind-answer")
    assert "form 'Your answer'" in form
    assert "Recorded your answer" in await console.run("Cross-validation averages the folds.")
    revealed = await console.run(":at 2026-12-01T17:00")
    assert "Bob" in revealed and reminded(revealed) == []


async def test_remind_on_again_and_a_group_with_reminders_off(console: Console) -> None:
    await monday_then_tuesday(console)
    await console.run(":as Dan", "/remind off", "/remind on")
    out = await console.run(":at 2026-12-01T15:00")
    assert reminded(out) == ["Bob", "Carol", "Dan"]
    said = await console.run(":as Alice", "/studybot settings remind=off")
    assert "! " not in said, said
    shown = await console.run("/studybot settings")
    assert "-- Reminder --\n  off" in shown
    assert reminded(await console.run(":at 2026-12-02T09:00", ":at 2026-12-02T16:00")) == []
    await console.run("/studybot settings remind=1h30m")
    assert "-- Reminder --\n  1h30m before the reveal" in await console.run("/studybot settings")
    assert reminded(await console.run(":at 2026-12-03T09:00", ":at 2026-12-03T15:29")) == []
    out = await console.run(":at 2026-12-03T15:30")
    assert reminded(out) == ["Alice", "Bob", "Carol", "Dan"]
    assert "revealed in **1 h 30 min**" in out


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("25h", "remind='25h' is more than 24 hours before the reveal"),
        ("abc", "remind='abc' is not a duration"),
        ("0m", "remind='0m' would remind nobody before the reveal"),
        ("9h", "remind=9h would come before the question is posted"),
    ],
)
async def test_a_reminder_setting_that_cannot_be_used_changes_nothing(
    console: Console, value: str, says: str
) -> None:
    await console.run(SETUP)
    out = await console.run(f"/studybot settings remind={value} days=mon-fri")
    assert says in out and out.count("! ") == 1, out
    shown = await console.run("/studybot settings")
    assert "-- Reminder --\n  2h before the reveal" in shown and "daily" in shown


def reminder_rows(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT status, sent FROM round_reminders ORDER BY round_id").fetchall()


async def test_a_restart_neither_drops_nor_doubles_a_reminder(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    db = tmp_path / "bot.sqlite3"
    first = await open_console(db, fixture_bank, datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    await monday_then_tuesday(first)
    await first.run(":at 2026-12-01T14:00")
    await first.app.stop()  # down before the reminder's time, back after it

    second = await open_console(db, fixture_bank, datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    try:
        assert reminded(second.out.getvalue()) == ["Bob", "Carol", "Dan"]  # sent at start
        assert reminded(await second.run(":at 2026-12-01T17:00")) == []
    finally:
        await second.app.stop()
    assert reminder_rows(db) == [("sent", 0), ("sent", 3)]  # Monday's found nobody to remind

    third = await open_console(db, fixture_bank, datetime(2026, 12, 1, 17, 30, tzinfo=UTC))
    try:
        assert reminded(third.out.getvalue()) == []  # sent already: not again
        await third.run(":at 2026-12-02T09:00")
        await answer(third, "Alice", "Bob")
    finally:
        await third.app.stop()  # down before Wednesday's reminder and back before it too

    fourth = await open_console(db, fixture_bank, datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    try:
        assert reminded(fourth.out.getvalue()) == []
        assert reminded(await fourth.run(":at 2026-12-02T15:00")) == ["Carol", "Dan"]
    finally:
        await fourth.app.stop()
