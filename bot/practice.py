"""On-demand practice: a private question, its hint and answer, and a review schedule.

After each answer or reveal the member rates their recall (Again, Hard, Good,
Easy), the rating their coverage suggests standing until they press another;
FSRS (`bot.review_schedule`) says when the question comes back. `/review` gives
the questions due, the longest overdue first.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from bot import messages
from bot import practice_messages as words
from bot.clock import Clock
from bot.command_refs import mention
from bot.content.bank import QuestionBank
from bot.grading import Coverage, grade
from bot.markup import answer_body
from bot.model import ChannelRef, MemberRef, Question
from bot.records import PracticeAttempt, Review, ReviewRating
from bot.replies import Reply
from bot.review_schedule import RATING_NAMES, next_review, suggested_rating
from bot.store_ports import PracticeStore

__all__ = ["HOLD_BACK", "PracticeService"]

# Practice never gives a daily question before its reveal, nor for this long after it.
HOLD_BACK = timedelta(days=3)


class PracticeService:
    """Practice questions for one member at a time."""

    def __init__(self, store: PracticeStore, bank: QuestionBank, clock: Clock) -> None:
        self._store = store
        self._bank = bank
        self._clock = clock

    async def start(
        self,
        member: MemberRef,
        place: ChannelRef,
        group_id: int | None,
        category: str | None,
        difficulty: str | None,
    ) -> Reply:
        """Give the member a practice question: one due for review first, else a new one.

        A question that is a daily question in one of the member's groups is
        never given before its reveal, nor in the days after it (`HOLD_BACK`).
        """
        matching = self._bank.select(
            [category] if category else [], [difficulty] if difficulty else []
        )
        if not matching:
            return messages.error("No question matches that category and difficulty.")
        member_id = await self._store.member_id(member)
        now = self._clock.now()
        held_back = await self._held_back(member_id, place)
        candidates = [q for q in matching if q.id not in held_back]
        if not candidates:
            return messages.error(
                "Every question that matches is a daily question in your groups right now "
                "(or was in the last few days). Try another category or difficulty."
            )
        reviews = await self._store.reviews(member_id)
        question, due = self._choose(candidates, reviews, now, member_id)
        await self._store.start_practice(member_id, group_id, question.id, now)
        return messages.practice_card(question, due)

    @staticmethod
    def _choose(
        candidates: list[Question], reviews: dict[str, Review], now: datetime, member_id: int
    ) -> tuple[Question, bool]:
        due = [q for q in candidates if q.id in reviews and reviews[q.id].due_at <= now]
        if due:
            due.sort(key=lambda q: (reviews[q.id].due_at, q.id))
            return due[0], True
        fresh = [q for q in candidates if q.id not in reviews]
        if fresh:
            rng = random.Random(f"{member_id}:{len(reviews)}")
            return rng.choice(fresh), False
        soonest = min(candidates, key=lambda q: (reviews[q.id].due_at, q.id))
        return soonest, False

    async def _held_back(
        self, member_id: int, place: ChannelRef, hold_back: timedelta = HOLD_BACK
    ) -> set[str]:
        return await self._store.questions_held_back(
            member_id, place.platform, place.workspace_id, self._clock.now() - hold_back
        )

    async def _active(
        self, member: MemberRef, place: ChannelRef
    ) -> tuple[int, PracticeAttempt, Question] | Reply | None:
        """Return the member's open practice question, or why it cannot be helped with now."""
        member_id = await self._store.member_id(member)
        attempt = await self._store.latest_practice(member_id)
        if attempt is None or attempt.finished:
            return None
        question = self._bank.get(attempt.question_id)
        if question is None:
            return None
        # Taken before it became a daily question: no hint or answer until that reveal.
        if question.id in await self._held_back(member_id, place, timedelta()):
            return messages.error(
                "Your practice question is now a daily question in one of your groups, so "
                f"its hint and answer wait for that round's reveal. Try {mention('practice')} "
                "for another."
            )
        return member_id, attempt, question

    async def hint(self, member: MemberRef, place: ChannelRef) -> Reply | None:
        """Return the hint of the member's open practice question, if they have one."""
        active = await self._active(member, place)
        if active is None or isinstance(active, Reply):
            return active
        _, attempt, question = active
        await self._store.practice_hinted(attempt.id)
        return messages.hint_reply(question, for_practice=True)

    async def answer(self, member: MemberRef, place: ChannelRef, text: str, timezone: str) -> Reply:
        """Grade the member's answer to their practice question and show the answer."""
        body = answer_body(text)
        problem = messages.answer_text_problem(body)
        if problem is not None:
            return problem
        active = await self._active(member, place)
        if active is None:
            return messages.no_practice_question()
        if isinstance(active, Reply):
            return active
        member_id, attempt, question = active
        coverage = grade(body, question.key_points, question.prompt)
        return await self._finish(member_id, attempt, question, coverage, timezone)

    async def reveal(self, member: MemberRef, place: ChannelRef, timezone: str) -> Reply:
        """Show the answer of the member's practice question (it comes back tomorrow)."""
        active = await self._active(member, place)
        if active is None:
            return messages.no_practice_question()
        if isinstance(active, Reply):
            return active
        member_id, attempt, question = active
        return await self._finish(member_id, attempt, question, None, timezone)

    async def _finish(
        self,
        member_id: int,
        attempt: PracticeAttempt,
        question: Question,
        coverage: Coverage | None,
        timezone: str,
    ) -> Reply:
        now = self._clock.now()
        ratio = None if coverage is None else coverage.ratio
        previous = await self._store.review(member_id, question.id)
        rating = suggested_rating(ratio)
        review = next_review(previous, question.id, ratio, rating, now)
        rated = ReviewRating(attempt.id, member_id, question.id, ratio, rating, now, previous)
        await self._store.finish_practice(attempt.id, now, ratio, review, member_id, rated)
        result = messages.practice_result(question, coverage, review.due_at, timezone)
        return words.with_rating_buttons(result, attempt.id, rating, review.due_at, timezone)

    async def rate(self, member: MemberRef, value: str, timezone: str) -> Reply:
        """Take a member's recall rating of a practice attempt (`<attempt id>:<rating>`).

        The question is scheduled again from its card before that attempt, as if
        the member had rated it so then; pressing the suggested rating changes nothing.
        """
        attempt_text, _, rating_text = value.partition(":")
        member_id = await self._store.member_id(member)
        if not (attempt_text.isdigit() and rating_text.isdigit()):
            return messages.error("That rating button is not one of yours.")
        rated = await self._store.review_rating(int(attempt_text))
        rating = int(rating_text)
        if rated is None or rated.member_id != member_id or rating not in RATING_NAMES:
            return messages.error("That rating button is not one of yours.")
        review = next_review(
            rated.before, rated.question_id, rated.coverage, rating, rated.reviewed_at
        )
        if rating != rated.rating:
            changed = replace(rated, rating=rating)
            if not await self._store.rerate(changed, review):
                return words.rating_too_late()
        now = self._clock.now()
        reviews = await self._store.reviews(member_id)
        due_now = sum(r.due_at <= now for r in reviews.values())
        return words.rated(rating, review.due_at, timezone, due_now)

    async def review(
        self, member: MemberRef, place: ChannelRef, group_id: int | None, timezone: str
    ) -> Reply:
        """Give the member the review due the longest (oldest due first), one at a time."""
        member_id = await self._store.member_id(member)
        now = self._clock.now()
        reviews = await self._store.reviews(member_id)
        held_back = await self._held_back(member_id, place)
        waiting = sorted(
            (r for r in reviews.values() if r.question_id not in held_back),
            key=lambda r: (r.due_at, r.question_id),
        )
        due = [r for r in waiting if r.due_at <= now and self._bank.get(r.question_id)]
        if not due:
            if any(r.due_at <= now for r in reviews.values() if r.question_id in held_back):
                return words.reviews_held_back()
            return words.no_reviews_due(waiting[0].due_at if waiting else None, timezone)
        question = self._bank.get(due[0].question_id)
        assert question is not None
        await self._store.start_practice(member_id, group_id, question.id, now)
        return words.review_card(messages.practice_card(question, True), len(due))
