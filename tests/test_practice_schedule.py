from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.records import Review
from bot.review_schedule import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    REVIEW_STATE,
    due_windows,
    next_review,
    suggested_rating,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_coverage_suggests_again_hard_good_or_easy_at_three_six_and_nine_tenths() -> None:
    assert suggested_rating(None) == AGAIN  # asked for the answer without answering
    assert [suggested_rating(c) for c in (0.0, 0.2999, 0.3, 0.5999, 0.6)] == [
        AGAIN,
        AGAIN,
        HARD,
        HARD,
        GOOD,
    ]
    assert [suggested_rating(c) for c in (0.8999, 0.9, 1.0)] == [GOOD, EASY, EASY]


def test_a_new_question_comes_back_in_days_by_its_rating() -> None:
    days = [(next_review(None, "q", 0.5, r, NOW).due_at - NOW).days for r in (1, 2, 3, 4)]
    assert days == [1, 1, 2, 8]  # FSRS-6's default parameters, no learning steps
    first = next_review(None, "q", 0.5, GOOD, NOW)
    assert (first.state, first.step, first.last_review_at) == (REVIEW_STATE, None, NOW)
    assert first.stability is not None and first.difficulty is not None
    assert (first.attempts, first.best_coverage, first.question_id) == (1, 0.5, "q")


def test_good_recalls_stretch_the_interval_and_a_lapse_shortens_it() -> None:
    review = next_review(None, "q", 0.7, GOOD, NOW)
    gaps = []
    for _ in range(4):
        previous = review
        review = next_review(review, "q", 0.7, GOOD, review.due_at)
        gaps.append(review.due_at - previous.due_at)
    assert gaps == sorted(gaps) and gaps[0] < gaps[-1]
    lapse = next_review(review, "q", 0.1, AGAIN, review.due_at)
    assert lapse.due_at - review.due_at < gaps[-1] / 10  # forgotten: back within days
    assert lapse.stability is not None and review.stability is not None
    assert lapse.stability < review.stability
    assert (lapse.attempts, lapse.best_coverage) == (6, 0.7)


def test_a_migrated_leitner_card_keeps_its_footing() -> None:
    """Box 3 (4 days), reviewed on time and recalled Good: FSRS stretches it past 4 days."""
    box3 = Review("q", NOW, 3, 0.8, REVIEW_STATE, None, 4.0, 5.0, NOW - timedelta(days=4))
    good = next_review(box3, "q", 0.8, GOOD, NOW)
    assert good.due_at - NOW > timedelta(days=4)
    assert next_review(box3, "q", 0.0, AGAIN, NOW).due_at - NOW == timedelta(days=1)


def test_a_review_without_a_memory_model_counts_as_a_new_card() -> None:
    bare = Review("q", NOW, 2, 0.4)  # no stability nor difficulty
    assert (
        next_review(bare, "q", 0.5, GOOD, NOW).due_at
        == next_review(None, "q", 0.5, GOOD, NOW).due_at
    )


def test_today_and_the_week_end_at_the_zones_midnights() -> None:
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already 2 December in Berlin
    today, week = due_windows(late, "Europe/Berlin")
    assert today == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    assert week == datetime(2026, 12, 8, 23, 0, tzinfo=UTC)
    assert due_windows(late, "UTC")[0] == datetime(2026, 12, 2, tzinfo=UTC)


coverages = st.one_of(st.none(), st.floats(0.0, 1.0, allow_nan=False))
ratings = st.sampled_from([AGAIN, HARD, GOOD, EASY])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(coverages, ratings, st.integers(0, 40)), min_size=1, max_size=10))
def test_any_run_of_reviews_stays_in_whole_days_ahead_and_counts_attempts(
    run: list[tuple[float | None, int, int]],
) -> None:
    """Each review is due a whole number of days (at least one) after it; a better
    rating of the same card is never due sooner."""
    review: Review | None = None
    now = NOW
    for number, (coverage, rating, late_days) in enumerate(run, start=1):
        now = (review.due_at if review else now) + timedelta(days=late_days)
        after = next_review(review, "q", coverage, rating, now)
        gap = after.due_at - now
        assert gap >= timedelta(days=1) and gap % timedelta(days=1) == timedelta()
        assert after.state == REVIEW_STATE and after.step is None
        assert after.attempts == number and after.last_review_at == now
        dues = [next_review(review, "q", coverage, r, now).due_at for r in (1, 2, 3, 4)]
        assert dues == sorted(dues)
        review = after
    assert review is not None
    assert review.best_coverage == max(c or 0.0 for c, _, _ in run)
