"""Group holidays through the console: two weeks of a mon-fri group with three days off.

The group (UTC, 09:00, mon-fri) takes Wednesday 2 and Thursday 3 December and
Monday 7 December off. No question goes out on them; questions come again
after; a member who answers every posted question keeps her streak; last
week's recap moves to Tuesday's question, the week's first.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.model import RoundStatus
from tests.conftest import Console

GROUP = 1
SETUP = "/studybot setup time=09:00 tz=UTC days=mon-fri reveal=17:00"
HOLIDAYS = "/studybot settings holidays=2026-12-02..2026-12-03, 2026-12-07"
QUESTION = "Question of the day"
RECAP = "Last week's recap"


@pytest.fixture
def console(console_on_both: Console) -> Console:
    """The console on a real SQLite file, then on a real PostgreSQL server."""
    return console_on_both


async def play(console: Console, day: str) -> str:
    """Post the day's question at 09:00, let Alice answer it, reveal it at 17:00.

    Return what the post at 09:00 printed.
    """
    posted = await console.run(f":at {day}T09:00")
    round_ = await console.app.store.current_round(GROUP)
    assert round_ is not None and round_.status is RoundStatus.OPEN
    assert round_.local_date.isoformat() == day
    question = console.app.bank.get(round_.question_id)
    assert question is not None
    assert "Recorded your answer" in await console.run(":as Alice", question.answer)
    assert "The answer" in await console.run(f":at {day}T17:00")
    return posted


async def streak(console: Console) -> int:
    """Return Alice's streak (she is the console's first member)."""
    stats = await console.app.store.member_stats(GROUP, [1])
    return stats[1].streak


async def posted_days(console: Console) -> list[str]:
    rows = await console.app.store.db.fetch(
        "SELECT local_date FROM rounds WHERE group_id = :g ORDER BY local_date", {"g": GROUP}
    )
    return [str(r["local_date"]) for r in rows or []]


async def test_no_question_on_holidays_streaks_hold_and_the_recap_moves(console: Console) -> None:
    await console.run(SETUP)
    out = await console.run(HOLIDAYS)
    assert "Settings changed: holidays" in out, out
    assert "-- Holidays --\n  2026-12-02..2026-12-03, 2026-12-07" in out
    assert "no question on 2026-12-02..2026-12-03, 2026-12-07" in out  # the channel's line

    for day in ("2026-11-30", "2026-12-01"):
        await play(console, day)
    assert await streak(console) == 2
    out = await console.run("/answer")  # after Tuesday's reveal: Friday is next
    assert "The next one comes" in out and "Fri 04 Dec, 09:00" in out, out
    for day in ("2026-12-02", "2026-12-03"):
        assert QUESTION not in await console.run(f":at {day}T09:00", f":at {day}T17:00")
    await play(console, "2026-12-04")
    assert await streak(console) == 3  # the days off broke nothing

    monday = await console.run(":at 2026-12-07T09:00", ":at 2026-12-07T17:00")
    assert QUESTION not in monday and RECAP not in monday
    tuesday = await play(console, "2026-12-08")
    assert tuesday.count(RECAP) == 1 and tuesday.index(RECAP) < tuesday.index(QUESTION)
    assert "2026-W49" in tuesday
    assert await streak(console) == 4
    for day in ("2026-12-09", "2026-12-10", "2026-12-11"):
        assert RECAP not in await play(console, day)
    assert await streak(console) == 7
    assert await posted_days(console) == [
        "2026-11-30",
        "2026-12-01",
        "2026-12-04",
        "2026-12-08",
        "2026-12-09",
        "2026-12-10",
        "2026-12-11",
    ]
    out = await console.run("/studybot settings")
    assert "-- Holidays --\n  none" in out, out  # all three are past


async def test_skip_and_the_settings_pass_over_holidays(console: Console) -> None:
    await console.run(SETUP, "/studybot settings holidays=2026-12-01, 2026-12-03..2026-12-04")
    await play(console, "2026-11-30")
    out = await console.run("/studybot skip")
    assert "The question of Wednesday 02 December will be skipped." in out, out
    out = await console.run(
        "/studybot settings holidays=2026-12-01..2026-12-04, 2026-12-07..2026-12-08, "
        "2026-12-10, 2026-12-14..2026-12-18"
    )
    assert (
        "-- Holidays --\n  2026-12-01..2026-12-04, 2026-12-07..2026-12-08, 2026-12-10"
        " and 5 more days"
    ) in out, out
    # Nothing posts until Wednesday 9 December; Wednesday 2, skipped first, stays skipped.
    assert QUESTION not in await console.run(":at 2026-12-08T18:00")
    assert QUESTION in await console.run(":at 2026-12-09T09:00")
    assert await posted_days(console) == ["2026-11-30", "2026-12-02", "2026-12-09"]
    skipped = await console.app.store.round_on(GROUP, date(2026, 12, 2))
    assert skipped is not None and skipped.status is RoundStatus.SKIPPED
    out = await console.run("/studybot settings holidays=none")
    assert "-- Holidays --\n  none" in out


BAD = {
    "2026-12-26..2026-12-24": "'2026-12-26..2026-12-24' ends before it starts",
    "2026-13-01": "'2026-13-01' is not a date or a range of dates",
    "24/12": "'24/12' is not a date or a range of dates",
    "2026-11-01": "2026-11-01 is in the past (today is 2026-11-30 here)",
    "2026-12-01..2027-12-31": "That is 396 holiday dates; a group may have at most 366",
    "none,2026-12-24": "holidays=none clears the holidays, so give it alone",
}


async def test_bad_holidays_are_refused_and_nothing_changes(console: Console) -> None:
    await console.run(SETUP, "/studybot settings holidays=2026-12-24")
    for typed, problem in BAD.items():
        out = await console.run(f"/studybot settings holidays={typed} time=10:00")
        assert problem in out and "Nothing was changed." in out, out
    out = await console.run("/studybot settings")
    assert "-- Holidays --\n  2026-12-24" in out and "09:00 UTC" in out, out
