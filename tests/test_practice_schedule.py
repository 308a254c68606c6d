from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.practice import BOX_DAYS, next_review

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_good_answers_climb_boxes_and_poor_ones_start_over() -> None:
    r = next_review(None, "q", 0.9, NOW)
    assert (r.box, r.due_at, r.attempts) == (2, NOW + timedelta(days=BOX_DAYS[1]), 1)
    r = next_review(r, "q", 1.0, NOW)
    assert r.box == 3
    r = next_review(r, "q", 0.6, NOW)  # fair: stays
    assert r.box == 3 and r.best_coverage == 1.0
    r = next_review(r, "q", 0.2, NOW)
    assert (r.box, r.due_at) == (1, NOW + timedelta(days=1))
    r = next_review(r, "q", None, NOW)  # gave up: back to box 1
    assert r.box == 1 and r.attempts == 5
    for _ in range(10):
        r = next_review(r, "q", 1.0, NOW)
    assert r.box == len(BOX_DAYS)


def test_the_coverage_boundaries_are_fair_at_half_and_good_at_four_fifths() -> None:
    third = next_review(None, "q", 1.0, NOW)
    third = next_review(third, "q", 1.0, NOW)
    assert third.box == 3
    assert next_review(third, "q", 0.5, NOW).box == 3  # exactly fair: stays
    assert next_review(third, "q", 0.4999, NOW).box == 1
    assert next_review(third, "q", 0.8, NOW).box == 4  # exactly good: climbs
    assert next_review(third, "q", 0.7999, NOW).box == 3


def test_the_best_coverage_of_a_first_attempt_is_that_attempts() -> None:
    assert next_review(None, "q", 0.3, NOW).best_coverage == 0.3
    assert next_review(None, "q", None, NOW).best_coverage == 0.0  # gave up: nothing yet


coverages = st.one_of(
    st.none(), st.sampled_from([0.0, 0.5, 0.8, 1.0]), st.floats(0.0, 1.0, allow_nan=False)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(coverages, min_size=1, max_size=12))
def test_a_review_follows_the_leitner_boxes_over_any_run_of_attempts(
    run: list[float | None],
) -> None:
    """Poor or no answer: box 1; fair: stays; good: one box up, at most the last; due by box."""
    review = None
    for number, coverage in enumerate(run, start=1):
        box = review.box if review else 1
        review = next_review(review, "q", coverage, NOW)
        if coverage is None or coverage < 0.5:
            assert review.box == 1
        elif coverage < 0.8:
            assert review.box == box
        else:
            assert review.box == min(box + 1, len(BOX_DAYS))
        assert review.due_at == NOW + timedelta(days=BOX_DAYS[review.box - 1])
        assert review.attempts == number
        assert review.question_id == "q"
    assert review is not None
    assert review.best_coverage == max(c or 0.0 for c in run)
