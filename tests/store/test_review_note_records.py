"""Daily review notes in the store, on SQLite and PostgreSQL: on, off, due, claimed once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from bot.model import MemberRef
from bot.store.review_note_records import ReviewNote
from bot.store.sql_store import SqlStore
from tests.store.conftest import store_on

T0 = datetime.fromisoformat("2026-11-30T09:00+00:00")
DAY = timedelta(days=1)
ANN = MemberRef("slack", "U1", 'Ann "A" O\'Neil')
BEN = MemberRef("discord", "42", "Ben")


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The same store on a real SQLite file and on a real PostgreSQL server."""
    async with store_on(request.param, tmp_path, T0) as s:
        yield s


async def _on(store: SqlStore, member: MemberRef, at: time, tz: str, next_at: datetime) -> int:
    member_id = await store.member_id(member)
    await store.set_review_note(ReviewNote(member_id, member, at, tz, next_at))
    return member_id


async def test_a_note_is_kept_with_where_it_goes_and_moved_or_stopped(store: SqlStore) -> None:
    assert await store.review_note(1) is None
    ann = await _on(store, ANN, time(8, 0), "Europe/Berlin", T0 + DAY)
    assert await store.review_note(ann) == ReviewNote(
        ann, ANN, time(8, 0), "Europe/Berlin", T0 + DAY
    )
    await _on(store, ANN, time(18, 30), "UTC", T0 + DAY / 2)  # turned on again: moved
    note = await store.review_note(ann)
    assert note is not None and (note.at, note.timezone, note.next_at) == (
        time(18, 30),
        "UTC",
        T0 + DAY / 2,
    )
    assert await store.stop_review_note(ann)
    assert not await store.stop_review_note(ann)
    assert await store.review_note(ann) is None and await store.review_notes() == []


async def test_the_notes_due_and_every_note_earliest_first(store: SqlStore) -> None:
    ann = await _on(store, ANN, time(8, 0), "UTC", T0 + DAY)
    ben = await _on(store, BEN, time(7, 0), "UTC", T0 + DAY / 2)
    assert [n.member_id for n in await store.review_notes()] == [ben, ann]
    assert [n.member_id for n in await store.review_notes(due_by=T0 + DAY / 2)] == [ben]
    assert await store.review_notes(due_by=T0) == []


async def test_a_days_note_is_claimed_once(store: SqlStore) -> None:
    ann = await _on(store, ANN, time(8, 0), "UTC", T0)
    assert await store.claim_review_note(ann, T0, T0 + DAY)
    assert not await store.claim_review_note(ann, T0, T0 + DAY)  # another process, too late
    note = await store.review_note(ann)
    assert note is not None and note.next_at == T0 + DAY
    assert not await store.claim_review_note(ann + 1, T0, T0 + DAY)  # nobody's note


async def test_two_stores_on_one_database_claim_a_note_once(tmp_path: Path) -> None:
    async with store_on("sqlite", tmp_path, T0, file="shared.sqlite3") as one:
        ann = await _on(one, ANN, time(8, 0), "UTC", T0)
        async with store_on("sqlite", tmp_path, T0, file="shared.sqlite3") as two:
            won = [
                await two.claim_review_note(ann, T0, T0 + DAY),
                await one.claim_review_note(ann, T0, T0 + DAY),
            ]
    assert won == [True, False]
