"""Migration 11: the Leitner boxes of practice reviews become FSRS cards, nothing lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import to_micros
from bot.model import MemberRef
from bot.review_schedule import GOOD, REVIEW_STATE, next_review
from bot.store import migrations
from bot.store.sql_store import SqlStore
from tests.store.test_answer_parts import unmigrated
from tests.store.test_sql_store import T0

__all__ = ["unmigrated"]

# Box, due in days from T0 (one overdue), attempts, best coverage: as version 10 holds them.
LEITNER = {
    "q-box1": (1, -2, 1, 0.2),
    "q-box2": (2, 1, 2, 0.8),
    "q-box3": (3, 3, 4, 0.9),
    "q-box4": (4, 5, 5, 1.0),
    "q-box5": (5, 16, 9, 1.0),
}
BOX_DAYS = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}


async def test_each_leitner_box_becomes_a_review_card_due_when_it_was(
    unmigrated: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = unmigrated
    everything = migrations.MIGRATIONS
    monkeypatch.setattr(migrations, "MIGRATIONS", everything[:10])
    assert await store.migrate() == list(range(1, 11))
    ann, ben = [await store.member_id(MemberRef("t", u, u.upper())) for u in ("ann", "ben")]
    for question_id, (box, due_in, attempts, best) in LEITNER.items():
        await store.db.execute(
            "INSERT INTO practice_reviews (member_id, question_id, box, due_at, attempts,"
            " best_coverage) VALUES (:m, :q, :box, :due, :attempts, :best)",
            {
                "m": ann,
                "q": question_id,
                "box": box,
                "due": to_micros(T0 + timedelta(days=due_in)),
                "attempts": attempts,
                "best": best,
            },
        )
    await store.db.execute(
        "INSERT INTO practice_reviews (member_id, question_id, box, due_at, attempts,"
        " best_coverage) VALUES (:m, 'q-box2', 2, :due, 1, 0.5)",
        {"m": ben, "due": to_micros(T0)},
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", everything)
    assert 11 in await store.migrate()
    reviews = await store.reviews(ann)
    assert sorted(reviews) == sorted(LEITNER)
    for question_id, (box, due_in, attempts, best) in LEITNER.items():
        review = reviews[question_id]
        due = T0 + timedelta(days=due_in)
        assert (review.due_at, review.attempts, review.best_coverage) == (due, attempts, best)
        assert (review.state, review.step, review.difficulty) == (REVIEW_STATE, None, 5.0)
        assert review.stability == BOX_DAYS[box]
        assert review.last_review_at == due - timedelta(days=BOX_DAYS[box])
    bens = await store.review(ben, "q-box2")
    assert bens is not None and (bens.due_at, bens.stability) == (T0, 2.0)
    # The migrated card goes on under FSRS: recalled well on time, it comes back later
    # than its box's interval.
    box3 = reviews["q-box3"]
    after = next_review(box3, "q-box3", 0.9, GOOD, box3.due_at)
    assert after.due_at - box3.due_at > timedelta(days=BOX_DAYS[3])
    assert after.attempts == 5
    summary = await store.practice_summary(ann, T0 + timedelta(days=1), T0 + timedelta(days=7))
    assert (summary.due_today, summary.due_week) == (1, 4)
