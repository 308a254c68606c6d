"""After downtime: post late within the grace window, else skip and log; never twice."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.content.bank import QuestionBank
from tests.conftest import open_console


async def restart_at(db: Path, bank: QuestionBank, when: datetime) -> str:
    c = await open_console(db, bank, when)  # start-up runs the recovery
    printed = c.out.getvalue()
    await c.app.stop()
    return printed


def statuses(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT local_date, status FROM rounds ORDER BY local_date").fetchall()


async def test_late_post_within_grace_and_skip_beyond(
    tmp_path: Path, fixture_bank: QuestionBank, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "down.sqlite3"
    c = await open_console(db, fixture_bank, datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    await c.run("/studybot setup time=09:00 days=daily reveal=12h")
    await c.app.stop()  # the bot goes down before 09:00

    out = await restart_at(db, fixture_bank, datetime(2026, 11, 30, 10, 30, tzinfo=UTC))
    assert out.count("Question of the day") == 1  # 90 min late: within the 2 h grace
    out = await restart_at(db, fixture_bank, datetime(2026, 11, 30, 10, 45, tzinfo=UTC))
    assert "Question of the day" not in out  # restarted again: not posted twice

    with caplog.at_level(logging.WARNING):
        out = await restart_at(db, fixture_bank, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert "Question of the day" not in out  # 3 h late: skipped
    assert "beyond the grace window; skipped" in caplog.text
    assert "== The answer" in out  # the overdue reveal of 30 Nov ran at start-up
    assert statuses(db) == [("2026-11-30", "revealed"), ("2026-12-01", "missed")]


async def test_the_periodic_sweep_leaves_a_group_set_up_after_its_time_to_its_schedule(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    # Set up at 07:00 for 06:00: the first question comes tomorrow, as the reply says,
    # even though a sweep (as any replica runs each minute) now sees the group.
    c = await open_console(
        tmp_path / "s.sqlite3", fixture_bank, datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    )
    try:
        await c.run("/studybot setup time=06:00 days=daily")
        await c.app.rounds.sweep()
        assert statuses(tmp_path / "s.sqlite3") == []
        out = await c.run(":at 2026-12-01T06:01")
        assert out.count("Question of the day") == 1
    finally:
        await c.app.stop()
