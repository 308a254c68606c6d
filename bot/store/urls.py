"""Opening a database from its URL (`sqlite:///path/file.sqlite3`, `postgresql://...`)."""

from __future__ import annotations

from pathlib import Path

from bot.store.database import Database
from bot.store.sqlite import open_sqlite

__all__ = ["UnsupportedDatabase", "open_database", "sqlite_path"]


class UnsupportedDatabase(ValueError):
    """The database URL names a backend this build does not have."""


def sqlite_path(url: str) -> Path | str:
    """Return the file of a `sqlite:///relative` or `sqlite:////absolute` URL."""
    rest = url.removeprefix("sqlite:///")
    return ":memory:" if rest in (":memory:", "") else Path(rest)


async def open_database(url: str) -> Database:
    """Open the database a URL names."""
    if url.startswith("sqlite:///"):
        return await open_sqlite(sqlite_path(url))
    if url.startswith(("postgresql://", "postgres://")):
        from bot.store.postgres import open_postgres

        return await open_postgres(url)
    scheme = url.split(":", 1)[0]
    raise UnsupportedDatabase(
        f"STUDYBOT_DATABASE_URL uses '{scheme}', which this build cannot open; "
        "use sqlite:///path/to/studybot.sqlite3 or postgresql://user@host/db"
    )
