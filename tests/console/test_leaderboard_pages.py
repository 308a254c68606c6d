"""Leaderboard pages through the console: ten a page, checked against a recount from the answers.

The group of tests/console/test_past_leaderboards.py: sixteen members score in
week 2026-W49, so the board has two pages; each line's rounds and average
coverage are counted again here from the week's scored answers.
"""

from __future__ import annotations

import re
from datetime import date

from bot.store.database import Database
from tests.conftest import Console
from tests.console.test_past_leaderboards import GROUP, play_day, two_weeks
from tests.recount_check import recounted_board

FULL_LINE = re.compile(r"^\d+\. .+ — \d+ · .*$")


async def period_figures(db: Database, first: date, last: date) -> dict[str, tuple[int, float]]:
    """Return each member's (real attempts scored, average coverage) in rounds of these days."""
    rows = await db.fetch(
        "SELECT m.display_name, a.coverage, a.points, a.attempt, r.local_date, r.group_id"
        " FROM answers a JOIN rounds r ON r.id = a.round_id JOIN members m ON m.id = a.member_id"
    )
    found: dict[str, list[float]] = {}
    for r in rows:
        day = date.fromisoformat(r["local_date"])
        if (
            r["group_id"] == GROUP
            and r["points"] is not None
            and r["attempt"]
            and first <= day <= last
        ):
            found.setdefault(r["display_name"], []).append(float(r["coverage"]))
    return {name: (len(c), sum(c) / len(c)) for name, c in found.items()}


def expected_lines(
    board: list[tuple[str, int]], figures: dict[str, tuple[int, float]], ranks: range
) -> list[str]:
    """Return the lines a page shows for these ranks (1-based), with rounds and coverage."""
    lines = []
    for rank in ranks:
        name, points = board[rank - 1]
        answered, average = figures[name]
        rounds = "round" if answered == 1 else "rounds"
        lines.append(f"{rank}. {name} — {points} · {answered} {rounds}, {average:.0%} coverage")
    return lines


def shown_lines(out: str) -> list[str]:
    """Return the ranked lines a leaderboard printed, as printed (with `(you)` if any)."""
    return [line.strip() for line in out.splitlines() if FULL_LINE.match(line.strip())]


async def test_pages_of_ten_follow_the_recount_and_keep_the_caller_s_place(
    console: Console,
) -> None:
    await two_weeks(console)
    await console.run(":at 2026-12-06T20:00+13:00")  # Sunday evening: week 49 is this week
    db = console.app.store.db
    board = await recounted_board(db, GROUP, "w2026-49")
    figures = await period_figures(db, date(2026, 11, 30), date(2026, 12, 6))
    assert len(board) == 16 and {n for n, _ in board} == set(figures)
    bob = [n for n, _ in board].index("Bob") + 1
    assert bob > 10
    first = expected_lines(board, figures, range(1, 11))
    second = expected_lines(board, figures, range(11, 17))

    out = await console.run(":as Bob", "/leaderboard week")
    assert "Leaderboard · this week · page 1 of 2" in out
    assert shown_lines(out) == [*first, f"{second[bob - 11]} (you)"]
    assert "[Next]" in out and "[Previous]" not in out
    out = await console.run(":press Next")
    assert "page 2 of 2" in out and shown_lines(out) == second  # Bob is on it: no extra line
    assert "[Previous]" in out and "[Next]" not in out
    assert await console.run("/leaderboard week page=2") == out
    assert await console.run("/leaderboard page=2") == out
    assert await console.run("/leaderboard 2 week") == out
    out = await console.run(":press Previous")
    assert "page 1 of 2" in out and shown_lines(out)[:10] == first

    out = await console.run(":as Alice", "/leaderboard week page=2")
    alice = [n for n, _ in board].index("Alice") + 1
    assert shown_lines(out) == [*second, f"{first[alice - 1]} (you)"]


async def test_a_past_period_pages_and_its_buttons_keep_the_period(console: Console) -> None:
    await two_weeks(console)
    await play_day(console, 7, {"Alice": "part", "Erin": "full"})
    db = console.app.store.db
    board = await recounted_board(db, GROUP, "w2026-49")
    figures = await period_figures(db, date(2026, 11, 30), date(2026, 12, 6))
    second = expected_lines(board, figures, range(11, 17))
    title = "Leaderboard · week 2026-W49 (30 Nov – 6 Dec 2026, final) · page 2 of 2"

    out = await console.run(":as Erin", "/leaderboard week last page=2")
    assert title in out and shown_lines(out) == second
    assert "You had no points in that period." in out
    out = await console.run(":press Previous")
    assert "week 2026-W49" in out and "page 1 of 2" in out
    out = await console.run(":press Next")
    assert title in out and shown_lines(out) == second
    out = await console.run(":press Share")  # Share posts the first page
    assert "Shared by Erin" in out
    assert shown_lines(out) == expected_lines(board, figures, range(1, 11))


async def test_bad_page_numbers_are_answered_clearly(console: Console) -> None:
    await two_weeks(console)
    out = await console.run(":as Bob", "/leaderboard week page=3")
    assert (
        "Page 3 is past the end: this board has 2 pages (16 members); "
        "try /leaderboard week page=2." in out
    )
    assert re.search(r"…\s+\d+\. Bob — \d+ · 1 round, \d+% coverage \(you\)", out)
    assert "[Previous]" not in out and "[Next]" not in out
    out = await console.run("/leaderboard month page=0")
    assert "Pages start at 1: try page=1." in out and "Leaderboard ·" not in out
    out = await console.run("/leaderboard week page=two")
    assert "I don't know 'page=two' here." in out and "Leaderboard ·" not in out
    out = await console.run("/leaderboard month last page=2")
    assert "Page 2 is past the end: no one has points on this board." in out
