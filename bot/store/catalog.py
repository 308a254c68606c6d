"""What a studybot database holds, read from its own catalog: tables, their shapes, checksums.

Nothing here names a table or a column: the tables, their columns, primary keys
and foreign keys are read from each database's catalog (SQLite's `sqlite_master`
and pragmas, PostgreSQL's `pg_catalog`), so a table or column a later migration
adds is covered too.

A table's checksum is SHA-256 over its rows in primary-key order, one line per
row, each value tagged by kind and normalised so both backends agree (integers
and booleans as integers, floats by their shortest round-trip form, text
length-prefixed, bytes as hex, NULL). Text key columns are ordered by code
point on both sides (PostgreSQL's `COLLATE "C"`, SQLite's default), whatever
the database's collation.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from bot.store.database import Executor, Row
from bot.store.urls import DatabaseToolError

__all__ = [
    "DEFAULT_BATCH",
    "MIGRATIONS_TABLE",
    "Checksum",
    "TableShape",
    "TableSum",
    "parents_first",
    "quote_name",
    "row_batches",
    "schema_version",
    "table_names",
    "table_shapes",
    "table_sums",
]

# The table the migrations keep their own bookkeeping in: each database has its own.
MIGRATIONS_TABLE = "schema_migrations"
DEFAULT_BATCH = 1000
_TEXT_TYPES = ("text", "character varying", "character", "name", "citext")


@dataclass(frozen=True, slots=True)
class TableShape:
    """One table as its database's catalog describes it."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the primary key's columns, in key order
    text_columns: frozenset[str]
    parents: frozenset[str]  # tables this one's foreign keys point at


def quote_name(name: str) -> str:
    """Return a table or column name quoted for SQL (both dialects)."""
    return '"' + name.replace('"', '""') + '"'


