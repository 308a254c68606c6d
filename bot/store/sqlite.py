"""The SQLite backend: an aiosqlite writer, a batching reader, WAL, foreign keys, full sync."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Future as ThreadFuture
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.store.database import Executor, Params, Row

__all__ = ["SqliteDatabase", "open_sqlite"]

log = logging.getLogger(__name__)

_DURABLE = "PRAGMA synchronous=FULL"  # an acknowledged answer survives a power cut, too
_NOT_DURABLE = "PRAGMA synchronous=NORMAL"  # in WAL mode: no wait for the disk at commit
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    _DURABLE,
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


# How long a read may hold the event loop before it is handed to the reader's thread
# (an indexed lookup takes tens of microseconds), and how often SQLite asks (in
# virtual-machine steps, a few microseconds' worth).
INLINE_SECONDS = 0.001
_CHECK_EVERY = 1000
# Why an inline read is handed over: it ran too long (interrupted) or the file was busy.
_HAND_OVER = frozenset({sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


_Read = tuple[str, Params, "asyncio.Future[list[sqlite3.Row]]"]
_Outcome = list[sqlite3.Row] | BaseException


class BatchingReader:
    """Reads on the event loop when they are quick, else in the reader's thread, batched.

    An indexed SQLite read takes tens of microseconds: less than handing it to
    a thread and back, which also waits for the interpreter lock when the loop
    is busy. So a read first runs right here, on a connection of its own, for
    at most `INLINE_SECONDS` and without waiting for any lock. A read that needs
    longer (a big leaderboard, a long history) or finds the file busy is
    interrupted and handed to the reader's thread, where it takes as long as it
    needs while the loop goes on; the reads handed over during one turn of the
    loop go together, in one read transaction. aiosqlite (the writer) has no
    public way to run several statements per hand-over, hence plain sqlite3.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reader")
        self._conn: sqlite3.Connection | None = None  # the thread's
        self._inline: sqlite3.Connection | None = None  # the event loop's
        self._pending: list[_Read] = []
        self.hops = 0  # batches handed to the thread so far
        self._closed = False
        self._deadline = 0.0  # when the running inline read is to be handed over

    async def open(self) -> None:
        """Connect, in the reader's thread (the connection stays in that thread)."""
        loop = asyncio.get_running_loop()
        try:
            self._conn = await loop.run_in_executor(self._executor, self._connect)
            inline = await loop.run_in_executor(self._executor, self._connect)
        except BaseException:
            await self.close()
            raise
        inline.execute("PRAGMA busy_timeout=0")  # busy: the thread waits instead
        inline.set_progress_handler(self._overdue, _CHECK_EVERY)
        self._inline = inline

    def _overdue(self) -> bool:
        """Say whether the inline read has had its time (SQLite then interrupts it)."""
        return time.perf_counter() > self._deadline

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        try:
            for pragma in PRAGMAS:
                conn.execute(pragma)
        except BaseException:
            conn.close()
            raise
        return conn

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        """Run a query (here if quick, else in the reader's thread); return its rows."""
        if self._inline is not None:
            self._deadline = time.perf_counter() + INLINE_SECONDS
            try:
                return self._inline.execute(sql, params or {}).fetchall()
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode not in _HAND_OVER:
                    raise
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[sqlite3.Row]] = loop.create_future()
        self._pending.append((sql, params or {}, future))
        if len(self._pending) == 1:
            loop.call_soon(self._flush, loop)
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch, self._pending = self._pending, []
        self.hops += 1
        try:
            ran = self._executor.submit(self._run, [(sql, params) for sql, params, _ in batch])
        except RuntimeError:  # the executor is shut down: the reader was closed
            ran = ThreadFuture()
            ran.set_exception(sqlite3.ProgrammingError("Cannot operate on a closed database."))
        ran.add_done_callback(lambda done: loop.call_soon_threadsafe(self._settle, batch, done))

    def _run(self, reads: list[tuple[str, Params]]) -> list[_Outcome]:
        conn = self._conn
        if conn is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        outcomes: list[_Outcome] = []
        conn.execute("BEGIN")
        try:
            for sql, params in reads:
                try:
                    outcomes.append(conn.execute(sql, params).fetchall())
                except Exception as exc:  # this read's caller gets it; the others go on
                    outcomes.append(exc)
        finally:
            conn.execute("COMMIT")
        return outcomes

    @staticmethod
    def _settle(batch: list[_Read], ran: ThreadFuture[list[_Outcome]]) -> None:
        failure = ran.exception()
        outcomes: list[_Outcome] = [failure] * len(batch) if failure else ran.result()
        for (_, _, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # its caller was cancelled
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    async def close(self) -> None:
        """Close the connection and stop the thread once queued reads are done (idempotent)."""
        if self._closed:
            return
        self._closed = True
        inline, self._inline = self._inline, None  # from now on reads go the thread's way
        if inline is not None:
            inline.close()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=False)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class SqliteDatabase:
    """A SQLite file: one writer connection behind a lock, one batching reader beside it.

    In WAL mode the reader sees every committed transaction and never waits for
    the writer's commits (and their fsync), so lookups stay fast under load.
    """

    dialect = "sqlite"
    parallel_reads = False  # a quick read completes on the loop: in turn, without yielding

    def __init__(self, conn: aiosqlite.Connection, reader: BatchingReader | None = None) -> None:
        self._conn = conn
        self._reader = reader
        self._lock = asyncio.Lock()
        self._statements = _Statements(conn)

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        """Run a query and return all its rows (as committed)."""
        if self._reader is not None:
            return await self._reader.fetch(sql, params)
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
    async def transaction(self, durable: bool = True) -> AsyncIterator[Executor]:
        """Open a write transaction (BEGIN IMMEDIATE), committed on success.

        Not `durable`: committed without waiting for the disk (synchronous=NORMAL
        for this transaction; WAL mode keeps the file consistent either way).
        """
        async with self._lock:
            if not durable:
                await self._conn.execute(_NOT_DURABLE)
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._statements
                except BaseException:
                    await self._conn.rollback()
                    raise
                else:
                    await self._conn.commit()
            finally:
                if not durable:
                    await self._conn.execute(_DURABLE)

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
    reader = None if str(path) == ":memory:" else BatchingReader(str(path))
    try:
        if reader is not None:
            await reader.open()
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
