"""Migration 18 on SQLite and PostgreSQL: rounds revealed before it get their category boards.

The group of tests/store/category_play.py plays on the latest schema; the
database is then put back as version 13 held it (no category on rounds, no
category totals), and migrating again must rebuild every category total, and
the members counted per points value and hour, from the answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.store.category_backfill import MissingBank
from bot.store.sql_store import SqlStore
from tests.conftest import FIXTURE_CONTENT
from tests.store.category_play import T0, play
from tests.store.conftest import store_on

TABLES = {  # each score table, with the rows that count (0 members: a place left)
    "score_totals": "SELECT group_id, period, member_id, points, achieved_at FROM score_totals",
    "score_counts": "SELECT group_id, period, points, members FROM score_counts WHERE members <> 0",
    "score_hour_counts": "SELECT group_id, period, points, achieved_hour, members"
    " FROM score_hour_counts WHERE members <> 0",
}


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The same store on a real SQLite file and on a real PostgreSQL server."""
    async with store_on(request.param, tmp_path, T0) as s:
        yield s


async def rows_of(store: SqlStore, table: str) -> list[tuple[Any, ...]]:
    """Return the rows of a score table that count, sorted."""
    return sorted(tuple(r) for r in await store.db.fetch(TABLES[table]))


async def as_before_migration_18(store: SqlStore) -> None:
    """Put the database back as version 13 left it: rounds without category, no category boards."""
    for table in TABLES:
        await store.db.execute(f"DELETE FROM {table} WHERE period LIKE '%/%'")
    await store.db.execute("DROP INDEX rounds_by_category")
    await store.db.execute("ALTER TABLE rounds DROP COLUMN category")
    await store.db.execute("DELETE FROM schema_migrations WHERE version = 18")


def category_of(question_id: str) -> str | None:
    """The bank's answer for the played questions (`nlp-q3`); `coding` has left the bank."""
    category = question_id.split("-")[0]
    return None if category == "coding" else category


async def test_the_backfill_rebuilds_the_category_boards_from_the_answers(
    store: SqlStore,
) -> None:
    await play(store, members=40)
    before = {table: await rows_of(store, table) for table in TABLES}
    assert any("/nlp" in str(row[1]) for row in before["score_totals"])
    await as_before_migration_18(store)
    with pytest.raises(MissingBank, match="needs the question bank"):
        await store.migrate()  # rounds were revealed: without the bank it cannot go on
    assert await store.migrate(category_of) == [18]
    after = {table: await rows_of(store, table) for table in TABLES}
    for table in TABLES:
        # Every board as the reveals wrote it, but coding's: its questions left the bank.
        assert after[table] == [row for row in before[table] if "/coding" not in str(row[1])]
    assert await store.migrate(category_of) == []  # once only
    rounds = await store.db.fetch("SELECT question_id, category FROM rounds")
    assert {r["question_id"].split("-")[0]: r["category"] for r in rounds} == {
        "nlp": "nlp",
        "evaluation": "evaluation",
        "coding": None,
    }


async def test_a_database_with_no_revealed_round_migrates_without_the_bank(
    store: SqlStore,
) -> None:
    await as_before_migration_18(store)
    assert await store.migrate() == [18]


def test_studybot_db_migrate_reads_the_configured_bank_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def played() -> list[tuple[Any, ...]]:
        async with store_on("sqlite", tmp_path, T0) as store:
            await play(store, members=20)
            before = await rows_of(store, "score_totals")
            await as_before_migration_18(store)
            return before

    async def migrated() -> list[tuple[Any, ...]]:
        async with store_on("sqlite", tmp_path, T0, migrated=False) as store:
            return await rows_of(store, "score_totals")

    before = asyncio.run(played())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUDYBOT_CONTENT_DIR", str(FIXTURE_CONTENT))  # no `coding` in it
    monkeypatch.setenv("STUDYBOT_CACHE_DIR", "none")
    url = f"sqlite:///{tmp_path}/s.sqlite3"
    assert main(["db", "migrate", "--database", url]) == 0
    assert "(applied 18)" in capsys.readouterr().out
    assert asyncio.run(migrated()) == [row for row in before if "/coding" not in row[1]]
