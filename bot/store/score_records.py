"""The store's scores: a reveal's results, leaderboards, members' stats and history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.clock import to_micros
from bot.records import MemberStats, RoundResult, ScoreEntry, Standing
from bot.store.base import StoreBase
from bot.store.database import Executor
from bot.store.migrations import SCORE_HOUR
from bot.store.rows import STATS_COLUMNS, covered_to_text, numbered_params, stats_from_row

__all__ = ["ScoreRecords", "set_member_totals", "write_member_stats"]

# A member's total on one leaderboard (:group_id, :period, :member_id), as a FROM clause.
_MEMBER_TOTAL = (
    "FROM score_totals WHERE group_id = :group_id AND period = :period AND member_id = :member_id"
)
_TOTAL_POINTS = f"(SELECT points {_MEMBER_TOTAL})"
_TOTAL_POINTS_AND_HOUR = f"(SELECT points, achieved_at / {SCORE_HOUR} {_MEMBER_TOTAL})"


def _leaderboard_additions(group_id: int, scores: Sequence[ScoreEntry]) -> list[dict[str, Any]]:
    """Return the points each score adds to each leaderboard it counts on (none for 0)."""
    return [
        {
            "group_id": group_id,
            "period": period,
            "member_id": s.member_id,
            "points": s.points,
            "achieved_at": to_micros(s.achieved_at),
        }
        for s in scores
        if s.points > 0
        for period in s.periods
    ]


async def _write_answer_scores(tx: Executor, scores: Sequence[ScoreEntry]) -> None:
    """Write each scored answer's coverage, covered key points and points."""
    await tx.executemany(
        "UPDATE answers SET coverage = :coverage, covered = :covered, points = :points,"
        " attempt = :attempt WHERE id = :id",
        [
            {
                "coverage": s.coverage,
                "covered": covered_to_text(s.covered),
                "points": s.points,
                "attempt": int(s.attempt),
                "id": s.answer_id,
            }
            for s in scores
        ],
    )


async def _leave_places(tx: Executor, additions: Sequence[dict[str, Any]]) -> None:
    """Take the members out of the counts of their current totals' places.

    score_counts holds how many members have each points value, score_hour_counts
    how many have it, by the hour they reached it: both follow score_totals, so a
    member leaves the old place before the total changes and joins the new one after.
    """
    await tx.executemany(
        "UPDATE score_counts SET members = members - 1"
        f" WHERE group_id = :group_id AND period = :period AND points = {_TOTAL_POINTS}",
        additions,
    )
    await tx.executemany(
        "UPDATE score_hour_counts SET members = members - 1"
        " WHERE group_id = :group_id AND period = :period"
        f" AND (points, achieved_hour) = {_TOTAL_POINTS_AND_HOUR}",
        additions,
    )


async def _add_to_totals(tx: Executor, additions: Sequence[dict[str, Any]]) -> None:
    """Add the points to the members' leaderboard totals, reached at the score's time."""
    await tx.executemany(
        "INSERT INTO score_totals (group_id, period, member_id, points, achieved_at)"
        " VALUES (:group_id, :period, :member_id, :points, :achieved_at)"
        " ON CONFLICT (group_id, period, member_id) DO UPDATE"
        " SET points = score_totals.points + excluded.points,"
        " achieved_at = excluded.achieved_at",
        additions,
    )


async def _join_places(tx: Executor, additions: Sequence[dict[str, Any]]) -> None:
    """Count the members in the places (score_counts, score_hour_counts) of their new totals."""
    places = [
        {"group_id": a["group_id"], "period": a["period"], "member_id": a["member_id"]}
        for a in additions
    ]
    await tx.executemany(
        "INSERT INTO score_counts (group_id, period, points, members)"
        f" VALUES (:group_id, :period, {_TOTAL_POINTS}, 1)"
        " ON CONFLICT (group_id, period, points) DO UPDATE"
        " SET members = score_counts.members + 1",
        places,
    )
    await tx.executemany(
        "INSERT INTO score_hour_counts (group_id, period, points, achieved_hour, members)"
        f" SELECT group_id, period, points, achieved_at / {SCORE_HOUR}, 1 {_MEMBER_TOTAL}"
        " ON CONFLICT (group_id, period, points, achieved_hour) DO UPDATE"
        " SET members = score_hour_counts.members + 1",
        places,
    )


