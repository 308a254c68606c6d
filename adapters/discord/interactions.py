"""Answering Discord interactions within Discord's deadlines.

Interactions are answered at once when the core is quick, or deferred
(ephemerally, "thinking") and followed up when it takes longer than
`defer_after`, or at once when more than `busy_after` interactions are
already in hand (a crowd arriving together), so that each is acknowledged
well inside Discord's 3 seconds; private replies are ephemeral. An
interaction the core may answer with a form (a button, `/answer` without
text) is never deferred ahead of its reply, crowd or not: Discord takes a
modal only as the first response. Only when the core has not answered it
`form_defer_after` seconds in is it deferred, as a last resort.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Coroutine
from typing import Any

import discord

from adapters.discord.commands import CommandTable, suggestions
from adapters.discord.events import interaction_event, may_open_form
from adapters.discord.render import message_kwargs, modal_for, render
from bot.core import Core
from bot.replies import Reply, Visibility

__all__ = ["BUSY_AFTER", "CROWD_WORK_WAIT", "DEFER_AFTER", "FORM_DEFER_AFTER", "Interactions"]

log = logging.getLogger(__name__)

DEFER_AFTER = 1.5  # seconds the core may take before an interaction is deferred
# seconds the core may take on an interaction it may answer with a form (a modal can't
# follow a deferral) before it is deferred all the same, as the last resort, inside 3 s
FORM_DEFER_AFTER = 2.4
BUSY_AFTER = 20  # interactions in hand beyond which new ones are deferred at once
CROWD_WORK_WAIT = 1.0  # seconds a crowd's work waits at most for the crowd's acks
_FORM_TOO_LATE = Reply(
    text="That took a moment too long to open the form. Please try again.", is_error=True
)
_MOVED = Reply(text="Done: posted in the channel.")


async def _defer(interaction: discord.Interaction) -> None:
    """Acknowledge an interaction with a private "thinking" message, to be edited later."""
    await interaction.response.defer(ephemeral=True, thinking=True)


class Interactions:
    """The interactions in hand: each answered, deferred or followed up in time."""

    def __init__(
        self,
        table: CommandTable,
        *,
        defer_after: float = DEFER_AFTER,
        busy_after: int = BUSY_AFTER,
        form_defer_after: float = FORM_DEFER_AFTER,
    ) -> None:
        self._table = table
        self._defer_after = defer_after
        self._busy_after = busy_after
        self._form_defer_after = form_defer_after
        self._in_flight = 0  # interactions being answered now
        self._acking = 0  # crowd interactions whose acknowledgement is on its way
        self._acked = asyncio.Event()  # set when no acknowledgement is on its way
        self._acked.set()

    async def handle(self, core: Core, interaction: discord.Interaction) -> None:
        """Answer a slash command, autocomplete, button or modal that is ours."""
        if interaction.type is discord.InteractionType.autocomplete:
            await self._autocomplete(core, interaction)
            return
        event = interaction_event(interaction, self._table)
        if event is None:
            return
        if may_open_form(event, self._table):
            await self._answer_first(interaction, core.handle(event))
        else:
            await self._answer(interaction, core.handle(event))

    async def _autocomplete(self, core: Core, interaction: discord.Interaction) -> None:
        focused = self._table.focused(interaction.data or {})
        kind = focused[0].dynamic if focused is not None else None
        options: list[str] = []
        if focused is not None and kind:
            shown = functools.partial(core.choice_label, kind)
            options = suggestions(focused[1], core.dynamic_choices(kind), shown)
        await interaction.response.autocomplete(  # a category shows its title, sends its id
            [
                discord.app_commands.Choice(name=core.choice_label(kind, o)[:100], value=o)
                for o in options
            ]
        )

    async def _answer(
        self, interaction: discord.Interaction, work: Coroutine[Any, Any, list[Reply]]
    ) -> None:
        self._in_flight += 1
        try:
            if self._in_flight > self._busy_after:
                # A crowd arrived at once: acknowledge first (within Discord's 3 s), and
                # start the work once the whole crowd is acknowledged (or a little later
                # at most, should acknowledgements keep coming), so that no work delays
                # an acknowledgement still to be sent.
                try:
                    await self._acknowledge(interaction)
                except discord.HTTPException:
                    await work  # too late to answer, but what the member sent still counts
                    raise
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(CROWD_WORK_WAIT):
                        await self._acked.wait()
                await self._follow_up(interaction, await work)
                return
            await self._answer_within(interaction, work, self._defer_after)
        finally:
            self._in_flight -= 1

    async def _answer_first(
        self, interaction: discord.Interaction, work: Coroutine[Any, Any, list[Reply]]
    ) -> None:
        """Answer an interaction the core may answer with a form: its reply comes first.

        Neither a crowd nor `defer_after` defers it, since a modal cannot follow a
        deferral; only if the core has not answered `form_defer_after` seconds in is
        it deferred (a form then says it could not open). Until it is answered it
        counts among the crowd's acknowledgements on their way, so the crowd's work
        (which waits for those, briefly) does not hold up its reply.
        """
        self._in_flight += 1
        self._acking += 1
        self._acked.clear()
        try:
            await self._answer_within(interaction, work, self._form_defer_after)
        finally:
            self._in_flight -= 1
            self._acking -= 1
            if not self._acking:
                self._acked.set()

    async def _answer_within(
        self,
        interaction: discord.Interaction,
        work: Coroutine[Any, Any, list[Reply]],
        defer_after: float,
    ) -> None:
        """Run the work and respond with its replies; defer meanwhile if it outlasts `defer_after`.

        The work runs in this task; should it take longer, a timer defers the
        interaction (and the replies follow up). Zero or less: always defer first.
        """
        if defer_after <= 0:  # configured to always defer
            await _defer(interaction)
            await self._follow_up(interaction, await work)
            return
        loop = asyncio.get_running_loop()
        deferral: asyncio.Task[None] | None = None

        def defer() -> None:
            nonlocal deferral
            deferral = loop.create_task(_defer(interaction))

        timer = loop.call_later(defer_after, defer)
        try:
            replies = await work
        except BaseException:
            if deferral is not None:
                deferral.cancel()
            raise
        finally:
            timer.cancel()
        if deferral is None:
            await self._respond(interaction, replies)
        else:
            await deferral
            await self._follow_up(interaction, replies)

    async def _acknowledge(self, interaction: discord.Interaction) -> None:
        """Defer an interaction ("thinking", ephemeral), counted among the crowd's acks."""
        self._acking += 1
        self._acked.clear()
        try:
            await _defer(interaction)
        finally:
            self._acking -= 1
            if not self._acking:
                self._acked.set()

    async def _respond(self, interaction: discord.Interaction, replies: list[Reply]) -> None:
        for reply in replies:
            if reply.form is not None and not interaction.response.is_done():
                await interaction.response.send_modal(modal_for(reply.form))
                continue
            ephemeral = reply.visibility is Visibility.PRIVATE
            for part in render(reply):
                kwargs = {**message_kwargs(part), "ephemeral": ephemeral}
                if interaction.response.is_done():
                    await interaction.followup.send(**kwargs)
                else:
                    await interaction.response.send_message(**kwargs)

    async def _follow_up(self, interaction: discord.Interaction, replies: list[Reply]) -> None:
        original_open = True  # the deferred ("thinking") message waits for its content
        for reply in replies:
            shown = _FORM_TOO_LATE if reply.form is not None else reply
            ephemeral = shown.visibility is Visibility.PRIVATE
            for part in render(shown):
                if original_open and ephemeral:
                    await interaction.edit_original_response(**message_kwargs(part, editing=True))
                else:
                    if original_open:
                        await interaction.edit_original_response(
                            **message_kwargs(render(_MOVED)[0], editing=True)
                        )
                    await interaction.followup.send(**message_kwargs(part), ephemeral=ephemeral)
                original_open = False
