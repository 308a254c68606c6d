"""Online backups of a SQLite database, safe while the bot keeps writing to it.

SQLite's backup API copies the database page by page as of one read
transaction. In WAL mode a reader neither blocks the bot's writes nor is
blocked by them, and it sees every committed transaction, including those
still in the `-wal` file, and none that is half done. The row counts are read
in that same read transaction, so the backup can be checked against them.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.commands import UsageError
from bot.store.catalog import MIGRATIONS_TABLE
from bot.store.urls import DatabaseToolError, redact, sqlite_path

__all__ = ["BackupReport", "backup_sqlite"]

BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True, slots=True)
class BackupReport:
    """What a backup wrote (it passed every check)."""

    source: Path
    dest: Path
    size: int  # bytes
    schema_version: int
    tables: tuple[tuple[str, int], ...]  # (table, rows), by name

    def describe(self) -> str:
        """Return a few lines saying what was written and how it checked out."""
        width = max([len("table"), *(len(name) for name, _ in self.tables)])
        lines = [
            f"Backed up {self.source} to {self.dest}"
            f" ({self.size:,} bytes, schema version {self.schema_version}).",
            "Integrity check: ok; foreign keys: ok; row counts match the source.",
            f"{'table'.ljust(width)}  rows",
            *(f"{name.ljust(width)}  {rows}" for name, rows in self.tables),
        ]
        return "\n".join(lines)


async def backup_sqlite(url: str, dest: Path) -> BackupReport:
    """Back the SQLite database at `url` up into the new file `dest`, and verify it.

    The backup is written next to `dest` under a temporary name and moved into
    place only once it passed `PRAGMA integrity_check`, `PRAGMA
    foreign_key_check` and a comparison of every table's row count with the
    source's at the moment of the backup.
    """
    if url.startswith(("postgresql://", "postgres://")):
        raise UsageError(
            "studybot db backup backs up SQLite files; for PostgreSQL use pg_dump, e.g."
            f" pg_dump --format=custom --file=studybot.dump '{redact(url)}'"
        )
    if not url.startswith("sqlite:///"):
        raise UsageError(f"cannot back up {redact(url)!r}: not a sqlite:/// URL")
    source = sqlite_path(url)
    if not isinstance(source, Path):
        raise UsageError("an in-memory SQLite database cannot be backed up; name a file")
    return await asyncio.to_thread(_backup, source, dest)


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    ).fetchall()
    return [str(name) for (name,) in rows]


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    counts = {}
    for name in _tables(conn):
        quoted = '"' + name.replace('"', '""') + '"'
        (count,) = conn.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()
        counts[name] = int(count)
    return counts


def _backup(source: Path, dest: Path) -> BackupReport:
    if not source.is_file():
        raise UsageError(f"there is no SQLite database at {source}")
    if dest.exists():
        raise UsageError(f"{dest} already exists; choose a new file for the backup")
    if not dest.parent.is_dir():
        raise UsageError(f"the folder {dest.parent} does not exist")
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    try:
        with (
            closing(sqlite3.connect(source, isolation_level=None)) as src,
            closing(sqlite3.connect(partial, isolation_level=None)) as out,
        ):
            src.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            src.execute("BEGIN")  # one read snapshot for the counts and the copy
            try:
                if MIGRATIONS_TABLE not in _tables(src):
                    raise UsageError(f"{source} is not a studybot database (no migrations)")
                expected = _counts(src)
                src.backup(out)  # all pages in one step, inside the snapshot
            finally:
                src.execute("ROLLBACK")
            out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            version = _verify(out, expected)
        os.replace(partial, dest)
    except sqlite3.Error as exc:
        raise DatabaseToolError(f"cannot back up {source}: {exc}; nothing was written") from exc
    finally:
        partial.unlink(missing_ok=True)
    tables = tuple(sorted(expected.items()))
    return BackupReport(source, dest, dest.stat().st_size, version, tables)


def _verify(out: sqlite3.Connection, expected: dict[str, int]) -> int:
    """Check the backup and return its schema version; raise DatabaseToolError if unsound."""
    verdict = [str(row[0]) for row in out.execute("PRAGMA integrity_check").fetchall()]
    if verdict != ["ok"]:
        raise DatabaseToolError(
            "the backup failed its integrity check (is the source damaged?): "
            + "; ".join(verdict[:5])
            + "; nothing was written"
        )
    orphans = out.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        raise DatabaseToolError(
            f"the backup has {len(orphans)} row(s) whose foreign key points nowhere"
            f" (first in table {orphans[0][0]}); nothing was written"
        )
    counts = _counts(out)
    if counts != expected:
        differ = sorted(n for n in set(counts) | set(expected) if counts.get(n) != expected.get(n))
        raise DatabaseToolError(
            f"the backup's row counts differ from the source's in {', '.join(differ)};"
            " nothing was written"
        )
    (version,) = out.execute(f"SELECT COALESCE(MAX(version), 0) FROM {MIGRATIONS_TABLE}").fetchone()
    return int(version)
