"""Daily rounds on the console across the two DST nights of Europe/Berlin.

A post time in the hour the clocks repeat posts once, at its first
occurrence; a post time in the hour they skip posts once, when the clocks
jump. Every other day keeps its post time, and every day has one round.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import from_micros
from bot.content.bank import QuestionBank
from tests.conftest import Console, open_console

pytestmark = pytest.mark.timeout(60)  # the old schedule spun forever on the fall-back night


async def _rounds(console: Console) -> list[tuple[str, datetime | None, str]]:
    rows = await console.app.store.db.fetch(
        "SELECT local_date, posted_at, status FROM rounds ORDER BY local_date"
    )
    return [
        (
            r["local_date"],
            None if r["posted_at"] is None else from_micros(r["posted_at"]),
            r["status"],
        )
        for r in rows
    ]


async def _night(tmp_path: Path, bank: QuestionBank, start: datetime) -> Console:
    console = await open_console(tmp_path / "bot.sqlite3", bank, start)
    out = await console.run("/studybot setup time=02:30 tz=Europe/Berlin days=daily reveal=20:00")
    assert "Daily questions are on" in out
    return console


async def test_a_post_time_in_the_repeated_hour_posts_once_at_its_first_occurrence(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    c = await _night(tmp_path, fixture_bank, datetime(2026, 10, 23, 12, 0, tzinfo=UTC))
    try:
        await c.run(":at 2026-10-24T23:00")
        out = await c.run(":at 2026-10-25T00:30")  # 02:30 CEST, the first 02:30 of the night
        assert out.count("Question of the day") == 1
        out = await c.run(":at 2026-10-25T01:31")  # 02:31 CET: the same wall time again
        assert "Question of the day" not in out and "0 job(s) ran" in out
        await c.run("an answer in the round of the 25th")
        out = await c.run(":at 2026-10-27T12:00")
        assert out.count("Question of the day") == 2  # the 26th and the 27th, once each
        rounds = await _rounds(c)
        assert [(d, at) for d, at, _ in rounds] == [
            ("2026-10-24", datetime(2026, 10, 24, 0, 30, tzinfo=UTC)),
            ("2026-10-25", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
            ("2026-10-26", datetime(2026, 10, 26, 1, 30, tzinfo=UTC)),
            ("2026-10-27", datetime(2026, 10, 27, 1, 30, tzinfo=UTC)),
        ]
        assert {status for *_, status in rounds[:3]} == {"revealed"}
    finally:
        await c.app.stop()


async def test_a_post_time_in_the_skipped_hour_posts_once_when_the_clocks_jump(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    c = await _night(tmp_path, fixture_bank, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    try:
        out = await c.run("/help admin")
        assert "the clocks skip happens when they jump" in out and "elapsed time" in out
        await c.run(":at 2026-03-29T00:59")  # 01:59 CET, a minute before the jump
        out = await c.run(":at 2026-03-29T01:00")  # 02:00 CET is 03:00 CEST: 02:30 is gone
        assert out.count("Question of the day") == 1
        out = await c.run(":at 2026-03-31T12:00")
        assert out.count("Question of the day") == 2
        assert [(d, at) for d, at, _ in await _rounds(c)] == [
            ("2026-03-28", datetime(2026, 3, 28, 1, 30, tzinfo=UTC)),
            ("2026-03-29", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
            ("2026-03-30", datetime(2026, 3, 30, 0, 30, tzinfo=UTC)),
            ("2026-03-31", datetime(2026, 3, 31, 0, 30, tzinfo=UTC)),
        ]
    finally:
        await c.app.stop()
