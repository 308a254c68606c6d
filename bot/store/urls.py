"""Opening a database from its URL (`sqlite:///path/file.sqlite3`, `postgresql://...`).

The one way the bot and the `studybot db` tools open a database: a URL or
file that cannot be used raises UsageError (a command line exits with 2),
a database that cannot be reached DatabaseToolError (exits with 1).
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot.commands import UsageError
from bot.store.database import Database
from bot.store.sqlite import open_sqlite

__all__ = [
    "CONNECT_TIMEOUT",
    "DatabaseToolError",
    "missing_folder",
    "open_database",
    "redact",
    "sqlite_path",
]

# How long opening a PostgreSQL pool may take before the server counts as unreachable.
CONNECT_TIMEOUT = 15.0
_SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_path(url: str) -> Path | str:
    """Return the file of a `sqlite:///relative` or `sqlite:////absolute` URL."""
    rest = url.removeprefix("sqlite:///")
    return ":memory:" if rest in (":memory:", "") else Path(rest)


def missing_folder(url: str) -> Path | None:
    """Return the folder a SQLite URL's file would be in unless it is a folder, else None.

    Opening the database creates that folder (see `bot.store.sqlite.open_sqlite`); a
    command line asks this first, to refuse a mistyped folder rather than make it.
    """
    if not url.startswith("sqlite:///"):
        return None
    path = sqlite_path(url)
    if not isinstance(path, Path) or path.parent.is_dir():
        return None
    return path.parent


class DatabaseToolError(Exception):
    """A database command cannot do what it was asked (exit status 1)."""

    status = 1


def redact(url: str) -> str:
    """Return a database URL with its password, if any, replaced by `***`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


async def open_database(url: str, *, create: bool = True, max_connections: int = 10) -> Database:
    """Open the database a URL names, turning every way it can fail into a plain error.

    A SQLite file that does not exist is created only when `create` is true; a
    PostgreSQL pool holds at most `max_connections`. A URL or file that cannot
    be used raises UsageError; a server that cannot be reached, DatabaseToolError.
    """
    if url.startswith("sqlite:///"):
        return await _open_sqlite_file(url, create)
    if url.startswith(("postgresql://", "postgres://")):
        return await _open_postgres_server(url, max_connections)
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


async def _open_postgres_server(url: str, max_connections: int) -> Database:
    import asyncpg

    from bot.store.postgres import open_postgres

    where = redact(url)
    try:
        return await asyncio.wait_for(open_postgres(url, max_size=max_connections), CONNECT_TIMEOUT)
    except (ValueError, asyncpg.ClientConfigurationError) as exc:
        raise UsageError(f"cannot read the PostgreSQL URL {where}: {exc}") from exc
    except TimeoutError as exc:
        raise DatabaseToolError(
            f"PostgreSQL at {where} did not answer within {CONNECT_TIMEOUT:.0f} s"
        ) from exc
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise DatabaseToolError(f"cannot connect to PostgreSQL at {where}: {exc}") from exc
