"""The store's practice: members' attempts at practice questions and their review schedule."""

from __future__ import annotations

import json
from datetime import datetime

from bot.clock import from_micros, to_micros
from bot.records import PracticeAttempt, PracticeSummary, Review, ReviewRating
from bot.store.base import StoreBase
from bot.store.database import Executor
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
        rating: ReviewRating | None = None,
    ) -> None:
        """Record a practice answer (or a give-up), the question's next review and its rating."""
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
                await _save_review(tx, member_id, review)
            if rating is not None:
                await tx.execute(
                    "INSERT INTO practice_ratings (attempt_id, member_id, question_id, coverage,"
                    " rating, reviewed_at, review_before) VALUES (:attempt_id, :member_id,"
                    " :question_id, :coverage, :rating, :reviewed_at, :review_before)",
                    {
                        "attempt_id": rating.attempt_id,
                        "member_id": rating.member_id,
                        "question_id": rating.question_id,
                        "coverage": rating.coverage,
                        "rating": rating.rating,
                        "reviewed_at": to_micros(rating.reviewed_at),
                        "review_before": _review_json(rating.before),
                    },
                )

    async def review_rating(self, attempt_id: int) -> ReviewRating | None:
        """Return how the member rated one practice attempt (None: not rated)."""
        row = await self.db.fetchrow(
            "SELECT attempt_id, member_id, question_id, coverage, rating, reviewed_at,"
            " review_before FROM practice_ratings WHERE attempt_id = :id",
            {"id": attempt_id},
        )
        if row is None:
            return None
        return ReviewRating(
            row["attempt_id"],
            row["member_id"],
            row["question_id"],
            row["coverage"],
            row["rating"],
            from_micros(row["reviewed_at"]),
            _review_from_json(row["question_id"], row["review_before"]),
        )

    async def rerate(self, rating: ReviewRating, review: Review) -> bool:
        """Change an attempt's rating and the review it gave; False if reviewed again since.

        Only while the question's card is still the one that attempt made (its last
        review is the attempt's) can its rating change.
        """
        async with self.db.transaction() as tx:
            lock = " FOR UPDATE" if self.db.dialect == "postgresql" else ""
            row = await tx.fetchrow(
                "SELECT last_review_at FROM practice_reviews"
                " WHERE member_id = :member_id AND question_id = :question_id" + lock,
                {"member_id": rating.member_id, "question_id": rating.question_id},
            )
            if row is None or row["last_review_at"] != to_micros(rating.reviewed_at):
                return False
            await tx.execute(
                "UPDATE practice_ratings SET rating = :rating WHERE attempt_id = :id",
                {"rating": rating.rating, "id": rating.attempt_id},
            )
            await _save_review(tx, rating.member_id, review)
        return True

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

    async def practice_summary(
        self, member_id: int, today_end: datetime, week_end: datetime
    ) -> PracticeSummary:
        """Return how much a member has practised, and how many reviews are due.

        Due today: before `today_end`; due this week: before `week_end`.
        """
        row = await self.db.fetchrow(
            "SELECT COUNT(*) AS n, COUNT(answered_at) AS answered, AVG(coverage) AS avg,"
            " (SELECT COUNT(*) FROM practice_reviews WHERE member_id = :member_id"
            " AND due_at < :today) AS today,"
            " (SELECT COUNT(*) FROM practice_reviews WHERE member_id = :member_id"
            " AND due_at < :week) AS week FROM practice_attempts WHERE member_id = :member_id",
            {"member_id": member_id, "today": to_micros(today_end), "week": to_micros(week_end)},
        )
        assert row is not None  # an aggregate always returns its row
        average = None if row["avg"] is None else float(row["avg"])
        return PracticeSummary(
            int(row["n"]), int(row["answered"]), average, int(row["today"]), int(row["week"])
        )


async def _save_review(tx: Executor, member_id: int, review: Review) -> None:
    """Write a question's card in a member's review schedule."""
    await tx.execute(
        "INSERT INTO practice_reviews (member_id, question_id, due_at, attempts, best_coverage,"
        " state, step, stability, difficulty, last_review_at) VALUES (:member_id,"
        " :question_id, :due_at, :attempts, :best_coverage, :state, :step, :stability,"
        " :difficulty, :last_review_at) ON CONFLICT (member_id, question_id) DO UPDATE SET"
        " due_at = excluded.due_at, attempts = excluded.attempts,"
        " best_coverage = excluded.best_coverage, state = excluded.state, step = excluded.step,"
        " stability = excluded.stability, difficulty = excluded.difficulty,"
        " last_review_at = excluded.last_review_at",
        {
            "member_id": member_id,
            "question_id": review.question_id,
            "due_at": to_micros(review.due_at),
            "attempts": review.attempts,
            "best_coverage": review.best_coverage,
            "state": review.state,
            "step": review.step,
            "stability": review.stability,
            "difficulty": review.difficulty,
            "last_review_at": _micros_or_none(review.last_review_at),
        },
    )


def _micros_or_none(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)


def _review_json(review: Review | None) -> str | None:
    """Return a card as JSON (the question id is stored beside it)."""
    if review is None:
        return None
    return json.dumps(
        {
            "due_at": to_micros(review.due_at),
            "attempts": review.attempts,
            "best_coverage": review.best_coverage,
            "state": review.state,
            "step": review.step,
            "stability": review.stability,
            "difficulty": review.difficulty,
            "last_review_at": _micros_or_none(review.last_review_at),
        }
    )


def _review_from_json(question_id: str, text: str | None) -> Review | None:
    if text is None:
        return None
    data = json.loads(text)
    last = data["last_review_at"]
    return Review(
        question_id,
        from_micros(data["due_at"]),
        data["attempts"],
        data["best_coverage"],
        state=data["state"],
        step=data["step"],
        stability=data["stability"],
        difficulty=data["difficulty"],
        last_review_at=None if last is None else from_micros(last),
    )
