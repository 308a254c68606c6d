"""Past-period leaderboards through the console: a closed week's final board, checked by a recount.

A group in Auckland (UTC+13 in December) plays daily from Tue 1 Dec 2026 (week
2026-W49) into the next week; members answer on different days, and twelve more
members join on the Sunday, so one member's place is below the top ten.
"""

from __future__ import annotations

import re

from bot.model import RoundStatus
from tests.conftest import Console
from tests.recount_check import recounted_board

GROUP = 1
LINE = re.compile(r"^(\d+)\. (.+) — (\d+)(?: · \d+ rounds?(?:, \d+% coverage)?)?( \(you\))?$")
EXTRA = [f"Member{i:02d}" for i in range(1, 13)]


def board_lines(out: str) -> list[tuple[int, str, int]]:
    """Return the ranked lines a leaderboard printed: (rank, name, points)."""
    found = [LINE.match(line.strip()) for line in out.splitlines()]
    return [(int(m[1]), m[2], int(m[3])) for m in found if m is not None]


def expected(board: list[tuple[str, int]], caller: str) -> list[tuple[int, str, int]]:
    """Return the top ten of a recounted board, and the caller's place if not among them."""
    lines = [(i + 1, name, points) for i, (name, points) in enumerate(board)]
    top = lines[:10]
    mine = [line for line in lines[10:] if line[1] == caller]
    return top + mine


async def play_day(console: Console, day: int, answers: dict[str, str]) -> None:
    """Post the day's question at 09:00 Auckland time, take the answers, reveal at 17:00."""
    await console.run(f":at 2026-12-{day:02d}T09:00+13:00")
    round_ = await console.app.store.current_round(GROUP)
    assert round_ is not None and round_.status is RoundStatus.OPEN
    question = console.app.bank.get(round_.question_id)
    assert question is not None
    term = question.key_points[0].match[0]
    texts = {
        "full": question.answer,
        "part": f"I think the key idea here is {term}, as far as I remember.",
    }
    for member, kind in answers.items():
        out = await console.run(f":as {member}", texts[kind])
        assert "Recorded your answer" in out, out
    out = await console.run(f":at 2026-12-{day:02d}T17:00+13:00")
    assert "The answer" in out


async def two_weeks(console: Console) -> None:
    """Play Tue 1 to Sun 6 Dec (week 49), leaving the clock early on Mon 7 Dec, local time."""
    await console.run("/studybot setup time=09:00 tz=Pacific/Auckland days=daily reveal=17:00")
    await play_day(console, 1, {"Alice": "full", "Carol": "part"})
    await play_day(console, 2, {"Carol": "full", "Dan": "part"})
    await play_day(console, 3, {"Alice": "part", "Carol": "part", "Dan": "full"})
    await play_day(console, 4, {"Bob": "part"})
    await play_day(console, 5, {"Alice": "full", "Dan": "full"})
    await play_day(console, 6, {"Carol": "full"} | dict.fromkeys(EXTRA, "full"))


async def test_last_week_is_the_final_board_of_the_group_s_last_week(console: Console) -> None:
    await two_weeks(console)
    week49 = await recounted_board(console.app.store.db, GROUP, "w2026-49")
    assert len(week49) == 16 and [n for n, _ in week49].index("Bob") >= 10
    # Mon 7 Dec 01:00 in Auckland is still Sunday 6 Dec in UTC: "last" is the group's.
    await console.run(":at 2026-12-07T01:00+13:00")
    for caller in ("Alice", "Bob"):
        out = await console.run(f":as {caller}", "/leaderboard week last")
        assert "Leaderboard · week 2026-W49 (30 Nov – 6 Dec 2026, final)" in out
        assert board_lines(out) == expected(week49, caller)
    out = await console.run(":as Bob", "/leaderboard week")
    assert "Leaderboard · this week" in out and "No points yet." in out

    await play_day(console, 7, {"Alice": "part", "Erin": "full"})
    await play_day(console, 8, {"Bob": "full", "Erin": "part"})
    assert await recounted_board(console.app.store.db, GROUP, "w2026-49") == week49  # closed: final
    for line in ("/leaderboard week last", "/leaderboard 2026-W49", "/leaderboard W49 week"):
        out = await console.run(":as Bob", line)
        assert "week 2026-W49 (30 Nov – 6 Dec 2026, final)" in out
        assert board_lines(out) == expected(week49, "Bob")
        assert re.search(r"…\s+\d+\. Bob — \d+ · 1 round, \d+% coverage \(you\)", out)
    out = await console.run(":as Erin", "/leaderboard week last")
    assert "You had no points in that period." in out

    week50 = await recounted_board(console.app.store.db, GROUP, "w2026-50")
    assert {name for name, _ in week50} == {"Alice", "Bob", "Erin"}
    await console.run(":as Erin")
    current = await console.run("/leaderboard week")
    assert board_lines(current) == expected(week50, "Erin")
    assert await console.run("/leaderboard week 2026-W50") == current
    assert await console.run("/leaderboard w50") == current
    month = await console.run("/leaderboard month")
    assert await console.run("/leaderboard 2026-12") == month
    assert board_lines(month) == expected(
        await recounted_board(console.app.store.db, GROUP, "m2026-12"), "Erin"
    )
    out = await console.run("/leaderboard month last")
    assert "Leaderboard · November 2026 (final)" in out and "No points yet." in out


async def test_a_past_board_can_be_shared_with_the_channel(console: Console) -> None:
    await two_weeks(console)
    await play_day(console, 7, {"Erin": "full"})
    week49 = await recounted_board(console.app.store.db, GROUP, "w2026-49")
    top = expected(week49, "Alice")[:10]
    out = await console.run(":as Alice", "/leaderboard week last public")
    assert "week 2026-W49 (30 Nov – 6 Dec 2026, final)" in out and "Shared by Alice" in out
    assert "/leaderboard week 2026-W49 shows you your own place" in out
    assert board_lines(out) == top
    await console.run(":as Bob", "/leaderboard week last")
    out = await console.run(":press Share")
    assert "week 2026-W49" in out and "Shared by Bob" in out
    assert board_lines(out) == top


async def test_periods_that_name_no_board_are_answered_clearly(console: Console) -> None:
    await console.run("/studybot setup time=09:00 tz=Pacific/Auckland days=daily")
    await console.run(":at 2026-12-09T12:00+13:00")  # Wed 9 Dec, week 2026-W50
    refusals = {
        "/leaderboard week 2026-W54": "2026 has no week 54: its weeks are W01 to W53.",
        "/leaderboard month 2026-13": "There is no month 13: months are 01 to 12.",
        "/leaderboard week 2026-W51": "Week 2026-W51 has not begun: it starts on Mon 14 Dec.",
        "/leaderboard 2027-01": "January 2027 has not begun: it starts on Fri 1 Jan.",
        "/leaderboard all last": "All time has no past: try /leaderboard week last",
        "/leaderboard week 2026-11": "'2026-11' is a month, not a week",
        "/leaderboard week yesterday": "I don't know 'yesterday' here.",
        "/leaderboard week last last": "I don't know 'last' here.",
    }
    for line, says in refusals.items():
        out = await console.run(line)
        assert says in out, (line, out)
        assert "Leaderboard ·" not in out
