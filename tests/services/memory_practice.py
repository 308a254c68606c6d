"""The in-memory store's practice (as `bot.store.practice_records`): attempts, reviews."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.records import PracticeAttempt, PracticeSummary, Review, ReviewRating
from tests.services.memory_base import MemoryBase

__all__ = ["MemoryPractice"]


class MemoryPractice(MemoryBase):
    """Practice attempts (the latest one answerable) and members' review schedules."""

    async def questions_held_back(
        self, member_id: int, platform: str, workspace_id: str, revealed_since: datetime
    ) -> set[str]:
        """Return the questions a test put in `held_back`."""
        return set(self.held_back)

    async def reviews(self, member_id: int) -> dict[str, Review]:
        """Return the member's review schedule, by question id."""
        return {q: r for (m, q), r in self.review_rows.items() if m == member_id}

    async def review(self, member_id: int, question_id: str) -> Review | None:
        """Return where one question stands in a member's review schedule."""
        return self.review_rows.get((member_id, question_id))

    async def start_practice(
        self, member_id: int, group_id: int | None, question_id: str, now: datetime
    ) -> PracticeAttempt:
        """Record a practice question, in place of the member's unfinished one."""
        self.attempts = {
            k: a for k, a in self.attempts.items() if a.member_id != member_id or a.finished
        }
        attempt_id = max(self.attempts, default=99) + 1
        attempt = PracticeAttempt(attempt_id, member_id, question_id, now, False, False, None, None)
        self.attempts[attempt.id] = attempt
        return attempt

    async def latest_practice(self, member_id: int) -> PracticeAttempt | None:
        """Return the member's most recent practice question."""
        mine = [a for a in self.attempts.values() if a.member_id == member_id]
        return max(mine, key=lambda a: (a.started_at, a.id)) if mine else None

    async def practice_hinted(self, attempt_id: int) -> None:
        """Record that the member asked for the hint."""
        self.attempts[attempt_id] = replace(self.attempts[attempt_id], hinted=True)

    async def finish_practice(
        self,
        attempt_id: int,
        now: datetime,
        coverage: float | None,
        review: Review | None,
        member_id: int,
        rating: ReviewRating | None = None,
    ) -> None:
        """Record a practice answer (or, without coverage, a give-up), next review and rating."""
        attempt = self.attempts[attempt_id]
        if coverage is None:
            self.attempts[attempt_id] = replace(attempt, revealed=True)
        else:
            self.attempts[attempt_id] = replace(attempt, answered_at=now, coverage=coverage)
        if review is not None:
            self.review_rows[(member_id, review.question_id)] = review
        if rating is not None:
            self.ratings[rating.attempt_id] = rating

    async def review_rating(self, attempt_id: int) -> ReviewRating | None:
        """Return how the member rated one practice attempt (None: not rated)."""
        return self.ratings.get(attempt_id)

    async def rerate(self, rating: ReviewRating, review: Review) -> bool:
        """Change an attempt's rating and its review, unless the question was reviewed since."""
        key = (rating.member_id, rating.question_id)
        current = self.review_rows.get(key)
        if current is None or current.last_review_at != rating.reviewed_at:
            return False
        self.ratings[rating.attempt_id] = rating
        self.review_rows[key] = review
        return True

    async def practice_summary(
        self, member_id: int, today_end: datetime, week_end: datetime
    ) -> PracticeSummary:
        """Return how much a member has practised, and how many reviews are due before each end."""
        mine = [a for a in self.attempts.values() if a.member_id == member_id]
        coverages = [a.coverage for a in mine if a.coverage is not None]
        due = [r.due_at for (m, _), r in self.review_rows.items() if m == member_id]
        return PracticeSummary(
            attempts=len(mine),
            answered=sum(a.answered_at is not None for a in mine),
            average_coverage=sum(coverages) / len(coverages) if coverages else None,
            due_today=sum(d < today_end for d in due),
            due_week=sum(d < week_end for d in due),
        )
