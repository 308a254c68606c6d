"""The core's front door: every adapter event goes through `Core.handle`.

It parses commands against the command table, finds the channel's group,
checks who may act, and hands the work to a use-case service (groups,
rounds, answers, votes, feedback, practice, standings); failures become
replies. The rules themselves live in the services.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from bot import help_messages, messages, telemetry
from bot.commands import SubcommandNeeded, UsageError, parse_command
from bot.content.bank import QuestionBank
from bot.groups import AdminPolicy
from bot.limits import MemberLimits, limit_kind
from bot.model import ChannelRef, Group, MemberRef
from bot.ports import (
    ButtonPress,
    Event,
    FormSubmit,
    Invocation,
    MessageRemoved,
    ReactionAdded,
    ReactionRemoved,
    ReactionsCleared,
    ThreadReply,
)
from bot.replies import Reply
from bot.routes import Args, Services, routes
from bot.scoring import ScoringRules
from bot.store.database import DatabaseUnavailable

__all__ = ["Core", "GroupLookup"]

log = logging.getLogger(__name__)


class GroupLookup(Protocol):
    """Finds the group of a channel (every event starts there)."""

    async def group_for_channel(self, channel: ChannelRef) -> Group | None:
        """Return the group set up in a channel, if any."""
        ...


class Core:
    """Turns adapter events into use-case calls and replies."""

    def __init__(
        self,
        groups: GroupLookup,
        bank: QuestionBank,
        services: Services,
        rules: ScoringRules,
        limits: MemberLimits | None = None,
        policy: AdminPolicy | None = None,
    ) -> None:
        self._groups = groups
        self._bank = bank
        self._rules = rules
        self._limits = limits
        self._policy = policy or AdminPolicy()
        self._services = services
        self._routes = routes(services, rules)

    def dynamic_choices(self, kind: str | None) -> Iterable[str]:
        """Return the current choices of a dynamic parameter (e.g. `categories`)."""
        return self._bank.categories if kind == "categories" else ()

    def choice_label(self, kind: str | None, value: str) -> str:
        """Return how a choice of a dynamic parameter is shown (a category's title)."""
        return self._bank.category_title(value) if kind == "categories" else value

    async def answer_thread(self, place: ChannelRef) -> ChannelRef | None:
        """Return the thread where the channel's open question collects answers, if any."""
        group = await self._groups.group_for_channel(place.channel())
        round_ = await self._services.answers.open_round(group) if group is not None else None
        if round_ is None or round_.thread_id is None:
            return None
        return ChannelRef(place.platform, place.workspace_id, place.channel_id, round_.thread_id)

    async def member_overview(
        self, member: MemberRef, workspace_id: str
    ) -> list[tuple[ChannelRef, Reply]]:
        """Return the member's stats and weekly leaderboard in each group they have points in."""
        return await self._services.standings.overview(member, workspace_id)

    @telemetry.observe_event
    async def handle(self, event: Event) -> list[Reply]:
        """Handle one event from an adapter and return the replies to show."""
        if self._limits is not None and not self._limits.allows(event):
            log.info("%s of a member refused: over the member limit", type(event).__name__)
            return [] if limit_kind(event) == "reaction" else [messages.slow_down()]
        try:
            return await self._dispatch(event)
        except SubcommandNeeded as exc:
            return [help_messages.subcommands_reply(exc.group)]
        except UsageError as exc:
            return [messages.error(str(exc))]
        except DatabaseUnavailable as exc:
            log.warning("could not handle %s: %s", type(event).__name__, exc)
            return [messages.database_away()]
        except Exception:
            log.exception("could not handle %s", type(event).__name__)
            return [messages.went_wrong()]

    async def _dispatch(self, event: Event) -> list[Reply]:
        group = await self._groups.group_for_channel(event.place.channel())
        match event:
            case Invocation():
                parsed = parse_command(event.command, event.args, self.dynamic_choices)
                telemetry.bind_round(group_id=group.id if group else None)
                name = parsed.command.name
                if parsed.command.admin and not self._policy.may_run(name, event.actor, group):
                    return [messages.admins_only(parsed.command.name)]
                args = dict(parsed.args)
                return [await self._run(parsed.command.name, group, event, args)]
            case ButtonPress():
                args = {"value": event.value}
                return [await self._run(f"button {event.action}", group, event, args)]
            case FormSubmit():
                args = {"text": "", **event.values, "value": event.value}
                return [await self._run(f"form {event.form}", group, event, args)]
        if group is None:
            return []
        match event:
            case ThreadReply():
                reply = await self._services.answers.in_thread(group, event)
                return [reply] if reply is not None else []
            case MessageRemoved():
                return await self._services.answers.withdraw(group, event)
            case ReactionAdded() | ReactionRemoved():
                await self._services.votes.react(group, event)
            case ReactionsCleared():
                await self._services.votes.cleared(group, event)
        return []

    async def _run(
        self,
        name: str,
        group: Group | None,
        event: Invocation | ButtonPress | FormSubmit,
        args: Args,
    ) -> Reply:
        if name in self._routes.anywhere:
            return await self._routes.anywhere[name](group, event.actor, event.place, args)
        if name not in self._routes.in_group:
            return messages.expired(name.partition(" ")[0])
        if group is None:
            return messages.not_set_up()
        return await self._routes.in_group[name](group, event.actor, event.place, args)
