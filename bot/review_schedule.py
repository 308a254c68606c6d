"""The review schedule of practice: FSRS (the scheduler Anki uses), through the `fsrs` package.

After each practice answer or reveal the member rates their recall: Again, Hard,
Good or Easy. The rating their coverage suggests stands until they press
another, so a review is never lost. FSRS turns the rating and the question's
card (its stability and difficulty) into the next review date.

Practice works in days, not minutes: the scheduler has no learning steps, so
every rated question is due again in a whole number of days (at least one),
as with the Leitner boxes it replaced. Intervals are not fuzzed, so a schedule
is the same on every replica and in every test.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.records import Review

if TYPE_CHECKING:
    from fsrs import Card, Scheduler

__all__ = [
    "AGAIN",
    "EASY",
    "GOOD",
    "HARD",
    "RATING_NAMES",
    "REVIEW_STATE",
    "due_windows",
    "next_review",
    "suggested_rating",
]

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}
REVIEW_STATE = 2  # FSRS's State.Review
# The coverage under which each rating is suggested (Easy from 0.9 up).
_SUGGESTED = ((0.3, AGAIN), (0.6, HARD), (0.9, GOOD))


def suggested_rating(coverage: float | None) -> int:
    """Return the rating a coverage suggests: < 0.3 Again, < 0.6 Hard, < 0.9 Good, else Easy.

    No coverage (the member asked for the answer without answering) is Again.
    """
    if coverage is None:
        return AGAIN
    for limit, rating in _SUGGESTED:
        if coverage < limit:
            return rating
    return EASY


@cache
def _scheduler() -> Scheduler:
    # Imported here, not at start-up: only practice needs it.
    from fsrs import Scheduler

    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _card(review: Review | None) -> Card:
    from fsrs import Card, State

    if review is None or review.stability is None or review.difficulty is None:
        return Card(card_id=0)  # never rated: a new card
    last = review.last_review_at
    return Card(
        card_id=0,
        state=State(review.state),
        step=review.step,
        stability=review.stability,
        difficulty=review.difficulty,
        due=review.due_at.astimezone(UTC),
        last_review=None if last is None else last.astimezone(UTC),
    )


def next_review(
    previous: Review | None, question_id: str, coverage: float | None, rating: int, now: datetime
) -> Review:
    """Return a question's card after the member rated their recall of it at `now`."""
    from fsrs import Rating

    card, _ = _scheduler().review_card(_card(previous), Rating(rating), now.astimezone(UTC))
    attempts = (previous.attempts if previous else 0) + 1
    best = max(previous.best_coverage if previous else 0.0, coverage or 0.0)
    return Review(
        question_id,
        card.due,
        attempts,
        best,
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        last_review_at=card.last_review,
    )


def due_windows(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """Return the ends of "today" and of "the week" (seven days, today included) in a zone."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()

    def midnight(days: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(), tzinfo=zone).astimezone(UTC)

    return midnight(1), midnight(7)
