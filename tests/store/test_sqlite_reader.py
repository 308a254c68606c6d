"""The SQLite reader: quick reads on the loop, slow ones in its thread (together), failing alone."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.sqlite import INLINE_SECONDS, BatchingReader, SqliteDatabase, open_sqlite


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


# A read of a few milliseconds: more than a read may hold the event loop.
SLOW = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :upto)"
    " SELECT COUNT(*) AS c FROM n"
)


async def test_quick_reads_run_on_the_loop_without_a_hop(db: SqliteDatabase) -> None:
    reader = reader_of(db)
    before = reader.hops
    rows = await asyncio.gather(
        *(db.fetchrow("SELECT v FROM t WHERE k = :k", {"k": k}) for k in range(10))
    )
    assert [r["v"] for r in rows if r is not None] == [f"v{k}" for k in range(10)]
    assert reader.hops == before


async def test_slow_reads_go_to_the_thread_together(db: SqliteDatabase) -> None:
    reader = reader_of(db)
    before = reader.hops
    loop = asyncio.get_running_loop()
    started = loop.time()
    counts = await asyncio.gather(
        *(db.fetchrow(SLOW, {"upto": 300_000 + k}) for k in range(4)),
        db.fetchrow("SELECT v FROM t WHERE k = 2"),
    )
    assert [c["c"] for c in counts[:4] if c is not None] == [300_000 + k for k in range(4)]
    assert counts[4] is not None and counts[4]["v"] == "v2"
    assert reader.hops == before + 1  # the four slow ones, handed over together
    # each held the loop for about INLINE_SECONDS before it was handed over
    assert loop.time() - started > 4 * INLINE_SECONDS


async def test_a_failing_read_fails_alone(db: SqliteDatabase) -> None:
    good, bad, slow_bad, also_good = await asyncio.gather(
        db.fetch("SELECT COUNT(*) AS n FROM t"),
        db.fetch("SELECT nothing FROM nowhere"),
        db.fetch(SLOW + " WHERE nothing", {"upto": 300_000}),
        db.fetchrow(SLOW, {"upto": 300_000}),
        return_exceptions=True,
    )
    assert isinstance(slow_bad, sqlite3.OperationalError)
    assert isinstance(bad, sqlite3.OperationalError)
    assert not isinstance(good, BaseException) and good[0]["n"] == 20
    assert not isinstance(also_good, BaseException)
    assert also_good is not None and also_good["c"] == 300_000


async def test_a_cancelled_read_leaves_the_others_their_rows(db: SqliteDatabase) -> None:
    cancelled = asyncio.ensure_future(db.fetch(SLOW, {"upto": 300_000}))
    kept = asyncio.ensure_future(db.fetchrow(SLOW, {"upto": 300_001}))
    await asyncio.sleep(0)  # both handed over, in the same batch
    cancelled.cancel()
    row = await kept
    assert row is not None and row["c"] == 300_001
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
