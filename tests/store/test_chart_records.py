"""What the charts read, on real SQLite and PostgreSQL: weekly points, days, practice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.model import AnswerSource, ChannelRef, GroupSettings, MemberRef
from bot.records import AnswerWrite, Review, RoundResult, ScoreEntry
from bot.scoring import periods_of
from bot.store.sql_store import SqlStore
from tests.store.conftest import store_on

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The same store on a real SQLite file and on a real PostgreSQL server."""
    async with store_on(request.param, tmp_path, T0) as s:
        yield s


async def _round(
    store: SqlStore, group_id: int, day: date, points: dict[int, int], late: tuple[int, ...] = ()
) -> None:
    """A revealed round of `day`: each member answered and earned these points."""
    round_ = await store.claim_round(group_id, day, "q", T0)
    assert round_ is not None
    await store.round_posted(round_.id, f"m{round_.id}", f"t{round_.id}", T0, T0)
    scores = []
    for member, earned in points.items():
        saved = await store.save_answer(
            AnswerWrite(round_.id, member, "x", AnswerSource.THREAD, T0)
        )
        assert saved is not None
        scores.append(
            ScoreEntry(saved.answer_id, member, 0.5, (True,), earned, periods_of(day), T0)
        )
    for member in late:  # answered, no points: still a day of activity
        saved = await store.save_answer(
            AnswerWrite(round_.id, member, "x", AnswerSource.THREAD, T0)
        )
        assert saved is not None
    assert await store.claim_reveal(round_.id, T0, T0 + timedelta(minutes=5)) is not None
    assert await store.save_round_result(RoundResult(round_.id, tuple(scores), ()))


async def test_the_charts_read_weekly_points_answer_days_and_practice_times(
    store: SqlStore,
) -> None:
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    other = await store.create_group(ChannelRef("t", "w", "d"), GroupSettings())
    assert group is not None and other is not None
    ann = await store.member_id(MemberRef("t", "ann", "Ann"))
    ben = await store.member_id(MemberRef("t", "ben", "Ben"))
    await _round(store, group.id, date(2026, 11, 24), {ann: 20})  # week 48
    await _round(store, group.id, date(2026, 11, 30), {ann: 30, ben: 45})  # week 49
    await _round(store, group.id, date(2026, 12, 1), {ann: 5}, late=(ben,))
    await _round(store, other.id, date(2026, 12, 1), {ann: 99})  # another group
    weeks = ["w2026-47", "w2026-48", "w2026-49"]
    assert sorted(await store.week_points(group.id, weeks, [ann, ben])) == [
        (ann, "w2026-48", 20),
        (ann, "w2026-49", 35),
        (ben, "w2026-49", 45),
    ]
    assert await store.week_points(group.id, weeks, []) == []
    assert sorted(await store.answer_days(group.id, ben, "2026-11-01", "2026-12-31")) == [
        ("2026-11-30", 1),
        ("2026-12-01", 1),  # the answer that earned nothing
    ]
    assert await store.answer_days(group.id, ann, "2026-11-25", "2026-11-30") == [("2026-11-30", 1)]
    attempt = await store.start_practice(ann, None, "q", T0)
    answered_at = T0 + timedelta(hours=2)
    await store.finish_practice(attempt.id, answered_at, 0.5, Review("q", T0, 1, 0.5), ann)
    await store.start_practice(ann, None, "q2", T0)  # not answered
    assert await store.practice_answer_times(ann, T0) == [answered_at]
    assert await store.practice_answer_times(ann, answered_at + timedelta(seconds=1)) == []
