"""How a console script went: which of its lines failed, for an exit status and a summary."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ScriptResult"]

_LISTED_FAILURES = 20  # line numbers a summary lists at most


@dataclass(frozen=True, slots=True)
class ScriptResult:
    """How a script went: how many of its lines ran, and which failed (by line number).

    A line fails when the bot answers it with an error reply (an unknown command,
    a bad argument, an answer refused) or when it is a console command that is
    unknown or refused (`:advance soon`). Blank lines and `#` comments do not run.
    """

    ran: int
    failed: tuple[int, ...]

    def summary(self) -> str:
        """Say which lines failed, e.g. `2 of 14 lines failed: lines 3, 9`."""
        numbers = ", ".join(map(str, self.failed[:_LISTED_FAILURES]))
        more = f" and {len(self.failed) - _LISTED_FAILURES} more" if self.more_failed else ""
        word = "line" if len(self.failed) == 1 else "lines"
        return f"{len(self.failed)} of {self.ran} lines failed: {word} {numbers}{more}"

    @property
    def more_failed(self) -> bool:
        """Whether more lines failed than the summary lists."""
        return len(self.failed) > _LISTED_FAILURES
