"""What the log lines of a piece of work carry: its group and round, and text kept private.

The fields live in a context variable, so each asyncio task (an adapter's
event, a scheduled job) sees its own. A function decorated with `log_scope`
restores the fields it found when it returns, so work done one after another
in the same task (recovery at start-up, the console's simulated clock) does
not leak one round's ids into the next round's lines.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, ParamSpec, TypeVar

__all__ = [
    "LogContext",
    "bind_round",
    "current",
    "keep_private",
    "log_scope",
    "scope",
]

P = ParamSpec("P")
R = TypeVar("R")

# Shorter texts (a one-word answer like "yes") are not withheld: replacing them
# wherever they occur would garble unrelated words of the line.
MIN_PRIVATE_CHARS = 4


@dataclass(frozen=True, slots=True)
class LogContext:
    """The fields added to every log line, and the texts no INFO line may show."""

    group_id: int | None = None
    round_id: int | None = None
    private: frozenset[str] = field(default_factory=frozenset)

    def fields(self) -> dict[str, int]:
        """Return the ids that are set, by name."""
        out: dict[str, int] = {}
        if self.group_id is not None:
            out["group_id"] = self.group_id
        if self.round_id is not None:
            out["round_id"] = self.round_id
        return out


_NOTHING = LogContext()
_CONTEXT: ContextVar[LogContext] = ContextVar("studybot_log_context", default=_NOTHING)


def current() -> LogContext:
    """Return the log context of the running work."""
    return _CONTEXT.get()


def bind_round(group_id: int | None = None, round_id: int | None = None) -> None:
    """Say which group and round the running work is about (None: not about one)."""
    _CONTEXT.set(replace(_CONTEXT.get(), group_id=group_id, round_id=round_id))


def keep_private(text: str) -> None:
    """Withhold `text` (a member's answer) from every INFO-or-above line of the running work."""
    pieces = {text.strip(), *(line.strip() for line in text.splitlines())}
    kept = {p for p in pieces if len(p) >= MIN_PRIVATE_CHARS}
    if kept:
        now = _CONTEXT.get()
        _CONTEXT.set(replace(now, private=now.private | kept))


@contextlib.contextmanager
def scope(*, fresh: bool = False) -> Iterator[None]:
    """Run a block whose bindings are undone at its end; `fresh` starts from no fields."""
    token = _CONTEXT.set(_NOTHING if fresh else _CONTEXT.get())
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def log_scope(work: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Decorate a coroutine function whose `bind_round` calls must not outlive it."""

    @functools.wraps(work)
    async def scoped(*args: P.args, **kwargs: P.kwargs) -> R:
        with scope():
            return await work(*args, **kwargs)

    return scoped
