"""The web archive in the store, on SQLite and PostgreSQL: links by hash, and its pages' reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.model import ChannelRef, GroupSettings, MemberRef
from bot.store.sql_store import SqlStore
from tests.store.conftest import store_on

T0 = datetime.fromisoformat("2026-12-08T09:00+00:00")


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The same store on a real SQLite file and on a real PostgreSQL server."""
    async with store_on(request.param, tmp_path, T0) as s:
        yield s


async def _group(store: SqlStore, channel: str) -> int:
    group = await store.create_group(ChannelRef("console", "local", channel), GroupSettings())
    assert group is not None
    return group.id


async def _rounds(store: SqlStore, group_id: int, days: int, status: str = "revealed") -> None:
    """Add `days` rounds ending yesterday: even days nlp, odd days algorithms."""
    for n in range(days):
        day = date(2026, 12, 7) - timedelta(days=n)
        await store.db.execute(
            "INSERT INTO rounds (group_id, local_date, question_id, status, scheduled_for,"
            " category) VALUES (:g, :d, :q, :s, 0, :c)",
            {
                "g": group_id,
                "d": day.isoformat(),
                "q": f"q{n}",
                "s": status,
                "c": "nlp" if n % 2 == 0 else "algorithms",
            },
        )


async def test_a_link_is_found_by_its_hash_until_revoked_or_replaced(store: SqlStore) -> None:
    one, two = await _group(store, "one"), await _group(store, "two")
    assert await store.archive_of(one) is None
    await store.open_archive(one, "a" * 64, False)
    await store.open_archive(two, "b" * 64, True)
    link = await store.archive_by_hash("a" * 64)
    assert link is not None and (link.group_id, link.show_answers) == (one, False)
    assert link.created_at == T0
    assert await store.show_archive_answers(one, True)
    assert (await store.archive_of(one)).show_answers  # type: ignore[union-attr]
    await store.open_archive(one, "c" * 64, False)  # a new link revokes the old one
    assert await store.archive_by_hash("a" * 64) is None
    assert (await store.archive_by_hash("c" * 64)).group_id == one  # type: ignore[union-attr]
    assert await store.close_archive(one) and not await store.close_archive(one)
    assert await store.archive_by_hash("c" * 64) is None and await store.archive_of(one) is None
    assert not await store.show_archive_answers(one, True)  # off: nothing to show
    assert (await store.archive_by_hash("b" * 64)).group_id == two  # type: ignore[union-attr]


async def test_revealed_rounds_come_newest_first_in_pages_of_one_group(store: SqlStore) -> None:
    one, two = await _group(store, "one"), await _group(store, "two")
    await _rounds(store, one, 120)
    await _rounds(store, two, 3)
    await store.db.execute(
        "INSERT INTO rounds (group_id, local_date, question_id, status, scheduled_for)"
        " VALUES (:g, '2026-12-08', 'open', 'open', 0)",
        {"g": one},
    )
    assert await store.count_archived_rounds(one, None) == 120
    assert await store.count_archived_rounds(one, "nlp") == 60
    first = await store.archived_rounds(one, None, 50, 0)
    assert [r.local_date for r in first[:2]] == [date(2026, 12, 7), date(2026, 12, 6)]
    assert len(first) == 50 and len(await store.archived_rounds(one, None, 50, 100)) == 20
    nlp = await store.archived_rounds(one, "nlp", 50, 0)
    assert {r.category for r in nlp} == {"nlp"} and nlp[0].answered == 0
    theirs = (await store.archived_rounds(two, None, 50, 0))[0]
    assert await store.archived_round(one, theirs.round_id) is None
    assert await store.archived_round(two, theirs.round_id) == theirs
    open_id = await store.db.fetchrow("SELECT id FROM rounds WHERE status = 'open'")
    assert open_id is not None and await store.archived_round(one, open_id["id"]) is None


async def test_only_members_scored_in_the_group_are_found(store: SqlStore) -> None:
    one, two = await _group(store, "one"), await _group(store, "two")
    bea = await store.member_id(MemberRef("console", "bea", "Bea"))
    await store.db.execute(
        "INSERT INTO member_stats (group_id, member_id, streak, best_streak, last_seq,"
        " rounds_answered, coverage_sum) VALUES (:g, :m, 0, 0, 0, 1, 0.5)",
        {"g": one, "m": bea},
    )
    assert await store.group_member_name(one, bea) == "Bea"
    assert await store.group_member_name(two, bea) is None


async def test_the_table_comes_with_migration_20(tmp_path: Path) -> None:
    async with store_on("sqlite", tmp_path, T0, migrated=False) as store:
        applied = await store.migrate()
        assert 20 in applied and await store.migrate() == []
