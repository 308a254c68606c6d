"""Migration 18's backfill: each revealed round's category, and the category boards' totals.

A round's category comes from the question bank (`category_of`, a question id's
category), so this step is Python, run inside the migration's transaction. The
totals are summed from the stored points of every scored answer, in reveal order,
as a reveal would have added them: a total was reached when its last points came.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from bot.scoring import category_key, periods_of
from bot.store.database import Executor, Row

__all__ = ["CategoryOf", "MissingBank", "backfill_categories"]

# A question id's category in the bank, or None when the bank cannot tell.
CategoryOf = Callable[[str], str | None]


class MissingBank(RuntimeError):
    """Rounds need their category, and no question bank was given to tell it."""


async def _set_categories(tx: Executor, category_of: CategoryOf | None) -> None:
    """Give every revealed round without a category its question's category."""
    rows = await tx.fetch(
        "SELECT id, question_id FROM rounds WHERE category IS NULL AND reveal_seq IS NOT NULL"
    )
    if not rows:
        return
    if category_of is None:
        raise MissingBank(
            "migration 18 needs the question bank to give revealed rounds their category"
        )
    named = [{"id": r["id"], "category": category_of(r["question_id"])} for r in rows]
    known = [n for n in named if n["category"] is not None]
    if known:
        await tx.executemany("UPDATE rounds SET category = :category WHERE id = :id", known)


def _totals(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Return each member's category totals from their scored answers, in reveal order."""
    totals: dict[tuple[int, str, int], dict[str, Any]] = {}
    for r in rows:
        day = date.fromisoformat(r["local_date"])
        for key in periods_of(day):
            period = category_key(key, r["category"])
            total = totals.setdefault(
                (r["group_id"], period, r["member_id"]),
                {"group_id": r["group_id"], "period": period, "member_id": r["member_id"]},
            )
            total["points"] = total.get("points", 0) + int(r["points"])
            total["achieved_at"] = r["submitted_at"]
    return list(totals.values())


async def backfill_categories(tx: Executor, category_of: CategoryOf | None) -> None:
    """Set the revealed rounds' categories and write the category boards' totals.

    Run once, before any category total exists (the places, score_counts and
    score_hour_counts, follow in the migration's next statements).
    """
    await _set_categories(tx, category_of)
    rows = await tx.fetch(
        "SELECT a.member_id, a.points, a.submitted_at, r.group_id, r.local_date, r.category"
        " FROM answers a JOIN rounds r ON r.id = a.round_id"
        " WHERE r.category IS NOT NULL AND r.reveal_seq IS NOT NULL AND a.late = 0"
        " AND a.points > 0 ORDER BY r.group_id, a.member_id, r.reveal_seq"
    )
    totals = _totals(rows)
    if totals:
        await tx.executemany(
            "INSERT INTO score_totals (group_id, period, member_id, points, achieved_at)"
            " VALUES (:group_id, :period, :member_id, :points, :achieved_at)",
            totals,
        )
