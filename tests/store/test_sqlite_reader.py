"""The SQLite reader: reads issued together share one hop to its thread, and fail alone."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.sqlite import BatchingReader, SqliteDatabase, open_sqlite


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = await open_sqlite(tmp_path / "r.sqlite3")
    await database.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    await database.executemany(
        "INSERT INTO t (k, v) VALUES (:k, :v)", [{"k": k, "v": f"v{k}"} for k in range(20)]
    )
    yield database
    await database.close()


def reader_of(db: SqliteDatabase) -> BatchingReader:
    reader = db._reader  # the test looks at the reader the database owns
    assert reader is not None
    return reader


async def test_reads_issued_together_share_one_hop(db: SqliteDatabase) -> None:
    reader = reader_of(db)
    before = reader.hops
    rows = await asyncio.gather(
        *(db.fetchrow("SELECT v FROM t WHERE k = :k", {"k": k}) for k in range(10))
    )
    assert [r["v"] for r in rows if r is not None] == [f"v{k}" for k in range(10)]
    assert reader.hops == before + 1
    for k in range(3):  # one after the other: one hop each
        await db.fetch("SELECT v FROM t WHERE k = :k", {"k": k})
    assert reader.hops == before + 4


async def test_a_failing_read_fails_alone(db: SqliteDatabase) -> None:
    good, bad, also_good = await asyncio.gather(
        db.fetch("SELECT COUNT(*) AS n FROM t"),
        db.fetch("SELECT nothing FROM nowhere"),
        db.fetchrow("SELECT v FROM t WHERE k = 7"),
        return_exceptions=True,
    )
    assert isinstance(bad, sqlite3.OperationalError)
    assert not isinstance(good, BaseException) and good[0]["n"] == 20
    assert not isinstance(also_good, BaseException)
    assert also_good is not None and also_good["v"] == "v7"


async def test_a_cancelled_read_leaves_the_others_their_rows(db: SqliteDatabase) -> None:
    cancelled = asyncio.ensure_future(db.fetch("SELECT * FROM t"))
    kept = asyncio.ensure_future(db.fetchrow("SELECT v FROM t WHERE k = 3"))
    await asyncio.sleep(0)  # both queued in the same batch
    cancelled.cancel()
    row = await kept
    assert row is not None and row["v"] == "v3"
    assert cancelled.cancelled()


async def test_reads_see_what_was_committed(db: SqliteDatabase) -> None:
    await db.execute("UPDATE t SET v = 'changed' WHERE k = 1")
    row = await db.fetchrow("SELECT v FROM t WHERE k = 1")
    assert row is not None and row["v"] == "changed"


async def test_reading_after_close_fails_at_once(tmp_path: Path) -> None:
    database = await open_sqlite(tmp_path / "closed.sqlite3")
    await database.close()
    with pytest.raises(sqlite3.ProgrammingError):
        await asyncio.wait_for(database.fetch("SELECT 1"), timeout=5)
    await database.close()  # closing twice is harmless
