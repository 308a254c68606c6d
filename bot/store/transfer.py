"""Moving a whole studybot database between backends, verified by counts and checksums.

Nothing here names a table or a column: the tables, their columns, primary keys
and foreign keys are read from each database's catalog (SQLite's `sqlite_master`
and pragmas, PostgreSQL's `pg_catalog`), so a table or column a later migration
adds is copied too.

A table's checksum is SHA-256 over its rows in primary-key order, one line per
row, each value tagged by kind and normalised so both backends agree (integers
and booleans as integers, floats by their shortest round-trip form, text
length-prefixed, bytes as hex, NULL). Text key columns are ordered by code
point on both sides (PostgreSQL's `COLLATE "C"`, SQLite's default), whatever
the database's collation.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

from bot.clock import SystemClock
from bot.store import migrations
from bot.store.database import Database, Executor, Row
from bot.store.migrations import migrate
from bot.store.sqlite import open_sqlite
from bot.store.urls import sqlite_path

__all__ = [
    "MIGRATIONS_TABLE",
    "CopyMismatch",
    "CopyReport",
    "DatabaseToolError",
    "MigrationRun",
    "TableReport",
    "TableShape",
    "TableSum",
    "UsageError",
    "compare_databases",
    "compare_urls",
    "copy_database",
    "copy_url",
    "format_report",
    "migrate_url",
    "open_url",
    "redact",
    "schema_version",
    "table_sums",
]

# The table the migrations keep their own bookkeeping in: each database has its own.
MIGRATIONS_TABLE = "schema_migrations"
DEFAULT_BATCH = 1000
CONNECT_TIMEOUT = 15.0
_SQLITE_HEADER = b"SQLite format 3\x00"
_TEXT_TYPES = ("text", "character varying", "character", "name", "citext")


class DatabaseToolError(Exception):
    """A database command cannot do what it was asked (exit status 1)."""

    status = 1


class UsageError(DatabaseToolError):
    """The command was given something it cannot use: a bad URL, a missing file (status 2)."""

    status = 2


def redact(url: str) -> str:
    """Return a database URL with its password, if any, replaced by `***`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


async def open_url(url: str, *, create: bool) -> Database:
    """Open the database a URL names, turning every way it can fail into a friendly error.

    A SQLite file that does not exist is created only when `create` is true.
    """
    if url.startswith("sqlite:///"):
        return await _open_sqlite_file(url, create)
    if url.startswith(("postgresql://", "postgres://")):
        return await _open_postgres_server(url)
    scheme = url.split(":", 1)[0] if ":" in url else url
    raise UsageError(
        f"cannot use the database URL {redact(url)!r} (scheme {scheme!r}); "
        "use sqlite:///path/to/studybot.sqlite3 or postgresql://user@host:5432/dbname"
    )


def _empty_or_sqlite(path: Path) -> bool:
    """Whether a file is missing, empty, or starts with SQLite's header."""
    try:
        with path.open("rb") as file:
            head = file.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return True
    return head in (b"", _SQLITE_HEADER)


async def _open_sqlite_file(url: str, create: bool) -> Database:
    path = sqlite_path(url)
    if not isinstance(path, Path):
        raise UsageError("an in-memory SQLite database cannot be used here; name a file")
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a SQLite database file")
    if not create and not path.is_file():
        raise UsageError(f"there is no SQLite database at {path}")
    if not _empty_or_sqlite(path):
        raise UsageError(f"{path} is not a SQLite database")
    try:
        return await open_sqlite(path)
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseToolError(f"cannot open the SQLite database {path}: {exc}") from exc


async def _open_postgres_server(url: str) -> Database:
    import asyncpg

    from bot.store.postgres import open_postgres

    where = redact(url)
    try:
        return await asyncio.wait_for(open_postgres(url, max_size=2), CONNECT_TIMEOUT)
    except (ValueError, asyncpg.ClientConfigurationError) as exc:
        raise UsageError(f"cannot read the PostgreSQL URL {where}: {exc}") from exc
    except TimeoutError as exc:
        raise DatabaseToolError(
            f"PostgreSQL at {where} did not answer within {CONNECT_TIMEOUT:.0f} s"
        ) from exc
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise DatabaseToolError(f"cannot connect to PostgreSQL at {where}: {exc}") from exc