async def table_names(ex: Executor, dialect: str) -> list[str]:
    """Return the names of the database's tables."""
    if dialect == "sqlite":
        rows = await ex.fetch(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
    else:
        rows = await ex.fetch(
            "SELECT c.relname AS name FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
            " ORDER BY c.relname"
        )
    return [str(r["name"]) for r in rows]


def _has_text_affinity(declared: str) -> bool:
    """Whether SQLite gives a column of this declared type text affinity."""
    upper = declared.upper()
    return "INT" not in upper and any(word in upper for word in ("CHAR", "CLOB", "TEXT"))


async def _sqlite_shape(ex: Executor, table: str) -> TableShape:
    columns = await ex.fetch(
        "SELECT name, type, pk FROM pragma_table_info(:t) ORDER BY cid", {"t": table}
    )
    parents = await ex.fetch(
        'SELECT DISTINCT "table" FROM pragma_foreign_key_list(:t)', {"t": table}
    )
    keyed = sorted((int(r["pk"]), str(r["name"])) for r in columns if int(r["pk"]) > 0)
    return TableShape(
        table,
        tuple(str(r["name"]) for r in columns),
        tuple(name for _, name in keyed),
        frozenset(str(r["name"]) for r in columns if _has_text_affinity(str(r["type"]))),
        frozenset(str(r["table"]) for r in parents),
    )


async def _postgres_shape(ex: Executor, table: str) -> TableShape:
    columns = await ex.fetch(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = :t ORDER BY ordinal_position",
        {"t": table},
    )
    key = await ex.fetch(
        "SELECT a.attname FROM pg_constraint k"
        " JOIN pg_class t ON t.oid = k.conrelid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, pos)"
        " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = u.attnum"
        " WHERE k.contype = 'p' AND n.nspname = current_schema() AND t.relname = :t"
        " ORDER BY u.pos",
        {"t": table},
    )
    parents = await ex.fetch(
        "SELECT DISTINCT p.relname FROM pg_constraint k"
        " JOIN pg_class t ON t.oid = k.conrelid"
        " JOIN pg_class p ON p.oid = k.confrelid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE k.contype = 'f' AND n.nspname = current_schema() AND t.relname = :t",
        {"t": table},
    )
    return TableShape(
        table,
        tuple(str(r["column_name"]) for r in columns),
        tuple(str(r["attname"]) for r in key),
        frozenset(str(r["column_name"]) for r in columns if r["data_type"] in _TEXT_TYPES),
        frozenset(str(r["relname"]) for r in parents),
    )


async def table_shapes(ex: Executor, dialect: str) -> dict[str, TableShape]:
    """Return the studybot data tables (all but the migrations' own), by name."""
    read = _sqlite_shape if dialect == "sqlite" else _postgres_shape
    names = [n for n in await table_names(ex, dialect) if n != MIGRATIONS_TABLE]
    return {name: await read(ex, name) for name in names}


def parents_first(shapes: dict[str, TableShape]) -> list[TableShape]:
    """Return the tables so that every table comes after the tables it refers to."""
    ordered: list[TableShape] = []
    placed: set[str] = set()
    waiting = dict(sorted(shapes.items()))
    while waiting:
        ready = [s for s in waiting.values() if all(p in placed or p == s.name for p in s.parents)]
        if not ready:
            raise DatabaseToolError(
                "the foreign keys between these tables form a cycle: "
                + ", ".join(waiting)
                + "; the copy cannot order them"
            )
        for shape in ready:
            ordered.append(shape)
            placed.add(shape.name)
            del waiting[shape.name]
    return ordered


async def schema_version(ex: Executor, dialect: str) -> int:
    """Return the newest migration applied to a database (0: none, not a studybot database)."""
    if MIGRATIONS_TABLE not in await table_names(ex, dialect):
        return 0
    row = await ex.fetchrow(f"SELECT MAX(version) AS v FROM {MIGRATIONS_TABLE}")
    return 0 if row is None or row["v"] is None else int(row["v"])


# -- reading in key order, and checksums ----------------------------------------


def _encoded(value: Any) -> str:
    """Return a value as both backends' rows agree on it, tagged by kind (for the checksum).

    Text is length-prefixed, so no value can imitate the separator between values.
    """
    kind = type(value)
    if kind is str:
        return f"s{len(value)}:{value}"
    if kind is int:
        return f"i{value}"
    if value is None:
        return "n"
    if kind is float:
        return f"f{value!r}"
    if kind is bool:
        return f"i{int(value)}"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"b{bytes(value).hex()}"
    raise DatabaseToolError(f"cannot compare a value of type {kind.__name__}")


def _values(row: Row) -> tuple[Any, ...]:
    """Return a row's values in the order its query selected them.

    sqlite3.Row and asyncpg.Record are both sequences of their values.
    """
    return tuple(cast(Iterable[Any], row))


class Checksum:
    """Counts rows and hashes them, in the order they are fed."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.rows = 0

    def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Count and hash a batch of rows (their values in column order)."""
        lines = [",".join(map(_encoded, values)) + "\n" for values in rows]
        self._hash.update("".join(lines).encode("utf-8", "surrogatepass"))
        self.rows += len(rows)

    def result(self) -> TableSum:
        """Return the rows fed so far and their checksum."""
        return TableSum(self.rows, self._hash.hexdigest())


async def row_batches(
    ex: Executor, dialect: str, shape: TableShape, size: int
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """Yield a table's rows (values in column order) by primary key, `size` at a time."""
    if not shape.key:
        raise DatabaseToolError(
            f"table {shape.name} has no primary key, so it cannot be read in a fixed order"
        )

    def key_of(column: str) -> str:
        if dialect == "postgresql" and column in shape.text_columns:
            return f'{quote_name(column)} COLLATE "C"'
        return quote_name(column)

    keys = ", ".join(key_of(c) for c in shape.key)
    after = ", ".join(f":k{i}" for i in range(len(shape.key)))
    columns = ", ".join(quote_name(c) for c in shape.columns)
    select = f"SELECT {columns} FROM {quote_name(shape.name)}"
    tail = f" ORDER BY {keys} LIMIT {int(size)}"
    positions = [shape.columns.index(c) for c in shape.key]
    rows = [_values(row) for row in await ex.fetch(select + tail)]
    while rows:
        yield rows
        if len(rows) < size:
            return
        params = {f"k{i}": rows[-1][at] for i, at in enumerate(positions)}
        after_last = await ex.fetch(f"{select} WHERE ({keys}) > ({after}){tail}", params)
        rows = [_values(row) for row in after_last]


@dataclass(frozen=True, slots=True)
class TableSum:
    """A table's row count and checksum."""

    rows: int
    checksum: str


async def table_sums(
    ex: Executor, dialect: str, shapes: Iterable[TableShape], batch: int = DEFAULT_BATCH
) -> dict[str, TableSum]:
    """Return the row count and checksum of each table (over the shape's columns)."""
    sums: dict[str, TableSum] = {}
    for shape in shapes:
        check = Checksum()
        async for rows in row_batches(ex, dialect, shape, batch):
            check.add(rows)
        sums[shape.name] = check.result()
    return sums


# -- comparing and copying ---------------------------------------------------
