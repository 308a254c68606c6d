"""The command line's subcommands, and its usage errors."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["CommandLineError", "Subcommands"]


class CommandLineError(Exception):
    """A command line that cannot be run as given: one line for stderr, exit status 2."""


class Subcommands:
    """The subcommands of a command, kept with their help to list when none is named."""

    def __init__(self, parser: argparse.ArgumentParser, dest: str) -> None:
        self.parser = parser
        self._action = parser.add_subparsers(dest=dest)
        self._listed: list[tuple[str, str]] = []
        parser.set_defaults(handler=self.missing)  # a named subcommand sets its own

    def add(self, name: str, help: str, **options: Any) -> argparse.ArgumentParser:
        """Add the subcommand `name` and return its parser."""
        self._listed.append((name, help))
        return self._action.add_parser(name, help=help, **options)

    def missing(self, args: argparse.Namespace) -> int:
        """Say that a subcommand is needed and list them; exit status 2."""
        prog = self.parser.prog
        width = max(len(name) for name, _ in self._listed)
        lines = [
            self.parser.format_usage().rstrip(),
            f"{prog}: say what to do, one of:",
            *(f"  {name:<{width}}  {help}" for name, help in self._listed),
            f"(`{prog} COMMAND --help` tells more about one)",
        ]
        print("\n".join(lines), file=sys.stderr)
        return 2
