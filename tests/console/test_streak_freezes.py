"""Streak freezes and away days on the console, day by day with the manual clock.

A member who answered seven rounds in a row holds a freeze: missing the next
round spends it (they are told privately) and the streak goes on; with no
freeze the streak breaks. Away days bridge rounds without a freeze. Every test
ends by checking each stored score and streak against a recount from scratch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from bot.content.bank import QuestionBank
from bot.scoring import ScoringRules
from tests.conftest import Console, console_on
from tests.recount_check import assert_scores_recount

RULES = ScoringRules()
SETUP = "/studybot setup time=09:00 tz=UTC days=daily reveal=17:00 admins=dora"
ANSWER = "My answer is that it depends on the data, so I would test both."
MONDAY = date(2026, 11, 30)
FREEZE_NOTE = "a streak freeze kept your streak of 7 rounds. Freezes left: 0."


@pytest.fixture(params=["sqlite", "postgresql"])
async def console(
    request: pytest.FixtureRequest, tmp_path: Path, fixture_bank: QuestionBank
) -> AsyncIterator[Console]:
    """The console on a real SQLite file and on a real PostgreSQL server."""
    async with console_on(request.param, tmp_path, fixture_bank) as c:
        await c.run(SETUP)
        yield c


async def a_day(console: Console, day: int, *bob: str) -> str:
    """Run day `day` (0: Monday 30 November): post, Bob's lines, reveal; return the output."""
    when = MONDAY + timedelta(days=day)
    await console.run(f":at {when}T09:00", ":as Bob", *bob)
    return await console.run(f":at {when}T17:00")


async def bob_stats(console: Console) -> dict[str, str]:
    """Return Bob's /stats fields by name, as the console prints them."""
    out = await console.run(":as Bob", "/stats")
    assert "Stats · Bob" in out
    lines = [line.strip() for line in out.splitlines()]
    return {
        line.removeprefix("-- ").removesuffix(" --"): value
        for line, value in pairwise(lines)
        if line.startswith("-- ")
    }


async def test_a_freeze_earned_in_seven_keeps_a_missed_round_and_none_left_breaks_it(
    console: Console,
) -> None:
    for day in range(7):
        out = await a_day(console, day, ANSWER)
        assert "streak freeze" not in out
    stats = (await console.app.store.member_stats(1, [1]))[1]
    assert (stats.streak, stats.freezes, stats.freezes_used) == (7, 1, 0)

    out = await a_day(console, 7)  # Bob misses Monday 7 December
    assert "[only Bob sees this]" in out
    assert f"You missed the question of Mon 07 Dec; {FREEZE_NOTE}" in out
    fields = await bob_stats(console)
    assert fields["Streak"] == "7 now, best 7"
    assert fields["Streak freezes"] == "0 held (at most 2), 1 used"

    await a_day(console, 8, ANSWER)  # the streak goes on over the bridged round
    answers = await console.app.store.round_answers(9)
    assert [a.points for a in answers] == [
        RULES.participation + round(RULES.coverage_bonus * (answers[0].coverage or 0)) + 10
    ]
    assert (await bob_stats(console))["Streak"] == "8 now, best 8"

    out = await a_day(console, 9)  # no freeze left: the streak breaks, and nobody is told
    assert "streak freeze" not in out
    assert (await bob_stats(console))["Streak"] == "0 now, best 8"
    await assert_scores_recount(console.app.store.db)


async def test_away_days_bridge_rounds_without_a_freeze_and_show_in_stats(
    console: Console,
) -> None:
    await a_day(console, 0, ANSWER)
    await console.run(":at 2026-12-01T09:00", ":as Bob", ANSWER)
    out = await console.run("/away 2026-12-02..2026-12-03")
    assert "You're away 2026-12-02 to 2026-12-03 (2 days)" in out
    assert "[only Bob sees this]" in out
    assert (await bob_stats(console))["Away"] == "2026-12-02 to 2026-12-03"
    await console.run(":at 2026-12-01T17:00")
    for day in (2, 3):  # Bob is away: no answer, no freeze, no note
        out = await a_day(console, day)
        assert "streak freeze" not in out
        assert (await bob_stats(console))["Streak"] == "2 now, best 2"
    await a_day(console, 4, ANSWER)
    fields = await bob_stats(console)
    assert fields["Streak"] == "3 now, best 3"
    assert fields["Streak freezes"] == "0 held (at most 2), 0 used"
    assert "Away" not in fields  # past away days are not shown
    rows = await console.app.store.db.fetch("SELECT seq, kind FROM streak_bridges ORDER BY seq")
    assert [(r["seq"], r["kind"]) for r in rows] == [(3, "away"), (4, "away")]
    await assert_scores_recount(console.app.store.db)


async def test_away_off_cancels_the_days_after_today(console: Console) -> None:
    await console.run(":at 2026-11-30T10:00", ":as Bob", "/away 2026-11-30..2026-12-04")
    out = await console.run("/away off")
    assert "Your away days after today are cancelled" in out
    out = await console.run("/away")
    assert "2026-11-30" in out and "2026-12-04" not in out
    assert await console.app.store.away_members(1, MONDAY) == frozenset({1})
    assert await console.app.store.away_members(1, MONDAY + timedelta(days=1)) == frozenset()
    out = await console.run("/away off")
    assert "no away days after today" in out


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-12-27..2026-12-20", "ends (2026-12-20) before it starts (2026-12-27)"),
        ("2026-11-29", "2026-11-29 is in the past (today is 2026-11-30 here)"),
        ("2026-12-32", 'couldn\'t read "2026-12-32" as a date'),
        ("next week", 'couldn\'t read "next week" as a date'),
        ("2026-12-01..2026-12-20", "That is 20 days; you can be away at most 14"),
        ("2026-12-10..2026-12-12", "already away 2026-12-05 to 2026-12-14, which overlaps"),
        ("2026-12-20..2026-12-24", "That would make 15 away days from"),
        ("2028-01-01", "up to a year ahead, until 2027-11-30"),
        ("@everyone", 'couldn\'t read "@\u200beveryone"'),
    ],
)
async def test_away_refuses_bad_input_clearly_and_changes_nothing(
    console: Console, text: str, says: str
) -> None:
    await console.run(":at 2026-11-30T10:00", ":as Bob", "/away 2026-12-05..2026-12-14")
    out = await console.run(f"/away {text}")
    assert says in out, out
    assert await console.app.store.away_ranges(1, 1) == [
        (await console.app.store.away_ranges(1, 1))[0]
    ]
    listed = await console.run("/away")
    assert "- 2026-12-05 to 2026-12-14" in listed


async def test_a_regrade_after_a_freeze_recounts_the_streak_over_the_bridge(
    console: Console,
) -> None:
    for day in range(7):
        await a_day(console, day, ANSWER)
    await a_day(console, 7)  # the freeze bridges Monday 7 December
    await a_day(console, 8, ANSWER)
    before = (await console.app.store.member_stats(1, [1]))[1]
    out = await console.run(":as Dora", "/studybot regrade bob 2026-12-08")
    assert "== Regrade · " in out
    out = await console.run(":press Change the grade", "all", "It covers every point.")
    assert "== Grade changed ==" in out
    after = (await console.app.store.member_stats(1, [1]))[1]
    assert (after.streak, after.freezes, after.freezes_used) == (8, 0, 1)
    assert after.coverage_sum > before.coverage_sum
    await assert_scores_recount(console.app.store.db)
