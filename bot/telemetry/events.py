"""Observing the core's handling of an adapter event: its latency, and its log context."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from bot.commands import UsageError, find_command
from bot.ports import Event, FormSubmit, Invocation, ThreadReply
from bot.telemetry.context import keep_private, scope
from bot.telemetry.metrics import command_timer

__all__ = ["event_label", "observe_event", "private_texts"]

S = TypeVar("S")
R = TypeVar("R")

UNKNOWN_COMMAND = "unknown"


def event_label(event: Event) -> str:
    """Return the metric label of an event: a command's name, else the event's type."""
    if isinstance(event, Invocation):
        try:
            command, _ = find_command(event.command, event.args)
        except UsageError:
            return UNKNOWN_COMMAND  # never the typed name: members must not create series
        return command.name
    return type(event).__name__


def private_texts(event: Event) -> list[str]:
    """Return the answer texts an event carries (which no INFO log line may show)."""
    if isinstance(event, ThreadReply):
        return [event.text]
    if isinstance(event, FormSubmit):
        return list(event.values.values())
    if isinstance(event, Invocation):
        try:
            command, rest = find_command(event.command, event.args)
        except UsageError:
            return []
        if any(p.rest and p.name == "text" for p in command.params):
            return [rest]
    return []


def observe_event(
    handle: Callable[[S, Event], Awaitable[R]],
) -> Callable[[S, Event], Coroutine[Any, Any, R]]:
    """Decorate `Core.handle`: time it by event, in a fresh log scope holding the event's text."""

    @functools.wraps(handle)
    async def observed(self: S, event: Event) -> R:
        with scope(fresh=True), command_timer(event_label(event)):
            for text in private_texts(event):
                keep_private(text)
            return await handle(self, event)

    return observed
