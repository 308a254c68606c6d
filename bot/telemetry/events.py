"""Observing the core's handling of an adapter event: its latency, and its log context."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from bot.commands import UsageError, find_command
from bot.ports import Event, FormSubmit, Invocation, ThreadReply
from bot.telemetry.context import keep_private, scope
from bot.telemetry.metrics import command_timer

__all__ = ["label_and_private_texts", "observe_event"]

S = TypeVar("S")
R = TypeVar("R")

UNKNOWN_COMMAND = "unknown"


def label_and_private_texts(event: Event) -> tuple[str, list[str]]:
    """Return an event's metric label and the answer texts it carries.

    The label is a command's name, else the event's type (never what a member
    typed: members must not create series). The texts are what no INFO log
    line may show.
    """
    if isinstance(event, ThreadReply):
        return type(event).__name__, [event.text]
    if isinstance(event, FormSubmit):
        return type(event).__name__, list(event.values.values())
    if isinstance(event, Invocation):
        try:
            command, rest = find_command(event.command, event.args)
        except UsageError:
            return UNKNOWN_COMMAND, []
        answers = any(p.rest and p.name == "text" for p in command.params)
        return command.name, [rest] if answers else []
    return type(event).__name__, []


def observe_event(
    handle: Callable[[S, Event], Awaitable[R]],
) -> Callable[[S, Event], Coroutine[Any, Any, R]]:
    """Decorate `Core.handle`: time it by event, in a fresh log scope holding the event's text."""

    @functools.wraps(handle)
    async def observed(self: S, event: Event) -> R:
        label, texts = label_and_private_texts(event)
        with scope(fresh=True), command_timer(label):
            for text in texts:
                keep_private(text)
            return await handle(self, event)

    return observed
