"""The `studybot` command: run the bot, and look after its question bank."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Config

Handler = Callable[[argparse.Namespace], int]

__all__ = ["main"]


def _default_content_dir() -> Path:
    from bot.config import default_content_dir

    return default_content_dir()


def _content_lint(args: argparse.Namespace) -> int:
    from bot.content.lint import format_stats, lint_content

    report = lint_content(args.content, [Path(f) for f in args.file], run_code=not args.no_code)
    for problem in report.problems:
        print(problem)
    print(format_stats(report.questions))
    if report.problems:
        print(f"\n{len(report.problems)} problem(s) in {len(report.questions)} question(s).")
        return 1
    print(f"\nOK: {len(report.questions)} question(s), no problems.")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from bot.content.bank import ContentError, load_bank
    from bot.grading.report import verdict

    try:
        bank = load_bank(args.content)
    except ContentError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    if args.batch is None:
        if args.question is None:
            print("studybot: name a question, or give --batch FILE", file=sys.stderr)
            return 2
        question = bank.get(args.question)
        if question is None:
            print(f"studybot: no question {args.question!r} in the bank", file=sys.stderr)
            return 2
        print(json.dumps(verdict(question, sys.stdin.read()), ensure_ascii=False))
        return 0
    text = sys.stdin.read() if args.batch == "-" else Path(args.batch).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            question = bank.get(str(item["question"]))
            answer = str(item["answer"])
        except (ValueError, KeyError, TypeError) as exc:
            print(
                f"studybot: line {number}: not {{question, answer}} JSON ({exc})",
                file=sys.stderr,
            )
            return 2
        if question is None:
            print(f"studybot: line {number}: no question {item['question']!r}", file=sys.stderr)
            return 2
        print(json.dumps(verdict(question, answer), ensure_ascii=False))
    return 0


def _content_stats(args: argparse.Namespace) -> int:
    from bot.content.bank import ContentError, load_bank
    from bot.content.lint import format_stats

    try:
        bank = load_bank(args.content)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(format_stats(bank))
    return 0


def _content_schema(args: argparse.Namespace) -> int:
    from bot.content.schema import question_json_schema

    print(json.dumps(question_json_schema(), indent=2))
    return 0


# Each platform's adapter package, imported only when chosen (a console start stays light).
# The module offers `platform_from_env(env) -> bot.service.Platform`.
PLATFORM_MODULES = {"discord": "adapters.discord.main", "slack": "adapters.slack.main"}


def _run(args: argparse.Namespace) -> int:
    import os
    from dataclasses import replace

    from bot.config import Config, ConfigError, read_env_file
    from bot.telemetry.logs import configure_logging

    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    if args.database:
        config = replace(config, database_url=args.database)
    # Secrets to keep out of the logs: the environment's, .env's, and the database password.
    env = {**read_env_file(Path(".env")), **os.environ}
    configure_logging(
        config.log_level,
        config.log_format,
        {**env, "STUDYBOT_DATABASE_URL": config.database_url},
    )
    if args.platform == "console":
        return _run_console(args, config)
    return _run_platform(args.platform, config)


def _run_platform(name: str, config: Config) -> int:
    import asyncio
    import importlib
    import os

    from bot.config import ConfigError, read_env_file
    from bot.service import run_service

    module = importlib.import_module(PLATFORM_MODULES[name])
    env = {**read_env_file(Path(".env")), **os.environ}
    try:
        platform = module.platform_from_env(env)
    except ConfigError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    status: int = asyncio.run(run_service(config, platform))
    return status


def _run_console(args: argparse.Namespace, config: Config) -> int:
    import asyncio

    from adapters.console.adapter import stdin_is_terminal
    from adapters.console.main import ConsoleOptions, run_console
    from adapters.console.translate import parse_moment

    try:
        start = parse_moment(args.start) if args.start else None
    except ValueError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    lines: Iterable[str] | None
    if args.script and args.script != "-":
        lines = Path(args.script).read_text(encoding="utf-8").splitlines()
    elif args.script == "-" or not stdin_is_terminal():
        lines = sys.stdin
    else:
        lines = None
    options = ConsoleOptions(start, args.member, args.admin, args.channel)
    return asyncio.run(run_console(config, options, lines))


# -- studybot db: migrate, copy, verify, backup --------------------------------


def _db_command(work: Callable[[argparse.Namespace], Coroutine[Any, Any, int]]) -> Handler:
    """Wrap a `studybot db` handler: known failures become a message and an exit status."""

    def handler(args: argparse.Namespace) -> int:
        import asyncio
        import sqlite3

        import asyncpg

        from bot.commands import UsageError
        from bot.config import ConfigError
        from bot.store.urls import DatabaseToolError

        try:
            return asyncio.run(work(args))
        except (ConfigError, UsageError) as exc:
            print(f"studybot: {exc}", file=sys.stderr)
            return 2
        except DatabaseToolError as exc:
            print(f"studybot: {exc}", file=sys.stderr)
            return exc.status
        except (OSError, sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            print(f"studybot: database error: {exc}", file=sys.stderr)
            return 1

    return handler


def _database_url(args: argparse.Namespace) -> str:
    from bot.config import Config

    url: str = args.database or Config.from_env().database_url
    return url


async def _db_migrate(args: argparse.Namespace) -> int:
    from bot.store.transfer import migrate_url
    from bot.store.urls import redact

    url = _database_url(args)
    run = await migrate_url(url)
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

    report = await backup_sqlite(_database_url(args), args.dest)
    print(report.describe())
    return 0


_QUIET_SOURCE = (
    "Stop the bot (every replica) before copying: it must not write to the source while "
    "the copy reads it. A SQLite source is read under its write lock, so a running bot's "
    "writes would wait and then fail."
)


def _add_db_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="migrate, copy, verify and back up the database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    database_help = "database URL (default: STUDYBOT_DATABASE_URL, else the SQLite file)"

    migrate = db_commands.add_parser(
        "migrate",
        help="bring the database to the latest schema",
        description="Apply the migrations the database lacks (safe to run again).",
    )
    migrate.add_argument("--database", help=database_help)
    migrate.set_defaults(handler=_db_command(_db_migrate))

    copy = db_commands.add_parser(
        "copy",
        help="copy a whole studybot database to another (e.g. SQLite to PostgreSQL)",
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
    copy.set_defaults(handler=_db_command(_db_copy))

    verify = db_commands.add_parser(
        "verify",
        help="compare two studybot databases by row counts and checksums",
        description="Compare two studybot databases table by table (e.g. a copy with its "
        "source before switching over); exit status 1 if they differ.",
    )
    verify.add_argument("source", metavar="SRC_URL")
    verify.add_argument("dest", metavar="DST_URL")
    verify.set_defaults(handler=_db_command(_db_verify))

    backup = db_commands.add_parser(
        "backup",
        help="back a SQLite database up into a new file, while the bot runs",
        description="Back the SQLite database up with SQLite's online backup API (safe while "
        "the bot runs), check the copy (integrity, foreign keys, row counts) and only then "
        "give it its name. For PostgreSQL use pg_dump.",
    )
    backup.add_argument("dest", metavar="DEST", type=Path, help="the new backup file")
    backup.add_argument("--database", help=database_help)
    backup.set_defaults(handler=_db_command(_db_backup))


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the `studybot` command line."""
    parser = argparse.ArgumentParser(prog="studybot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the bot (the console by default)")
    run.add_argument(
        "--platform",
        choices=["console", *PLATFORM_MODULES],
        default="console",
        help="where the bot talks (console: a channel in this terminal; discord and slack "
        "read their tokens from the environment)",
    )
    run.add_argument(
        "--database",
        help="database URL (default: STUDYBOT_DATABASE_URL or a SQLite file in ./studybot-data)",
    )
    run.add_argument("--script", help="run console lines from this file ('-': standard input)")
    run.add_argument(
        "--start",
        help="the simulated clock's start, e.g. 2026-12-01T08:00 (UTC); default: where the "
        "database's last activity left it, or Mon 2026-11-30 12:00 UTC on a new database",
    )
    run.add_argument("--as", dest="member", default="alice", help="who you are at first")
    run.add_argument("--admin", action="store_true", help="start as an admin of the channel")
    run.add_argument("--channel", default="general", help="the channel you start in")
    run.set_defaults(handler=_run)

    content = commands.add_parser("content", help="check and describe the question bank")
    content.add_argument(
        "--content", type=Path, default=None, help="the content folder (default: the bundled one)"
    )
    content_commands = content.add_subparsers(dest="content_command", required=True)
    lint = content_commands.add_parser("lint", help="check the bank and print its counts")
    lint.add_argument("--file", action="append", default=[], help="check only this file")
    lint.add_argument("--no-code", action="store_true", help="skip running coding solutions")
    lint.set_defaults(handler=_content_lint)
    stats = content_commands.add_parser("stats", help="print counts per category and difficulty")
    stats.set_defaults(handler=_content_stats)
    schema = content_commands.add_parser("schema", help="print the JSON Schema of a question file")
    schema.set_defaults(handler=_content_schema)

    grade = commands.add_parser(
        "grade", help="grade an answer (standard input) or a batch of them, as JSON"
    )
    grade.add_argument("question", nargs="?", help="the question's id")
    grade.add_argument(
        "--batch", help='a file of JSON lines {"question": ID, "answer": TEXT} ("-": stdin)'
    )
    grade.add_argument(
        "--content", type=Path, default=None, help="the content folder (default: the bundled one)"
    )
    grade.set_defaults(handler=_grade)

    _add_db_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `studybot` command line and return its exit status."""
    args = build_parser().parse_args(argv)
    if getattr(args, "content", None) is None and args.command in ("content", "grade"):
        args.content = _default_content_dir()
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
