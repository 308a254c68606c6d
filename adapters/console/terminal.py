"""Reading lines from a terminal: line editing, and a history kept between runs."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

__all__ = ["HISTORY_FILE", "HISTORY_LINES", "line_editing", "terminal_lines"]

log = logging.getLogger(__name__)

HISTORY_FILE = ".console_history"  # in the data folder, next to the SQLite file
HISTORY_LINES = 1000  # the lines of history kept


def line_editing(history: Path | None) -> Callable[[], None]:
    """Turn on line editing and recall for `input()` and return what saves the history.

    Uses the standard library's `readline` (absent on some platforms: then lines
    are read plainly). The history starts from the file `history`, if given and
    readable, and is saved back to it (the last `HISTORY_LINES`, readable by the
    owner only: it holds answers typed). Only for a terminal, never for a script.
    """
    try:
        import readline
    except ImportError:
        return lambda: None
    readline.clear_history()  # nothing from an earlier session in this process
    readline.set_history_length(HISTORY_LINES)
    if history is not None and history.is_file():
        try:
            readline.read_history_file(history)
        except OSError as exc:
            log.warning("cannot read the console history %s: %s", history, exc)

    def save() -> None:
        if history is None:
            return
        try:
            history.touch(mode=0o600, exist_ok=True)
            os.chmod(history, 0o600)
            readline.write_history_file(history)
        except OSError as exc:
            log.warning("cannot save the console history %s: %s", history, exc)

    return save


async def terminal_lines(get_prompt: Callable[[], str]) -> AsyncIterator[str]:
    """Yield the lines typed at the terminal after each prompt, until end of input."""
    while True:
        try:
            line = await asyncio.to_thread(input, get_prompt())
        except EOFError:
            return
        yield line
