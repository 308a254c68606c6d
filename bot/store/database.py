"""A small, dialect-neutral interface over one SQL database connection (or pool).

Queries are written once, with `:name` parameters, in SQL that SQLite and
PostgreSQL both accept; each backend turns them into its own form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

__all__ = ["Database", "DatabaseUnavailable", "Executor", "Params", "Row", "take_turns"]

Params = Mapping[str, Any]


class DatabaseUnavailable(ConnectionError):
    """The database cannot be reached right now (down, restarting, network cut).

    Nothing was written by the statement that raised it; the work may be tried
    again once the database answers.
    """


class Row(Protocol):
    """A result row, read by column name."""

    def __getitem__(self, key: str, /) -> Any:
        """Return a column's value."""
        ...


class Executor(Protocol):
    """Runs statements: a transaction, or the database outside one."""

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        """Run a query and return all its rows."""
        ...

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        """Run a query and return its first row, if any."""
        ...

    async def execute(self, sql: str, params: Params | None = None) -> int:
        """Run a statement and return how many rows it changed."""
        ...

    async def executemany(self, sql: str, params: Sequence[Params]) -> None:
        """Run a statement once per parameter set."""
        ...


class Database(Executor, Protocol):
    """A database: statements outside a transaction, and transactions."""

    dialect: str
    # Whether independent reads gain from being issued at once (a pool serves them in
    # parallel), or are best read in turn (SQLite reads a quick query right away).
    parallel_reads: bool

    def transaction(self, durable: bool = True) -> AbstractAsyncContextManager[Executor]:
        """Open a write transaction, committed on success and rolled back on error.

        `durable=False`: the commit need not reach the disk before it returns, so a
        crash or power cut may lose it (never corrupt anything): for records whose
        loss costs little, written on a hot path.
        """
        ...

    async def close(self) -> None:
        """Close the connection(s)."""
        ...


async def take_turns(tx: Executor, dialect: str, key: int) -> None:
    """Make writers of the same `key` take turns until this transaction ends.

    PostgreSQL: a transaction-level advisory lock, so read-then-write
    statements of several processes do not interleave. SQLite write
    transactions (BEGIN IMMEDIATE) already take turns across processes.
    """
    if dialect == "postgresql":
        await tx.execute("SELECT pg_advisory_xact_lock(:k)", {"k": key})
