"""The `studybot` command: run the bot, and look after its question bank."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.db_cli import add_db_commands, check_database_folder, database_command, database_url
from bot.subcommands import CommandLineError, Subcommands

T = TypeVar("T")

if TYPE_CHECKING:
    from bot.config import Config
    from bot.content.bank import QuestionBank
    from bot.store.sql_store import SqlStore

__all__ = ["build_parser", "main"]

# The distribution whose version `studybot --version` prints.
DISTRIBUTION = "studybot"


def _default_content_dir() -> Path:
    from bot.config import default_content_dir

    return default_content_dir()


def _check_bank_folder(content_dir: Path) -> None:
    """Raise CommandLineError unless `content_dir` is a folder with question files in it."""
    if not content_dir.is_dir():
        what = "is not a folder" if content_dir.exists() else "does not exist"
        raise CommandLineError(
            f"no question bank at {content_dir}: it {what} (name the folder holding "
            "questions/*.yaml with --content or STUDYBOT_CONTENT_DIR)"
        )
    if not any((content_dir / "questions").glob("*.yaml")):
        raise CommandLineError(
            f"no question bank at {content_dir}: it has no questions/*.yaml files"
        )


def _version() -> str:
    """Return the installed studybot's version, or a note that it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "(not installed)"


def _content_lint(args: argparse.Namespace) -> int:
    from bot.content.lint import format_stats, lint_content

    if not args.file:  # the whole bank: there must be one
        _check_bank_folder(args.content)
    report = lint_content(args.content, [Path(f) for f in args.file], run_code=not args.no_code)
    if not report.questions and not report.problems and not args.file:
        raise CommandLineError(
            f"no question bank at {args.content}: its question files hold no questions"
        )
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

    _check_bank_folder(args.content)
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
    text = sys.stdin.read() if args.batch == "-" else _read_text(args.batch, "batch")
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

    _check_bank_folder(args.content)
    try:
        bank = load_bank(args.content)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(format_stats(bank))
    return 0


async def _read_for_maintainers(
    args: argparse.Namespace, needs: int, what: str, read: Callable[[SqlStore], Awaitable[T]]
) -> tuple[QuestionBank, T]:
    """Return the bank and what `read` takes from the database (at least schema `needs`)."""
    from bot.clock import SystemClock
    from bot.content.bank import load_bank
    from bot.store.catalog import schema_version
    from bot.store.sql_store import SqlStore
    from bot.store.urls import open_database, redact

    _check_bank_folder(args.content)
    bank = load_bank(args.content)
    url = database_url(args)
    check_database_folder(url, create=False)
    db = await open_database(url, create=False)
    store = SqlStore(db, SystemClock())
    try:
        version = await schema_version(db, db.dialect)
        if version < needs:
            raise CommandLineError(
                f"{redact(url)} is at schema version {version}, from before {what}: "
                "run `studybot db migrate` first"
            )
        return bank, await read(store)
    finally:
        await store.close()


async def _content_appeals(args: argparse.Namespace) -> int:
    from bot.content.appeal_report import appeal_report, format_report
    from bot.store.migrations import APPEALS_VERSION

    bank, outcomes = await _read_for_maintainers(
        args, APPEALS_VERSION, "appeals", lambda store: store.appeal_outcomes()
    )
    print(format_report(appeal_report(outcomes, bank)))
    return 0


async def _content_reports(args: argparse.Namespace) -> int:
    from bot.content.problem_reports import format_reports
    from bot.store.migrations import REPORTS_VERSION

    bank, reports = await _read_for_maintainers(
        args, REPORTS_VERSION, "problem reports", lambda store: store.problem_reports()
    )
    print(format_reports(reports, bank))
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
    check_database_folder(config.database_url, create=False)
    script = _read_script(args.script) if args.platform == "console" else None
    bank = _load_bank_to_run(config)
    # Secrets to keep out of the logs: the environment's, .env's, and the database password.
    env = {**read_env_file(Path(".env")), **os.environ}
    configure_logging(
        config.log_level,
        config.log_format,
        {**env, "STUDYBOT_DATABASE_URL": config.database_url},
    )
    if args.platform == "console":
        return _run_console(args, config, bank, script)
    return _run_platform(args.platform, config, bank)


def _read_script(script: str | None) -> list[str] | None:
    """Return the lines of `--script FILE` (None if none or "-"); CommandLineError if unreadable."""
    if not script or script == "-":
        return None
    return _read_text(script, "script").splitlines()


def _read_text(name: str, what: str) -> str:
    """Return the text of the file `name`; CommandLineError (naming `what` it is) if unreadable."""
    try:
        return Path(name).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommandLineError(f"cannot read the {what} {name}: it is not UTF-8 text") from None
    except OSError as exc:
        raise CommandLineError(f"cannot read the {what} {name}: {exc.strerror or exc}") from None


