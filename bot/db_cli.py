"""`studybot db`: migrate, copy, verify and back up the database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.subcommands import CommandLineError, Subcommands

__all__ = ["add_db_commands", "check_database_folder", "database_command", "database_url"]

Handler = Callable[[argparse.Namespace], int]


def check_database_folder(url: str, *, create: bool) -> None:
    """Refuse a SQLite file in a folder that does not exist, unless `create` or the default.

    The default database (`./studybot-data/studybot.sqlite3`) gets its folder made,
    so that a fresh clone runs; a folder named on purpose is more likely mistyped.
    """
    from bot.config import DEFAULT_DATABASE_URL
    from bot.store.urls import missing_folder

    folder = missing_folder(url)
    if folder is None or url == DEFAULT_DATABASE_URL:
        return
    if create:
        folder.mkdir(parents=True, exist_ok=True)
        return
    if folder.exists():
        raise CommandLineError(f"{folder}, where the database would be, is not a folder")
    raise CommandLineError(
        f"the folder {folder} for the database does not exist: create it, or let "
        "`studybot db migrate --create` create it"
    )


def database_command(work: Callable[[argparse.Namespace], Coroutine[Any, Any, int]]) -> Handler:
    """Wrap a handler that opens the database: known failures become a message and a status."""

    def handler(args: argparse.Namespace) -> int:
        import asyncio
        import sqlite3

        import asyncpg

        from bot.commands import UsageError
        from bot.config import ConfigError
        from bot.content.bank import ContentError
        from bot.store.urls import DatabaseToolError

        try:
            return asyncio.run(work(args))
        except (ConfigError, ContentError, UsageError, CommandLineError) as exc:
            print(f"studybot: {exc}", file=sys.stderr)
            return 2
        except DatabaseToolError as exc:
            print(f"studybot: {exc}", file=sys.stderr)
            return exc.status
        except (OSError, sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            print(f"studybot: database error: {exc}", file=sys.stderr)
            return 1

    return handler


def database_url(args: argparse.Namespace) -> str:
    """Return the database URL a command names with --database, else the configured one."""
    from bot.config import Config

    url: str = args.database or Config.from_env().database_url
    return url


def _bank_categories() -> Callable[[str], str | None]:
    """Return the configured bank's `category_of`, the bank loaded the first time it is asked."""
    import functools

    from bot.config import Config
    from bot.content.bank import QuestionBank
    from bot.content.cache import load_bank_cached

    @functools.cache
    def bank() -> QuestionBank:
        config = Config.from_env()
        return load_bank_cached(config.content_dir, config.cache_dir)

    return lambda question_id: bank().category_of(question_id)


async def _db_migrate(args: argparse.Namespace) -> int:
    from bot.store.transfer import migrate_url
    from bot.store.urls import redact

    url = database_url(args)
    check_database_folder(url, create=args.create)
    run = await migrate_url(url, _bank_categories())
    done = f"applied {', '.join(map(str, run.applied))}" if run.applied else "already up to date"
    print(f"{redact(url)}: schema version {run.before} -> {run.after} ({done})")
    return 0


async def _db_copy(args: argparse.Namespace) -> int:
    from bot.store.transfer import CopyMismatch, copy_url, format_report

    def progress(table: str, rows: int) -> None:
        print(f"copied {table}: {rows} rows", file=sys.stderr)

    try:
        report = await copy_url(args.source, args.dest, args.batch_size, progress)
    except CopyMismatch as exc:
        print(format_report(exc.report))
        raise
    print(format_report(report))
    print(
        f"\nOK: {len(report.tables)} tables copied and verified (schema version "
        f"{report.schema_version}); point STUDYBOT_DATABASE_URL at the destination."
    )
    return 0


async def _db_verify(args: argparse.Namespace) -> int:
    from bot.store.transfer import compare_urls, format_report

    report = await compare_urls(args.source, args.dest)
    print(format_report(report))
    if not report.ok:
        print("\nThe databases differ.", file=sys.stderr)
        return 1
    print(f"\nOK: {len(report.tables)} tables hold the same rows.")
    return 0


async def _db_backup(args: argparse.Namespace) -> int:
    from bot.store.backup import backup_sqlite

    report = await backup_sqlite(database_url(args), args.dest)
    print(report.describe())
    return 0


_QUIET_SOURCE = (
    "Stop the bot (every replica) before copying: it must not write to the source while "
    "the copy reads it. A SQLite source is read under its write lock, so a running bot's "
    "writes would wait and then fail."
)


_CREATE_HELP = (
    "create the SQLite file's folder if it does not exist (without it a missing folder is "
    "refused, as likely mistyped; the default ./studybot-data is always created)"
)


def add_db_commands(commands: Subcommands) -> None:
    """Add `studybot db` and its subcommands."""
    db = commands.add("db", "migrate, copy, verify and back up the database")
    db_commands = Subcommands(db, "db_command")
    database_help = "database URL (default: STUDYBOT_DATABASE_URL, else the SQLite file)"

    migrate = db_commands.add(
        "migrate",
        "bring the database to the latest schema",
        description="Apply the migrations the database lacks (safe to run again). A new "
        "SQLite file is created, but not its folder unless --create is given (the default "
        "./studybot-data is always created).",
    )
    migrate.add_argument("--database", help=database_help)
    migrate.add_argument("--create", action="store_true", help=_CREATE_HELP)
    migrate.set_defaults(handler=database_command(_db_migrate))

    copy = db_commands.add(
        "copy",
        "copy a whole studybot database to another (e.g. SQLite to PostgreSQL)",
        description="Copy every table of the studybot database at SRC_URL into the empty "
        "database at DST_URL (migrated first), in one transaction, then compare row counts "
        "and checksums table by table; on any difference nothing is written and the exit "
        "status is 1. " + _QUIET_SOURCE,
    )
    copy.add_argument("source", metavar="SRC_URL")
    copy.add_argument("dest", metavar="DST_URL")
    copy.add_argument(
        "--batch-size", type=int, default=1000, help="rows read and written at a time"
    )
    copy.set_defaults(handler=database_command(_db_copy))

    verify = db_commands.add(
        "verify",
        "compare two studybot databases by row counts and checksums",
        description="Compare two studybot databases table by table (e.g. a copy with its "
        "source before switching over); exit status 1 if they differ.",
    )
    verify.add_argument("source", metavar="SRC_URL")
    verify.add_argument("dest", metavar="DST_URL")
    verify.set_defaults(handler=database_command(_db_verify))

    backup = db_commands.add(
        "backup",
        "back a SQLite database up into a new file, while the bot runs",
        description="Back the SQLite database up with SQLite's online backup API (safe while "
        "the bot runs), check the copy (integrity, foreign keys, row counts) and only then "
        "give it its name. For PostgreSQL use pg_dump.",
    )
    backup.add_argument("dest", metavar="DEST", type=Path, help="the new backup file")
    backup.add_argument("--database", help=database_help)
    backup.set_defaults(handler=database_command(_db_backup))
