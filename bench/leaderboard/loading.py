"""Loading the benchmark's history: in bulk (COPY on PostgreSQL), or through the store.

`check_bulk_load` writes a small history both ways and fails unless every table
comes out the same, so the bulk loader stands for the reveal path.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import asyncpg

from bench.leaderboard.history import (
    GROUP,
    T0,
    TABLES,
    PlayedRound,
    Tables,
    play,
    score_round,
    tables_of,
)
from bot.clock import ManualClock
from bot.model import ChannelRef, GroupSettings
from bot.scoring import ScoringRules
from bot.store.database import Database
from bot.store.postgres import open_postgres
from bot.store.sql_store import SqlStore
from bot.store.sqlite import open_sqlite


class Loader(Protocol):
    async def load(self, table: str, rows: list[tuple[Any, ...]]) -> None: ...

    async def finish(self) -> None: ...

    async def vacuum(self) -> bool: ...


class SqliteLoader:
    """Plain multi-row inserts in one transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        columns = TABLES[table][0]
        await self._db.executemany(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" VALUES ({', '.join(':' + c for c in columns)})",
            [dict(zip(columns, row, strict=True)) for row in rows],
        )

    async def finish(self) -> None:
        return None

    async def vacuum(self) -> bool:
        return False  # SQLite has no visibility map: nothing changes


class CopyLoader:
    """COPY through asyncpg, then the identity sequences moved past the loaded ids."""

    def __init__(self, conn: Any, schema: str) -> None:
        self._conn = conn
        self._schema = schema

    async def load(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        await self._conn.copy_records_to_table(
            table, records=rows, columns=list(TABLES[table][0]), schema_name=self._schema
        )

    async def finish(self) -> None:
        for table in ("members", "rounds", "answers"):
            await self._conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{self._schema}.{table}', 'id'),"
                f" (SELECT MAX(id) FROM {self._schema}.{table}))"
            )
        await self._maintain("ANALYZE")  # planner statistics, as autovacuum keeps them

    async def vacuum(self) -> bool:
        await self._maintain("VACUUM ANALYZE")
        return True

    async def _maintain(self, command: str) -> None:
        await self._conn.execute(f"SET search_path = {self._schema}")
        for table in TABLES:
            await self._conn.execute(f"{command} {table}")
        await self._conn.execute("RESET search_path")


@asynccontextmanager
async def fresh_store(
    url: str | None, tmp: Path, name: str
) -> AsyncIterator[tuple[SqlStore, Loader]]:
    """An empty, migrated store with one group: a SQLite file, or a throwaway schema."""
    clock = ManualClock(T0)
    if url is None:
        store = SqlStore(await open_sqlite(tmp / f"{name}.sqlite3"), clock)
        loader: Loader = SqliteLoader(store.db)
        admin = None
    else:
        admin = await asyncpg.connect(url)
        schema = f"bench_leaderboard_{name}_{uuid.uuid4().hex[:8]}"
        await admin.execute(f"CREATE SCHEMA {schema}")
        store = SqlStore(await open_postgres(url, schema=schema), clock)
        loader = CopyLoader(admin, schema)
    try:
        await store.migrate()
        group = await store.create_group(ChannelRef("b", "w", "c"), GroupSettings())
        assert group is not None and group.id == GROUP
        yield store, loader
    finally:
        await store.close()
        if admin is not None:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")
            await admin.close()


async def bulk_load(loader: Loader, tables: Tables) -> None:
    """Load every table in foreign-key order."""
    for table in TABLES:
        await loader.load(table, tables.rows[table])
    await loader.finish()


async def through_store(store: SqlStore, members: int, history: list[PlayedRound]) -> None:
    """Write a history the way the bot does: claim, post, answers, reveal, scores."""
    rules = ScoringRules()
    await store.db.executemany(
        "INSERT INTO members (platform, user_id, display_name) VALUES ('b', :u, :n)",
        [{"u": f"u{i}", "n": f"Member {i}"} for i in range(1, members + 1)],
    )
    for played in history:
        question = f"{played.category}-q{played.id}"
        round_ = await store.claim_round(GROUP, played.day, question, played.posted_at)
        assert round_ is not None and round_.id == played.id
        assert await store.round_posted(
            round_.id, f"m{played.id}", f"t{played.id}", played.posted_at, played.reveal_at
        )
        await store.db.executemany(
            "INSERT INTO answers (round_id, member_id, text, source, message_id, submitted_at,"
            " late) VALUES (:r, :m, :t, 'thread', :g, :a, 0)",
            [
                {
                    "r": round_.id,
                    "m": a.member_id,
                    "t": a.text,
                    "g": f"msg{a.id}",
                    "a": a.submitted_at,
                }
                for a in played.answers
            ],
        )
        revealing = await store.claim_reveal(round_.id, played.reveal_at, played.reveal_at)
        assert revealing is not None and revealing.reveal_seq == played.seq
        previous = await store.member_stats(GROUP, [a.member_id for a in played.answers])
        assert await store.save_round_result(score_round(played, previous, rules))
        await store.reveal_posted(round_.id, f"r{played.id}")


async def dump(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (all columns, also those the loader leaves to defaults)."""
    return {
        table: [tuple(r) for r in await store.db.fetch(f"SELECT * FROM {table} ORDER BY {key}")]
        for table, (_, key) in TABLES.items()
    }


async def check_bulk_load(url: str | None, tmp: Path) -> None:
    """Write a small history both ways; every table must hold the same rows."""
    members, history = 300, play(300, 720, per_round=120, seed=3)
    async with fresh_store(url, tmp, "real") as (store, _):
        await through_store(store, members, history)
        real = await dump(store)
    async with fresh_store(url, tmp, "bulk") as (store, loader):
        await bulk_load(loader, tables_of(members, history, ScoringRules()))
        bulk = await dump(store)
    for table in TABLES:
        if real[table] != bulk[table]:
            first = next(
                ((a, b) for a, b in zip(real[table], bulk[table], strict=False) if a != b),
                f"{len(real[table])} rows against {len(bulk[table])}",
            )
            raise SystemExit(f"the bulk load differs from the reveal path in {table}: {first}")
    print(
        f"bulk load checked against the store's reveal path ({len(history)} rounds,"
        f" {sum(len(p.answers) for p in history)} answers, {len(TABLES)} tables): identical"
    )
