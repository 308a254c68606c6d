"""The PostgreSQL backend: an asyncpg pool behind the same small Database interface.

Queries keep their `:name` parameters; they are rewritten once per statement
text into PostgreSQL's `$1` form (each name gets one number, however often it
appears).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from typing import Any

import asyncpg

from bot.store.database import DatabaseUnavailable, Executor, Params, Row

__all__ = ["PostgresDatabase", "numbered", "open_postgres"]

_NAME = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=1024)
def numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """Return the statement with `:name` turned into `$n`, and the names in order."""
    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f"${numbers.setdefault(match.group(1), len(numbers) + 1)}"

    return _NAME.sub(number, sql), tuple(numbers)


# What asyncpg raises when the server is down, restarting or cut off.
_UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.InterfaceError,
)
# How long to wait for a connection to open before saying the server is unreachable.
CONNECT_TIMEOUT = 5.0


@contextmanager
def _reachable() -> Iterator[None]:
    """Turn asyncpg's connection failures into DatabaseUnavailable."""
    try:
        yield
    except DatabaseUnavailable:
        raise
    except _UNREACHABLE as exc:
        raise DatabaseUnavailable(
            f"PostgreSQL is unreachable: {type(exc).__name__}: {exc}"
        ) from exc


async def _keep_session(conn: Any) -> None:
    """Skip asyncpg's reset of a connection returned to the pool (an extra round trip).

    The store keeps no session state: its advisory locks end with their
    transaction, and it never LISTENs, SETs or leaves cursors open.
    """


def _args(names: tuple[str, ...], params: Params | None) -> list[Any]:
    values = params or {}
    return [values[name] for name in names]


def _count(status: str) -> int:
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _Connection:
    """Statements on one pooled connection (inside a transaction)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        text, names = numbered(sql)
        rows: Sequence[Row] = await self._conn.fetch(text, *_args(names, params))
        return rows

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        text, names = numbered(sql)
        row: Row | None = await self._conn.fetchrow(text, *_args(names, params))
        return row

    async def execute(self, sql: str, params: Params | None = None) -> int:
        text, names = numbered(sql)
        return _count(await self._conn.execute(text, *_args(names, params)))

    async def executemany(self, sql: str, params: Sequence[Params]) -> None:
        if not params:
            return
        text, names = numbered(sql)
        await self._conn.executemany(text, [_args(names, p) for p in params])


class PostgresDatabase:
    """A PostgreSQL database behind a connection pool."""

    dialect = "postgresql"
    parallel_reads = True  # the pool's connections serve them at once

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        """Run a query and return all its rows."""
        with _reachable():
            async with self._pool.acquire() as conn:
                return await _Connection(conn).fetch(sql, params)

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        """Run a query and return its first row, if any."""
        with _reachable():
            async with self._pool.acquire() as conn:
                return await _Connection(conn).fetchrow(sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> int:
        """Run one statement (its own transaction) and return the rows it changed."""
        with _reachable():
            async with self._pool.acquire() as conn:
                return await _Connection(conn).execute(sql, params)

    async def executemany(self, sql: str, params: Sequence[Params]) -> None:
        """Run a statement once per parameter set, in one transaction."""
        async with self.transaction() as tx:
            await tx.executemany(sql, params)

    @asynccontextmanager
    async def transaction(self, durable: bool = True) -> AsyncIterator[Executor]:
        """Open a transaction on a pooled connection, committed on success.

        Not `durable`: committed without waiting for the WAL flush (synchronous_commit off).
        """
        with _reachable():
            async with self._pool.acquire() as conn, conn.transaction():
                if not durable:
                    await conn.execute("SET LOCAL synchronous_commit TO OFF")
                yield _Connection(conn)

    async def close(self) -> None:
        """Close every pooled connection."""
        await self._pool.close()


async def open_postgres(
    url: str, *, min_size: int = 1, max_size: int = 10, schema: str | None = None
) -> PostgresDatabase:
    """Connect to PostgreSQL (optionally with `search_path` set to one schema)."""
    settings = {"search_path": schema} if schema else None
    with _reachable():
        pool = await asyncpg.create_pool(
            url,
            min_size=min_size,
            max_size=max_size,
            server_settings=settings,
            timeout=CONNECT_TIMEOUT,
            reset=_keep_session,
        )
    return PostgresDatabase(pool)