# -- the catalog ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableShape:
    """One table as its database's catalog describes it."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the primary key's columns, in key order
    text_columns: frozenset[str]
    parents: frozenset[str]  # tables this one's foreign keys point at


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _table_names(ex: Executor, dialect: str) -> list[str]:
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


async def _shapes(ex: Executor, dialect: str) -> dict[str, TableShape]:
    """Return the studybot data tables (all but the migrations' own), by name."""
    read = _sqlite_shape if dialect == "sqlite" else _postgres_shape
    names = [n for n in await _table_names(ex, dialect) if n != MIGRATIONS_TABLE]
    return {name: await read(ex, name) for name in names}


def _parents_first(shapes: dict[str, TableShape]) -> list[TableShape]:
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
    if MIGRATIONS_TABLE not in await _table_names(ex, dialect):
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


class _Checksum:
    """Counts rows and hashes them, in the order they are fed."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.rows = 0

    def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        lines = [",".join(map(_encoded, values)) + "\n" for values in rows]
        self._hash.update("".join(lines).encode("utf-8", "surrogatepass"))
        self.rows += len(rows)

    def result(self) -> TableSum:
        return TableSum(self.rows, self._hash.hexdigest())


async def _batches(
    ex: Executor, dialect: str, shape: TableShape, size: int
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """Yield a table's rows (values in column order) by primary key, `size` at a time."""
    if not shape.key:
        raise DatabaseToolError(
            f"table {shape.name} has no primary key, so it cannot be read in a fixed order"
        )

    def key_of(column: str) -> str:
        if dialect == "postgresql" and column in shape.text_columns:
            return f'{_quote(column)} COLLATE "C"'
        return _quote(column)

    keys = ", ".join(key_of(c) for c in shape.key)
    after = ", ".join(f":k{i}" for i in range(len(shape.key)))
    select = f"SELECT {', '.join(_quote(c) for c in shape.columns)} FROM {_quote(shape.name)}"
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
        check = _Checksum()
        async for rows in _batches(ex, dialect, shape, batch):
            check.add(rows)
        sums[shape.name] = check.result()
    return sums


# -- comparing and copying ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableReport:
    """One table on both sides of a copy."""

    name: str
    source: TableSum
    copy: TableSum

    @property
    def ok(self) -> bool:
        """Whether both sides hold the same rows."""
        return self.source == self.copy


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What a copy (or a comparison) found, table by table, parents first."""

    schema_version: int
    tables: tuple[TableReport, ...]

    @property
    def ok(self) -> bool:
        """Whether every table matches."""
        return all(t.ok for t in self.tables)


class CopyMismatch(DatabaseToolError):
    """The copy does not match its source; the destination was left as it was."""

    def __init__(self, report: CopyReport) -> None:
        bad = ", ".join(t.name for t in report.tables if not t.ok)
        super().__init__(f"the copy does not match the source in: {bad}; nothing was written")
        self.report = report


def format_report(report: CopyReport) -> str:
    """Return the per-table counts and checksums as an aligned text table."""
    header = ("table", "source rows", "copy rows", "source checksum", "copy checksum", "")
    lines = [
        (
            t.name,
            str(t.source.rows),
            str(t.copy.rows),
            t.source.checksum[:16],
            t.copy.checksum[:16],
            "ok" if t.ok else "MISMATCH",
        )
        for t in report.tables
    ]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    numeric = {1, 2}

    def render(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([render(header), *(render(row) for row in lines)])


def _matching_shapes(
    source: dict[str, TableShape], dest: dict[str, TableShape]
) -> list[tuple[TableShape, TableShape]]:
    """Pair each source table with the destination's; refuse when their columns differ."""
    if set(source) != set(dest):
        only_source = sorted(set(source) - set(dest))
        only_dest = sorted(set(dest) - set(source))
        raise DatabaseToolError(
            "the two databases have different tables"
            f" (only in the source: {', '.join(only_source) or 'none'};"
            f" only in the destination: {', '.join(only_dest) or 'none'})"
        )
    pairs = []
    for shape in _parents_first(source):
        other = dest[shape.name]
        if set(shape.columns) != set(other.columns):
            raise DatabaseToolError(
                f"table {shape.name} has different columns on the two sides:"
                f" {', '.join(shape.columns)} / {', '.join(other.columns)}"
            )
        pairs.append((shape, other))
    return pairs


def _as_read_by(shape: TableShape, columns: Sequence[str]) -> TableShape:
    """Return the shape with its columns in the given order (so both sides hash alike)."""
    return TableShape(shape.name, tuple(columns), shape.key, shape.text_columns, shape.parents)


@asynccontextmanager
async def _snapshot(db: Database) -> AsyncIterator[Executor]:
    """Read a database as of one moment.

    PostgreSQL: a read-only repeatable-read transaction. SQLite: a write
    transaction, which also holds other writers off until the reading is done.
    """
    async with db.transaction() as tx:
        if db.dialect == "postgresql":
            await tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield tx


async def _studybot_version(ex: Executor, dialect: str, side: str) -> int:
    version = await schema_version(ex, dialect)
    latest = migrations.MIGRATIONS[-1][0]
    if version == 0:
        raise DatabaseToolError(f"the {side} is not a studybot database (it has no migrations)")
    if version > latest:
        raise DatabaseToolError(
            f"the {side} is at schema version {version}, newer than this studybot"
            f" (which knows up to {latest}); use the newer studybot"
        )
    return version


async def compare_databases(
    source: Database, dest: Database, batch: int = DEFAULT_BATCH
) -> CopyReport:
    """Compare two studybot databases table by table, by row counts and checksums."""
    async with _snapshot(source) as src, _snapshot(dest) as dst:
        version = await _studybot_version(src, source.dialect, "source")
        await _studybot_version(dst, dest.dialect, "destination")
        pairs = _matching_shapes(
            await _shapes(src, source.dialect), await _shapes(dst, dest.dialect)
        )
        reports = []
        for shape, other in pairs:
            [mine] = (await table_sums(src, source.dialect, [shape], batch)).values()
            theirs_shape = _as_read_by(other, shape.columns)
            [theirs] = (await table_sums(dst, dest.dialect, [theirs_shape], batch)).values()
            reports.append(TableReport(shape.name, mine, theirs))
    return CopyReport(version, tuple(reports))


async def copy_database(
    source: Database,
    dest: Database,
    batch: int = DEFAULT_BATCH,
    on_table: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every studybot table from `source` into the empty `dest`, and verify it.

    The destination is migrated first and must hold no studybot rows. All rows
    are written in one destination transaction, parents first, `batch` rows at
    a time; PostgreSQL identity sequences are then moved past the copied ids.
    Before committing, each destination table's count and checksum is compared
    with the source's: on any difference the transaction is rolled back and
    CopyMismatch (carrying the report) is raised. `on_table(name, rows)` is
    called as each table is done.
    """
    if batch < 1:
        raise UsageError("the batch size must be at least 1")
    async with _snapshot(source) as src:
        version = await _studybot_version(src, source.dialect, "source")
        latest = migrations.MIGRATIONS[-1][0]
        if version < latest:
            raise DatabaseToolError(
                f"the source is at schema version {version}, this studybot at {latest};"
                " migrate the source first (studybot db migrate --database SOURCE_URL)"
            )
        await migrate(dest, SystemClock())
        source_shapes = await _shapes(src, source.dialect)
        async with dest.transaction() as dst:
            pairs = _matching_shapes(source_shapes, await _shapes(dst, dest.dialect))
            await _refuse_data(dst, [other for _, other in pairs])
            copied = {}
            for shape, _ in pairs:
                copied[shape.name] = await _copy_table(src, source.dialect, shape, dst, batch)
                if dest.dialect == "postgresql":
                    await _reset_sequences(dst, shape.name)
                if on_table is not None:
                    on_table(shape.name, copied[shape.name].rows)
            # Checked once everything is in: a later table's writes may touch an earlier one.
            targets = [_as_read_by(other, shape.columns) for shape, other in pairs]
            landed = await table_sums(dst, dest.dialect, targets, batch)
            report = CopyReport(
                version,
                tuple(TableReport(name, copied[name], landed[name]) for name in copied),
            )
            if not report.ok:
                raise CopyMismatch(report)
    return report


async def _refuse_data(dst: Executor, shapes: Sequence[TableShape]) -> None:
    filled = []
    for shape in shapes:
        row = await dst.fetchrow(f"SELECT COUNT(*) AS n FROM {_quote(shape.name)}")
        if row is not None and int(row["n"]):
            filled.append(f"{shape.name} ({int(row['n'])} rows)")
    if filled:
        raise DatabaseToolError(
            "the destination already holds studybot data: "
            + ", ".join(filled)
            + "; copy into a new, empty database (or drop and recreate this one)"
        )


async def _copy_table(
    src: Executor, dialect: str, shape: TableShape, dst: Executor, batch: int
) -> TableSum:
    """Copy one table's rows; return the count and checksum of what was read."""
    check = _Checksum()
    insert = (
        f"INSERT INTO {_quote(shape.name)} ({', '.join(_quote(c) for c in shape.columns)})"
        f" VALUES ({', '.join(f':c{i}' for i in range(len(shape.columns)))})"
    )
    async for rows in _batches(src, dialect, shape, batch):
        check.add(rows)
        params = [{f"c{i}": value for i, value in enumerate(values)} for values in rows]
        try:
            await dst.executemany(insert, params)
        except Exception as exc:
            raise DatabaseToolError(
                f"the destination refused a row of {shape.name}: {exc}; nothing was written"
            ) from exc
    return check.result()


async def _reset_sequences(dst: Executor, table: str) -> None:
    """Move each identity/serial sequence of a PostgreSQL table past its largest value."""
    columns = await dst.fetch(
        "SELECT column_name, pg_get_serial_sequence("
        " quote_ident(current_schema()) || '.' || quote_ident(table_name), column_name) AS seq"
        " FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = :t",
        {"t": table},
    )
    for column in columns:
        if column["seq"] is None:
            continue
        await dst.execute(
            "SELECT setval(CAST(:seq AS regclass),"
            f" COALESCE((SELECT MAX({_quote(column['column_name'])}) FROM {_quote(table)}), 0)"
            " + 1, false)",
            {"seq": column["seq"]},
        )


# -- the `studybot db` commands, from URLs -------------------------------------


@dataclass(frozen=True, slots=True)
class MigrationRun:
    """The schema version of a database before and after `migrate`."""

    before: int
    after: int
    applied: tuple[int, ...]


async def migrate_url(url: str) -> MigrationRun:
    """Bring the database at `url` (created if it is a new SQLite file) to the latest schema."""
    db = await open_url(url, create=True)
    try:
        before = await schema_version(db, db.dialect)
        applied = await migrate(db, SystemClock())
        return MigrationRun(before, await schema_version(db, db.dialect), tuple(applied))
    finally:
        await db.close()


def _same_database(first: str, second: str) -> bool:
    if first.startswith("sqlite:///") and second.startswith("sqlite:///"):
        a, b = sqlite_path(first), sqlite_path(second)
        return isinstance(a, Path) and isinstance(b, Path) and a.resolve() == b.resolve()
    return first.rstrip("/") == second.rstrip("/")


async def copy_url(
    source_url: str,
    dest_url: str,
    batch: int = DEFAULT_BATCH,
    on_table: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy the studybot database at `source_url` into the one at `dest_url` (see copy_database)."""
    if _same_database(source_url, dest_url):
        raise UsageError("the source and the destination are the same database")
    source = await open_url(source_url, create=False)
    try:
        dest = await open_url(dest_url, create=True)
        try:
            return await copy_database(source, dest, batch, on_table)
        finally:
            await dest.close()
    finally:
        await source.close()


async def compare_urls(first_url: str, second_url: str, batch: int = DEFAULT_BATCH) -> CopyReport:
    """Compare two existing studybot databases by row counts and checksums."""
    first = await open_url(first_url, create=False)
    try:
        second = await open_url(second_url, create=False)
        try:
            return await compare_databases(first, second, batch)
        finally:
            await second.close()
    finally:
        await first.close()