async def write_member_stats(tx: Executor, group_id: int, stats: Sequence[MemberStats]) -> None:
    """Write the members' running totals in the group (streaks, rounds, coverage, freezes)."""
    await tx.executemany(
        "INSERT INTO member_stats (group_id, member_id, streak, best_streak, last_seq,"
        " rounds_answered, coverage_sum, freezes, freezes_used) VALUES (:group_id,"
        " :member_id, :streak, :best_streak, :last_seq, :rounds_answered, :coverage_sum,"
        " :freezes, :freezes_used)"
        " ON CONFLICT (group_id, member_id) DO UPDATE SET streak = excluded.streak,"
        " best_streak = excluded.best_streak, last_seq = excluded.last_seq,"
        " rounds_answered = excluded.rounds_answered, coverage_sum = excluded.coverage_sum,"
        " freezes = excluded.freezes, freezes_used = excluded.freezes_used",
        [
            {
                "group_id": group_id,
                "member_id": s.member_id,
                "streak": s.streak,
                "best_streak": s.best_streak,
                "last_seq": s.last_seq,
                "rounds_answered": s.rounds_answered,
                "coverage_sum": s.coverage_sum,
                "freezes": s.freezes,
                "freezes_used": s.freezes_used,
            }
            for s in stats
        ],
    )


async def set_member_totals(
    tx: Executor,
    group_id: int,
    member_id: int,
    totals: Mapping[str, tuple[int, datetime] | None],
) -> None:
    """Set a member's totals on these leaderboards (None: off the board), places kept counted."""
    if not totals:
        return
    keys: list[dict[str, Any]] = [
        {"group_id": group_id, "period": period, "member_id": member_id} for period in totals
    ]
    await _leave_places(tx, keys)
    gone = [k for k, total in zip(keys, totals.values(), strict=True) if total is None]
    if gone:
        await tx.executemany(f"DELETE {_MEMBER_TOTAL}", gone)
    kept = [
        {**k, "points": total[0], "achieved_at": to_micros(total[1])}
        for k, total in zip(keys, totals.values(), strict=True)
        if total is not None
    ]
    if kept:
        await tx.executemany(
            "INSERT INTO score_totals (group_id, period, member_id, points, achieved_at)"
            " VALUES (:group_id, :period, :member_id, :points, :achieved_at)"
            " ON CONFLICT (group_id, period, member_id) DO UPDATE"
            " SET points = excluded.points, achieved_at = excluded.achieved_at",
            kept,
        )
        await _join_places(tx, kept)


async def _save_scores(tx: Executor, result: RoundResult) -> None:
    """Write a round's scores: the answers', the leaderboards' and the members' stats."""
    round_row = await tx.fetchrow(
        "SELECT group_id FROM rounds WHERE id = :id", {"id": result.round_id}
    )
    assert round_row is not None
    group_id = round_row["group_id"]
    if result.scores:
        await _write_answer_scores(tx, result.scores)
    additions = _leaderboard_additions(group_id, result.scores)
    if additions:
        await _leave_places(tx, additions)
        await _add_to_totals(tx, additions)
        await _join_places(tx, additions)
    if result.stats:
        await write_member_stats(tx, group_id, result.stats)
    if result.bridges:
        await tx.executemany(
            "INSERT INTO streak_bridges (group_id, member_id, seq, kind)"
            " VALUES (:group_id, :member_id, :seq, :kind)"
            " ON CONFLICT (group_id, member_id, seq) DO NOTHING",
            [
                {"group_id": group_id, "member_id": b.member_id, "seq": b.seq, "kind": b.kind.value}
                for b in result.bridges
            ],
        )


