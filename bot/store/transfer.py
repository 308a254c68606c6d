"""Moving a whole studybot database between backends, verified by counts and checksums.

The tables and their shapes come from each database's catalog (`bot.store.catalog`),
so a table or column a later migration adds is copied too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.clock import SystemClock
from bot.commands import UsageError
from bot.store import migrations
from bot.store.catalog import (
    DEFAULT_BATCH,
    Checksum,
    TableShape,
    TableSum,
    parents_first,
    quote_name,
    row_batches,
    schema_version,
    table_shapes,
    table_sums,
)
from bot.store.category_backfill import CategoryOf
from bot.store.database import Database, Executor
from bot.store.migrations import migrate
from bot.store.urls import DatabaseToolError, open_database, sqlite_path

__all__ = [
    "CopyMismatch",
    "CopyReport",
    "MigrationRun",
    "TableReport",
    "compare_databases",
    "compare_urls",
    "copy_database",
    "copy_url",
    "format_report",
    "migrate_url",
]


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
    for shape in parents_first(source):
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
            await table_shapes(src, source.dialect), await table_shapes(dst, dest.dialect)
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
        source_shapes = await table_shapes(src, source.dialect)
        async with dest.transaction() as dst:
            pairs = _matching_shapes(source_shapes, await table_shapes(dst, dest.dialect))
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
        row = await dst.fetchrow(f"SELECT COUNT(*) AS n FROM {quote_name(shape.name)}")
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
    check = Checksum()
    insert = (
        f"INSERT INTO {quote_name(shape.name)} ({', '.join(quote_name(c) for c in shape.columns)})"
        f" VALUES ({', '.join(f':c{i}' for i in range(len(shape.columns)))})"
    )
    async for rows in row_batches(src, dialect, shape, batch):
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
            f" COALESCE((SELECT MAX({quote_name(column['column_name'])})"
            f" FROM {quote_name(table)}), 0)"
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


async def migrate_url(url: str, category_of: CategoryOf | None = None) -> MigrationRun:
    """Bring the database at `url` (created if it is a new SQLite file) to the latest schema.

    `category_of`: the bank's, for rounds revealed before leaderboards per category.
    """
    db = await open_database(url, create=True)
    try:
        before = await schema_version(db, db.dialect)
        applied = await migrate(db, SystemClock(), category_of)
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
    source = await open_database(source_url, create=False)
    try:
        dest = await open_database(dest_url, create=True)
        try:
            return await copy_database(source, dest, batch, on_table)
        finally:
            await dest.close()
    finally:
        await source.close()


async def compare_urls(first_url: str, second_url: str, batch: int = DEFAULT_BATCH) -> CopyReport:
    """Compare two existing studybot databases by row counts and checksums."""
    first = await open_database(first_url, create=False)
    try:
        second = await open_database(second_url, create=False)
        try:
            return await compare_databases(first, second, batch)
        finally:
            await second.close()
    finally:
        await first.close()
