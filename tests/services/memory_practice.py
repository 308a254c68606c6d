"""The in-memory store's practice (as `bot.store.practice_records`): attempts, reviews."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.store.records import PracticeAttempt, PracticeSummary, Review
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
    ) -> None:
        """Record a practice answer (or, without coverage, a give-up) and the next review."""
        attempt = self.attempts[attempt_id]
        if coverage is None:
            self.attempts[attempt_id] = replace(attempt, revealed=True)
        else:
            self.attempts[attempt_id] = replace(attempt, answered_at=now, coverage=coverage)
        if review is not None:
            self.review_rows[(member_id, review.question_id)] = review

    async def practice_summary(self, member_id: int, now: datetime) -> PracticeSummary:
        """Return how much a member has practised, and how many reviews are due by `now`."""
        mine = [a for a in self.attempts.values() if a.member_id == member_id]
        coverages = [a.coverage for a in mine if a.coverage is not None]
        due = [r for (m, _), r in self.review_rows.items() if m == member_id and r.due_at <= now]
        return PracticeSummary(
            attempts=len(mine),
            answered=sum(a.answered_at is not None for a in mine),
            average_coverage=sum(coverages) / len(coverages) if coverages else None,
            due_reviews=len(due),
        )
