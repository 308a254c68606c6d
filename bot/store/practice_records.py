"""The store's practice: members' attempts at practice questions and their review schedule."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_micros
from bot.store.base import StoreBase
from bot.store.records import PracticeAttempt, PracticeSummary, Review
from bot.store.rows import ATTEMPT_COLUMNS, REVIEW_COLUMNS, attempt_from_row, review_from_row

__all__ = ["PracticeRecords"]


class PracticeRecords(StoreBase):
    """Practice: the attempts members make, and when each question is due for review."""

    async def start_practice(
        self, member_id: int, group_id: int | None, question_id: str, now: datetime
    ) -> PracticeAttempt:
        """Record that a member took a practice question, in place of one left unfinished.

        Only the latest attempt can still be answered, so an earlier unfinished
        one is history nobody reads: asking again and again keeps one row.
        """
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM practice_attempts WHERE member_id = :member_id"
                " AND answered_at IS NULL AND revealed = 0",
                {"member_id": member_id},
            )
            row = await tx.fetchrow(
                "INSERT INTO practice_attempts (member_id, group_id, question_id, started_at)"
                " VALUES (:member_id, :group_id, :question_id, :started_at)"
                f" RETURNING {ATTEMPT_COLUMNS}",
                {
                    "member_id": member_id,
                    "group_id": group_id,
                    "question_id": question_id,
                    "started_at": to_micros(now),
                },
            )
        assert row is not None
        return attempt_from_row(row)

    async def latest_practice(self, member_id: int) -> PracticeAttempt | None:
        """Return the member's most recent practice question."""
        row = await self.db.fetchrow(
            f"SELECT {ATTEMPT_COLUMNS} FROM practice_attempts WHERE member_id = :member_id"
            " ORDER BY started_at DESC, id DESC LIMIT 1",
            {"member_id": member_id},
        )
        return None if row is None else attempt_from_row(row)

    async def practice_hinted(self, attempt_id: int) -> None:
        """Record that the member asked for the hint."""
        await self.db.execute(
            "UPDATE practice_attempts SET hinted = 1 WHERE id = :id", {"id": attempt_id}
        )

    async def finish_practice(
        self,
        attempt_id: int,
        now: datetime,
        coverage: float | None,
        review: Review | None,
        member_id: int,
    ) -> None:
        """Record a practice answer (or a give-up) and the question's next review."""
        async with self.db.transaction() as tx:
            if coverage is None:
                await tx.execute(
                    "UPDATE practice_attempts SET revealed = 1 WHERE id = :id", {"id": attempt_id}
                )
            else:
                await tx.execute(
                    "UPDATE practice_attempts SET answered_at = :answered_at,"
                    " coverage = :coverage WHERE id = :id",
                    {"answered_at": to_micros(now), "coverage": coverage, "id": attempt_id},
                )
            if review is not None:
                await tx.execute(
                    "INSERT INTO practice_reviews (member_id, question_id, box, due_at, attempts,"
                    " best_coverage) VALUES (:member_id, :question_id, :box, :due_at,"
                    " :attempts, :best_coverage)"
                    " ON CONFLICT (member_id, question_id) DO UPDATE SET box = excluded.box,"
                    " due_at = excluded.due_at, attempts = excluded.attempts,"
                    " best_coverage = excluded.best_coverage",
                    {
                        "member_id": member_id,
                        "question_id": review.question_id,
                        "box": review.box,
                        "due_at": to_micros(review.due_at),
                        "attempts": review.attempts,
                        "best_coverage": review.best_coverage,
                    },
                )

    async def review(self, member_id: int, question_id: str) -> Review | None:
        """Return where one question stands in a member's review schedule."""
        row = await self.db.fetchrow(
            f"SELECT {REVIEW_COLUMNS} FROM practice_reviews"
            " WHERE member_id = :member_id AND question_id = :question_id",
            {"member_id": member_id, "question_id": question_id},
        )
        return None if row is None else review_from_row(row)

    async def reviews(self, member_id: int) -> dict[str, Review]:
        """Return the member's review schedule, by question id."""
        rows = await self.db.fetch(
            f"SELECT {REVIEW_COLUMNS} FROM practice_reviews WHERE member_id = :member_id",
            {"member_id": member_id},
        )
        return {r["question_id"]: review_from_row(r) for r in rows}

    async def questions_held_back(
        self, member_id: int, platform: str, workspace_id: str, revealed_since: datetime
    ) -> set[str]:
        """Return the questions practice must not give a member now.

        Those of rounds not yet revealed, and of rounds revealed after
        `revealed_since`, in the groups of the member's workspace and in every
        group the member has answered in.
        """
        rows = await self.db.fetch(
            "SELECT DISTINCT r.question_id FROM rounds r JOIN groups g ON g.id = r.group_id"
            " WHERE (r.status IN ('posting', 'retry', 'open', 'revealing')"
            " OR (r.status = 'revealed' AND r.revealed_at > :revealed_since))"
            " AND ((g.platform = :platform AND g.workspace_id = :workspace_id)"
            " OR g.id IN (SELECT answered.group_id FROM answers a"
            " JOIN rounds answered ON answered.id = a.round_id"
            " WHERE a.member_id = :member_id))",
            {
                "member_id": member_id,
                "platform": platform,
                "workspace_id": workspace_id,
                "revealed_since": to_micros(revealed_since),
            },
        )
        return {r["question_id"] for r in rows if r["question_id"]}

    async def practice_summary(self, member_id: int, now: datetime) -> PracticeSummary:
        """Return how much a member has practised, and how many reviews are due."""
        row = await self.db.fetchrow(
            "SELECT COUNT(*) AS n, COUNT(answered_at) AS answered, AVG(coverage) AS avg,"
            " (SELECT COUNT(*) FROM practice_reviews WHERE member_id = :member_id"
            " AND due_at <= :now) AS due FROM practice_attempts WHERE member_id = :member_id",
            {"member_id": member_id, "now": to_micros(now)},
        )
        assert row is not None  # an aggregate always returns its row
        average = None if row["avg"] is None else float(row["avg"])
        return PracticeSummary(int(row["n"]), int(row["answered"]), average, int(row["due"]))
