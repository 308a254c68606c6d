"""The store's question figures and problem reports.

A round's figures are counted in SQL, per round and stored grade (at most one
row per distinct set of covered key points), so an admin's look at a year of
rounds reads no answer one by one.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import from_micros, to_micros
from bot.content.problem_reports import ProblemReport
from bot.question_figures import RoundTally
from bot.store.base import StoreBase

__all__ = ["QuestionRecords"]


class QuestionRecords(StoreBase):
    """How a group's revealed rounds went, and what members reported about questions."""

    async def round_tallies(self, group_id: int, since: date) -> list[RoundTally]:
        """Return each round of the group revealed with a date from `since` on, newest first.

        Each with its on-time, scored answers counted per stored grade.
        """
        rows = await self.db.fetch(
            "SELECT r.id, r.local_date, r.question_id, a.covered, COUNT(a.id) AS answers,"
            " SUM(a.coverage) AS coverage FROM rounds r LEFT JOIN answers a"
            " ON a.round_id = r.id AND a.late = 0 AND a.covered IS NOT NULL"
            " WHERE r.group_id = :group_id AND r.revealed_at IS NOT NULL"
            " AND r.local_date >= :since"
            " GROUP BY r.id, r.local_date, r.question_id, a.covered"
            " ORDER BY r.local_date DESC, r.id",
            {"group_id": group_id, "since": since.isoformat()},
        )
        tallies: dict[int, RoundTally] = {}
        for row in rows:
            tally = tallies.get(row["id"])
            if tally is None:
                tally = RoundTally(
                    row["id"], date.fromisoformat(row["local_date"]), row["question_id"], 0, 0.0, {}
                )
                tallies[row["id"]] = tally
            answers = int(row["answers"])
            if answers:
                covered = dict(tally.covered)
                covered[row["covered"]] = answers
                tallies[row["id"]] = RoundTally(
                    tally.round_id,
                    tally.local_date,
                    tally.question_id,
                    tally.on_time + answers,
                    tally.coverage_sum + float(row["coverage"] or 0.0),
                    covered,
                )
        return list(tallies.values())

    async def active_members(self, group_id: int, since: date) -> int:
        """Return how many members answered (on time or late) a round revealed since `since`."""
        row = await self.db.fetchrow(
            "SELECT COUNT(DISTINCT a.member_id) AS n FROM answers a"
            " JOIN rounds r ON r.id = a.round_id WHERE r.group_id = :group_id"
            " AND r.revealed_at IS NOT NULL AND r.local_date >= :since",
            {"group_id": group_id, "since": since.isoformat()},
        )
        return int(row["n"]) if row else 0

    async def save_report(
        self, round_id: int, member_id: int, question_id: str, note: str, now: datetime
    ) -> bool:
        """Record a member's report on a round's question; True if it replaced their earlier one."""
        params = {
            "round_id": round_id,
            "member_id": member_id,
            "question_id": question_id,
            "note": note,
            "now": to_micros(now),
        }
        async with self.db.transaction() as tx:
            earlier = await tx.fetchrow(
                "SELECT id FROM problem_reports WHERE round_id = :round_id"
                " AND member_id = :member_id",
                params,
            )
            await tx.execute(
                "INSERT INTO problem_reports (round_id, member_id, question_id, note, reported_at)"
                " VALUES (:round_id, :member_id, :question_id, :note, :now)"
                " ON CONFLICT (round_id, member_id) DO UPDATE SET note = excluded.note,"
                " question_id = excluded.question_id, reported_at = excluded.reported_at",
                params,
            )
        return earlier is not None

    async def problem_reports(self) -> list[ProblemReport]:
        """Return every report on a question, newest first."""
        rows = await self.db.fetch(
            "SELECT p.question_id, r.local_date, p.reported_at, p.note FROM problem_reports p"
            " JOIN rounds r ON r.id = p.round_id ORDER BY p.reported_at DESC, p.id DESC"
        )
        return [
            ProblemReport(
                r["question_id"],
                date.fromisoformat(r["local_date"]),
                from_micros(r["reported_at"]),
                r["note"],
            )
            for r in rows
        ]
