"""The `studybot` command: run the bot, and look after its question bank."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config

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
    import logging
    from dataclasses import replace

    from bot.config import Config, ConfigError

    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    if args.database:
        config = replace(config, database_url=args.database)
    logging.basicConfig(
        level=config.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
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
    from datetime import UTC, datetime

    from adapters.console.adapter import stdin_is_terminal
    from adapters.console.main import ConsoleOptions, run_console
    from adapters.console.translate import parse_moment

    try:
        start = parse_moment(args.start) if args.start else datetime.now(UTC)
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
    run.add_argument("--start", help="the simulated clock's start, e.g. 2026-12-01T08:00 (UTC)")
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `studybot` command line and return its exit status."""
    args = build_parser().parse_args(argv)
    if getattr(args, "content", None) is None and args.command == "content":
        args.content = _default_content_dir()
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
