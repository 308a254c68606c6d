"""The SQLite backend: one aiosqlite connection, WAL, foreign keys, full sync."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.store.database import Executor, Params, Row

__all__ = ["SqliteDatabase", "open_sqlite"]

log = logging.getLogger(__name__)

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",  # an acknowledged answer survives a power cut, too
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


class _Statements:
    """Statements on the shared connection; the caller holds the lock."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        # One hop to the connection's thread (execute, fetch and close happen there).
        return list(await self._conn.execute_fetchall(sql, params or {}))

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params | None = None) -> int:
        async with self._conn.execute(sql, params or {}) as cursor:
            return cursor.rowcount

    async def executemany(self, sql: str, params: Sequence[Params]) -> None:
        await self._conn.executemany(sql, params)


class SqliteDatabase:
    """A SQLite file: one writer connection behind a lock, one reader beside it.

    In WAL mode the reader sees every committed transaction and never waits for
    the writer's commits (and their fsync), so lookups stay fast under load.
    """

    dialect = "sqlite"

    def __init__(
        self, conn: aiosqlite.Connection, reader: aiosqlite.Connection | None = None
    ) -> None:
        self._conn = conn
        self._reader = reader
        self._lock = asyncio.Lock()
        self._statements = _Statements(conn)
        self._reads = _Statements(reader) if reader is not None else None

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        """Run a query and return all its rows (as committed)."""
        if self._reads is not None:
            return await self._reads.fetch(sql, params)
        async with self._lock:
            return await self._statements.fetch(sql, params)

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        """Run a query and return its first row, if any (as committed)."""
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params | None = None) -> int:
        """Run one statement in its own transaction and return the rows it changed."""
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    async def executemany(self, sql: str, params: Sequence[Params]) -> None:
        """Run a statement once per parameter set, in one transaction."""
        async with self.transaction() as tx:
            await tx.executemany(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        """Open a write transaction (BEGIN IMMEDIATE), committed on success."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._statements
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()

    async def close(self) -> None:
        """Close the connections (checkpointing the WAL)."""
        async with self._lock:
            if self._reader is not None:
                await self._reader.close()
            await self._conn.close()


async def open_sqlite(path: Path | str) -> SqliteDatabase:
    """Open (creating if needed) a SQLite database file with the project's pragmas."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await _connect(path)
    try:
        reader = None if str(path) == ":memory:" else await _connect(path)
    except BaseException:
        await conn.close()
        raise
    log.debug("opened SQLite database %s", path)
    return SqliteDatabase(conn, reader)


async def _connect(path: Path | str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        for pragma in PRAGMAS:
            await conn.execute(pragma)
    except BaseException:
        await conn.close()  # else its thread keeps the process from exiting
        raise
    return conn
