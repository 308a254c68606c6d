from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