class ScoreRecords(StoreBase):
    """Scores: what a reveal writes, the leaderboards, and members' stats and history."""

    async def save_round_result(self, result: RoundResult) -> bool:
        """Write a reveal's scores, stats and totals, and mark the round revealed."""
        async with self.db.transaction() as tx:
            done = await tx.execute(
                "UPDATE rounds SET status = 'revealed', category = :category"
                " WHERE id = :id AND status = 'revealing'",
                {"id": result.round_id, "category": result.category},
            )
            if not done:
                return False
            await _save_scores(tx, result)
            # a reminder not sent by the reveal (an early reveal) will never be: close it
            await tx.execute(
                "UPDATE round_reminders SET status = 'skipped'"
                " WHERE round_id = :id AND status = 'due'",
                {"id": result.round_id},
            )
        return True

    async def member_stats(
        self, group_id: int, member_ids: Iterable[int]
    ) -> dict[int, MemberStats]:
        """Return the running totals of these members in a group (missing: none yet)."""
        ids = list(member_ids)
        if not ids:
            return {}
        names, params = numbered_params("member", ids)
        rows = await self.db.fetch(
            f"SELECT {STATS_COLUMNS} FROM member_stats"
            f" WHERE group_id = :group_id AND member_id IN ({names})",
            {"group_id": group_id, **params},
        )
        return {r["member_id"]: stats_from_row(r) for r in rows}

    async def member_history(self, group_id: int, member_id: int) -> list[tuple[str, float, int]]:
        """Return (question id, coverage, points) of a member's real attempts scored in a group."""
        rows = await self.db.fetch(
            "SELECT r.question_id, a.coverage, a.points FROM answers a"
            " JOIN rounds r ON r.id = a.round_id"
            " WHERE r.group_id = :group_id AND a.member_id = :member_id"
            " AND a.points IS NOT NULL AND a.attempt = 1",
            {"group_id": group_id, "member_id": member_id},
        )
        return [(r["question_id"], float(r["coverage"]), int(r["points"])) for r in rows]

    async def top_scores(
        self, group_id: int, period: str, limit: int = 10, offset: int = 0
    ) -> list[Standing]:
        """Return the leaders of a group's leaderboard for a period, skipping the first `offset`."""
        # The page is cut from the ranking index alone; only its members' names are read.
        rows = await self.db.fetch(
            "SELECT s.member_id, m.display_name, s.points FROM (SELECT member_id, points,"
            " achieved_at FROM score_totals WHERE group_id = :group_id AND period = :period"
            " ORDER BY points DESC, achieved_at, member_id LIMIT :limit OFFSET :offset) s"
            " JOIN members m ON m.id = s.member_id"
            " ORDER BY s.points DESC, s.achieved_at, s.member_id",
            {"group_id": group_id, "period": period, "limit": limit, "offset": offset},
        )
        return [
            Standing(offset + i + 1, r["member_id"], r["display_name"], r["points"])
            for i, r in enumerate(rows)
        ]

    async def board_size(self, group_id: int, period: str) -> int:
        """Return how many members are on a group's leaderboard for a period.

        It sums score_counts, so it costs the board's distinct points values, not its members.
        """
        row = await self.db.fetchrow(
            "SELECT COALESCE(SUM(members), 0) AS members FROM score_counts"
            " WHERE group_id = :group_id AND period = :period",
            {"group_id": group_id, "period": period},
        )
        return int(row["members"]) if row is not None else 0

    async def board_figures(
        self,
        group_id: int,
        days: tuple[str, str] | None,
        member_ids: Iterable[int],
        category: str | None = None,
    ) -> dict[int, tuple[int, float]]:
        """Return (rounds answered, coverage sum) of these members in a group's period.

        `days`: the period's first and last local dates; for all time (None) the
        members' running totals. Only real attempts count, as in those totals. A
        period reads its rounds (at most 31) and each member's answer in each.
        `category`: only the rounds of that category (all time: each member's answers).
        """
        ids = sorted(set(member_ids))
        if not ids:
            return {}
        if days is None and category is None:
            stats = await self.member_stats(group_id, ids)
            return {m: (s.rounds_answered, s.coverage_sum) for m, s in stats.items()}
        names, params = numbered_params("member", ids)
        params["group_id"] = group_id
        within = ""
        if days is not None:
            within += " AND r.local_date BETWEEN :first AND :last"
            params.update(first=days[0], last=days[1])
        if category is not None:
            within += " AND r.category = :category"
            params["category"] = category
        rows = await self.db.fetch(
            "SELECT a.member_id, COUNT(*) AS answered, SUM(a.coverage) AS coverage"
            " FROM rounds r JOIN answers a ON a.round_id = r.id"
            f" WHERE r.group_id = :group_id{within}"
            f" AND a.member_id IN ({names}) AND a.points IS NOT NULL AND a.attempt = 1"
            " GROUP BY a.member_id",
            params,
        )
        return {r["member_id"]: (int(r["answered"]), float(r["coverage"])) for r in rows}

    async def standing_of(self, group_id: int, period: str, member_id: int) -> Standing | None:
        """Return a member's place on a group's leaderboard for a period."""
        row = await self.db.fetchrow(
            "SELECT s.points, m.display_name,"
            " (SELECT COALESCE(SUM(c.members), 0) FROM score_counts c WHERE c.group_id ="
            "  s.group_id AND c.period = s.period AND c.points > s.points)"
            " + (SELECT COALESCE(SUM(h.members), 0) FROM score_hour_counts h"
            "  WHERE h.group_id = s.group_id AND h.period = s.period AND h.points = s.points"
            f"  AND h.achieved_hour < s.achieved_at / {SCORE_HOUR})"
            " + (SELECT COUNT(*) FROM score_totals t WHERE t.group_id = s.group_id"
            "  AND t.period = s.period AND t.points = s.points"
            f"  AND t.achieved_at >= s.achieved_at / {SCORE_HOUR} * {SCORE_HOUR}"
            "  AND (t.achieved_at, t.member_id) < (s.achieved_at, s.member_id)) AS ahead"
            " FROM score_totals s JOIN members m ON m.id = s.member_id"
            " WHERE s.group_id = :group_id AND s.period = :period AND s.member_id = :member_id",
            {"group_id": group_id, "period": period, "member_id": member_id},
        )
        if row is None:
            return None
        return Standing(int(row["ahead"]) + 1, member_id, row["display_name"], row["points"])