def _load_bank_to_run(config: Config) -> QuestionBank:
    """Return the bank the bot would run with; CommandLineError if it is missing or empty.

    A bot started without questions would start, then fail at every post time.
    """
    from bot.content.bank import ContentError
    from bot.content.cache import load_bank_cached

    _check_bank_folder(config.content_dir)
    try:
        bank = load_bank_cached(config.content_dir, config.cache_dir)
    except ContentError as exc:
        raise CommandLineError(str(exc)) from None
    if len(bank) == 0:
        raise CommandLineError(
            f"no question bank at {config.content_dir}: its question files hold no questions"
        )
    return bank


def _run_platform(name: str, config: Config, bank: QuestionBank) -> int:
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
    status: int = asyncio.run(run_service(config, platform, bank=bank))
    return status


def _run_console(
    args: argparse.Namespace, config: Config, bank: QuestionBank, script: list[str] | None
) -> int:
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
    if script is not None:
        lines = script
    elif args.script == "-" or not stdin_is_terminal():
        lines = sys.stdin
    else:
        lines = None
    options = ConsoleOptions(start, args.member, args.admin, args.channel)
    return asyncio.run(run_console(config, options, lines, bank=bank))


_CONTENT_HELP = "the content folder (default: STUDYBOT_CONTENT_DIR, else the bundled one)"


def _add_content_commands(commands: Subcommands) -> None:
    """Add `studybot content` and its subcommands."""
    content = commands.add("content", "check and describe the question bank")
    content.add_argument("--content", type=Path, default=None, help=_CONTENT_HELP)
    # `--content` is taken after the subcommand too; there it leaves an earlier one alone
    # unless given.
    content_option = argparse.ArgumentParser(add_help=False)
    content_option.add_argument(
        "--content", type=Path, default=argparse.SUPPRESS, help=_CONTENT_HELP
    )
    content_commands = Subcommands(content, "content_command")
    lint = content_commands.add(
        "lint", "check the bank and print its counts", parents=[content_option]
    )
    lint.add_argument("--file", action="append", default=[], help="check only this file")
    lint.add_argument("--no-code", action="store_true", help="skip running coding solutions")
    lint.set_defaults(handler=_content_lint)
    stats = content_commands.add(
        "stats", "print counts per category and difficulty", parents=[content_option]
    )
    stats.set_defaults(handler=_content_stats)
    appeals = content_commands.add(
        "appeals",
        "per question and key point, how often appeals changed the grade",
        parents=[content_option],
        description="Read the decided appeals from the database and print, per question, how "
        "many were decided and upheld, and which key points humans credited or withdrew: the "
        "key points that misgrade.",
    )
    appeals.add_argument(
        "--database", help="database URL (default: STUDYBOT_DATABASE_URL, else the SQLite file)"
    )
    appeals.set_defaults(handler=database_command(_content_appeals))
    reports = content_commands.add(
        "reports",
        "per question, the problems members reported and their notes",
        parents=[content_option],
        description="Read from the database the problems members reported with a reveal's "
        "'Report a problem' button and print, per question (most reported first), how many "
        "reports it has and their notes, newest first.",
    )
    reports.add_argument(
        "--database", help="database URL (default: STUDYBOT_DATABASE_URL, else the SQLite file)"
    )
    reports.set_defaults(handler=database_command(_content_reports))
    schema = content_commands.add("schema", "print the JSON Schema of a question file")
    schema.set_defaults(handler=_content_schema)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the `studybot` command line."""
    parser = argparse.ArgumentParser(prog="studybot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = Subcommands(parser, "command")

    run = commands.add("run", "run the bot (the console by default)")
    run.add_argument(
        "--platform",
        choices=["console", *PLATFORM_MODULES],
        default="console",
        help="where the bot talks (console: a channel in this terminal; discord and slack "
        "read their tokens from the environment)",
    )
    run.add_argument(
        "--database",
        help="database URL (default: STUDYBOT_DATABASE_URL or a SQLite file in ./studybot-data, "
        "created if missing; the folder of any other SQLite file must exist)",
    )
    run.add_argument(
        "--script",
        help="run console lines from this file ('-': standard input); the exit status is 1 "
        "if a line failed (an error reply, an unknown or refused console command)",
    )
    run.add_argument(
        "--start",
        help="the simulated clock's start, e.g. 2026-12-01T08:00 (UTC); default: where the "
        "database's last activity left it, or Mon 2026-11-30 12:00 UTC on a new database",
    )
    run.add_argument("--as", dest="member", default="alice", help="who you are at first")
    run.add_argument("--admin", action="store_true", help="start as an admin of the channel")
    run.add_argument("--channel", default="general", help="the channel you start in")
    run.set_defaults(handler=_run)

    _add_content_commands(commands)

    grade = commands.add("grade", "grade an answer (standard input) or a batch of them, as JSON")
    grade.add_argument("question", nargs="?", help="the question's id")
    grade.add_argument(
        "--batch", help='a file of JSON lines {"question": ID, "answer": TEXT} ("-": stdin)'
    )
    grade.add_argument("--content", type=Path, default=None, help=_CONTENT_HELP)
    grade.set_defaults(handler=_grade)

    add_db_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `studybot` command line and return its exit status."""
    args = build_parser().parse_args(argv)
    if getattr(args, "content", None) is None and args.command in ("content", "grade"):
        args.content = _default_content_dir()
    try:
        code: int = args.handler(args)
    except CommandLineError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
