"""Leaderboards per category through the console, checked against a recount from the answers.

The group of tests/console/test_past_leaderboards.py: its rounds fall in the
fixture bank's categories; each category's board of each period is the recount
of that category's rounds, page by page, and Next keeps the category.
"""

from __future__ import annotations

from bot.scoring import category_key
from tests.conftest import Console
from tests.console.test_past_leaderboards import GROUP, board_lines, expected, play_day, two_weeks
from tests.recount_check import assert_scores_recount, recounted_board


async def category_of(console: Console, day: str) -> str:
    """Return the category the round of a local date was revealed in."""
    row = await console.app.store.db.fetchrow(
        "SELECT category FROM rounds WHERE group_id = :g AND local_date = :d",
        {"g": GROUP, "d": day},
    )
    assert row is not None and row["category"] is not None
    return str(row["category"])


async def test_category_boards_are_the_recount_of_their_rounds(console: Console) -> None:
    await two_weeks(console)
    await play_day(console, 7, {"Alice": "part", "Erin": "full"})
    db = console.app.store.db
    await assert_scores_recount(db)  # the category totals too
    big = await category_of(console, "2026-12-06")  # thirteen members answered that day
    categories = {r["category"] for r in await db.fetch("SELECT category FROM rounds")}
    title = console.app.bank.category_title(big)
    for category in categories:
        for key, line in (
            ("w2026-49", f"/leaderboard week last category={category}"),
            ("m2026-12", f"/leaderboard month category={category}"),
            ("all", f"/leaderboard all category={category}"),
        ):
            board = await recounted_board(db, GROUP, category_key(key, category))
            for caller in ("Bob", "Erin"):
                out = await console.run(f":as {caller}", line)
                assert board_lines(out) == expected(board, caller), (line, caller)

    week = await recounted_board(db, GROUP, category_key("w2026-49", big))
    assert len(week) > 10
    out = await console.run(":as Bob", f"/leaderboard week 2026-W49 category={big}")
    assert (
        f"Leaderboard · {title} · week 2026-W49 (30 Nov – 6 Dec 2026, final) · page 1 of 2" in out
    )
    out = await console.run(":press Next")
    assert f"Leaderboard · {title} · week 2026-W49" in out and "page 2 of 2" in out
    ranked = [(i + 1, name, points) for i, (name, points) in enumerate(week)]
    assert board_lines(out) == ranked[10:20]
    assert await console.run(f"/leaderboard week last page=2 category={big}") == out
    out = await console.run(":press Share")
    assert f"{title} · week 2026-W49" in out and "Shared by Bob" in out
    assert f"/leaderboard week 2026-W49 category={big} shows you your own place" in out
    assert board_lines(out) == ranked[:10]


async def test_an_unknown_category_names_the_bank_s(console: Console) -> None:
    await two_weeks(console)
    out = await console.run("/leaderboard week category=astronomy")
    listed = ", ".join(f"category={c}" for c in console.app.bank.categories)
    assert f"There is no category 'astronomy': try one of {listed}." in out
    assert "Leaderboard ·" not in out
    out = await console.run("/leaderboard week astronomy")
    assert "I don't know 'astronomy' here." in out and "category: " in out
