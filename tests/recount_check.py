"""A from-scratch recount of every score the store keeps, to check incremental writes against.

Points of each answer from the round's grade, the streak and the votes; each
member's stats; each leaderboard's totals and when they were reached; the
members counted per points value and per hour. The rounds a freeze or an away
day bridged (streak_bridges, as each reveal stored them) carry a streak over as
they did live, unless the member answered the round with a real attempt after
all (a regrade). `assert_scores_recount` fails, saying where, if anything the
store holds differs from the recount.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from bot.records import BridgeKind, MemberStats
from bot.scoring import ScoringRules, next_stats, periods_of, round_points
from bot.store.database import Database
from bot.store.migrations import SCORE_HOUR
from bot.streak_guard import bridged


async def _answers(db: Database) -> list[Any]:
    return list(
        await db.fetch(
            "SELECT a.id, a.member_id, a.coverage, a.attempt, a.points, a.submitted_at,"
            " r.group_id, r.reveal_seq, r.local_date, r.category,"
            " (SELECT COUNT(*) FROM votes v WHERE v.answer_id = a.id) AS votes"
            " FROM answers a JOIN rounds r ON r.id = a.round_id"
            " WHERE a.late = 0 AND a.points IS NOT NULL AND r.reveal_seq IS NOT NULL"
            " ORDER BY r.group_id, a.member_id, r.reveal_seq"
        )
    )


async def _bridges(db: Database) -> list[Any]:
    return list(await db.fetch("SELECT group_id, member_id, seq, kind FROM streak_bridges"))


def _in_order(rows: list[Any], bridges: list[Any]) -> list[tuple[Any | None, Any | None]]:
    """Return each member's answers and bridges by group, member and round: (answer, bridge)."""
    events: dict[tuple[int, int, int], list[Any | None]] = {}
    for r in rows:
        events.setdefault((r["group_id"], r["member_id"], r["reveal_seq"]), [None, None])[0] = r
    for b in bridges:
        events.setdefault((b["group_id"], b["member_id"], b["seq"]), [None, None])[1] = b
    return [(answer, bridge) for _, (answer, bridge) in sorted(events.items())]


def _recount(
    rows: list[Any], rules: ScoringRules, bridges: list[Any] | None = None
) -> tuple[
    dict[int, int], dict[tuple[int, int], MemberStats], dict[tuple[int, str, int], tuple[int, int]]
]:
    points: dict[int, int] = {}
    stats: dict[tuple[int, int], MemberStats] = {}
    totals: dict[tuple[int, str, int], tuple[int, int]] = {}
    for r, b in _in_order(rows, bridges or []):
        if r is not None and not r["attempt"]:
            points[r["id"]] = 0
        if r is None or not r["attempt"]:  # missed: a bridge may carry the streak over
            key = (b["group_id"], b["member_id"]) if b else (0, 0)
            after = bridged(stats.get(key), b["seq"], BridgeKind(b["kind"])) if b else None
            if after is not None:
                stats[key] = after
            continue
        key = (r["group_id"], r["member_id"])
        stats[key] = next_stats(stats.get(key), r["member_id"], r["reveal_seq"], r["coverage"])
        earned = round_points(r["coverage"], stats[key].streak, rules, r["votes"]).total
        points[r["id"]] = earned
        if earned <= 0:
            continue
        for period in periods_of(date.fromisoformat(r["local_date"]), r["category"]):
            tkey = (r["group_id"], period, r["member_id"])
            before = totals.get(tkey, (0, 0))[0]
            totals[tkey] = (before + earned, r["submitted_at"])
    return points, stats, totals


async def assert_scores_recount(db: Database, rules: ScoringRules | None = None) -> None:
    """Fail unless every stored score equals a recount from the answers themselves."""
    rows = await _answers(db)
    points, stats, totals = _recount(rows, rules or ScoringRules(), await _bridges(db))
    stored_points = {r["id"]: r["points"] for r in rows}
    assert stored_points == points, "answers' points differ from a recount"
    stored_stats = {
        (r["group_id"], r["member_id"]): MemberStats(
            r["member_id"],
            r["streak"],
            r["best_streak"],
            r["last_seq"],
            r["rounds_answered"],
            r["coverage_sum"],
            r["freezes"],
            r["freezes_used"],
        )
        for r in await db.fetch("SELECT * FROM member_stats")
    }
    assert stored_stats.keys() == stats.keys(), "members with stats differ"
    for key, mine in stats.items():
        theirs = stored_stats[key]
        assert (
            theirs.streak,
            theirs.best_streak,
            theirs.last_seq,
            theirs.rounds_answered,
            theirs.freezes,
            theirs.freezes_used,
        ) == (
            mine.streak,
            mine.best_streak,
            mine.last_seq,
            mine.rounds_answered,
            mine.freezes,
            mine.freezes_used,
        ), f"stats of {key} differ"
        assert abs(theirs.coverage_sum - mine.coverage_sum) < 1e-9, f"coverage of {key} differs"
    stored_totals = {
        (r["group_id"], r["period"], r["member_id"]): (r["points"], r["achieved_at"])
        for r in await db.fetch("SELECT * FROM score_totals")
    }
    assert stored_totals == totals, "leaderboard totals differ from a recount"
    counts = Counter((g, p, pts) for (g, p, _), (pts, _) in totals.items())
    stored_counts = {
        (r["group_id"], r["period"], r["points"]): r["members"]
        for r in await db.fetch("SELECT * FROM score_counts WHERE members <> 0")
    }
    assert stored_counts == dict(counts), "members per points value differ"
    hours: defaultdict[tuple[int, str, int, int], int] = defaultdict(int)
    for (g, p, _), (pts, at) in totals.items():
        hours[(g, p, pts, at // SCORE_HOUR)] += 1
    stored_hours = {
        (r["group_id"], r["period"], r["points"], r["achieved_hour"]): r["members"]
        for r in await db.fetch("SELECT * FROM score_hour_counts WHERE members <> 0")
    }
    assert stored_hours == dict(hours), "members per points value and hour differ"


async def recounted_board(db: Database, group_id: int, period: str) -> list[tuple[str, int]]:
    """Return a leaderboard recounted from the answers: (name, points), first place first.

    Ties go to whoever reached their total first, then to the lower member id, as the
    store ranks them; `period` is a leaderboard key (`w2026-49`, `all/nlp`).
    """
    _, _, totals = _recount(await _answers(db), ScoringRules())
    names = {r["id"]: r["display_name"] for r in await db.fetch("SELECT * FROM members")}
    board = [
        (points, at, member_id)
        for (g, p, member_id), (points, at) in totals.items()
        if (g, p) == (group_id, period)
    ]
    return [(names[m], points) for points, _, m in sorted(board, key=lambda t: (-t[0], t[1], t[2]))]
