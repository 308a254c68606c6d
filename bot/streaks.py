"""Streak freezes and away days: keeping the streaks of members who miss a round, and `/away`.

`StreakService.missed` works out, at a reveal, which members' streaks a freeze
or an away day carries over the round (the reveal writes that with its scores);
`tell` then lets each member whose freeze was spent know, privately. `away`
serves the `/away` command.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from bot import messages, streak_messages
from bot.away_days import AwayError, away_problem, parse_away
from bot.clock import Clock
from bot.model import Group, MemberRef, Round
from bot.private_notes import PrivateNotes
from bot.records import MemberStats, OpenStreak, StreakBridge
from bot.replies import Reply
from bot.store_streak_ports import AwayStore, StreakStore
from bot.streak_guard import Missed, cover_missed

__all__ = ["AwayService", "KeptStreaks", "StreakService"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeptStreaks:
    """What a reveal writes for the members who missed it, and who to tell of a spent freeze."""

    missed: Missed
    members: tuple[OpenStreak, ...] = ()  # those whose streaks the round could keep
    day: date | None = None  # the round's local date

    @property
    def stats(self) -> tuple[MemberStats, ...]:
        """Return the kept streaks' stats, after the round."""
        return self.missed.stats

    @property
    def bridges(self) -> tuple[StreakBridge, ...]:
        """Return the round's bridges, kept or not."""
        return self.missed.bridges


class StreakService:
    """Bridges the streaks of members who missed a round, and tells them of spent freezes."""

    def __init__(self, store: StreakStore, notes: PrivateNotes) -> None:
        self._store = store
        self._notes = notes

    async def missed(self, group: Group, round_: Round, attempted: Collection[int]) -> KeptStreaks:
        """Return the bridges of a round being revealed and the streaks they keep.

        `attempted`: the members who answered it with a real attempt.
        """
        seq = round_.reveal_seq
        if seq is None:
            return KeptStreaks(Missed())
        away = await self._store.away_members(group.id, round_.local_date)
        members = tuple(await self._store.open_streaks(group.id, seq))
        missed = cover_missed(seq, [m.stats for m in members], away, attempted)
        return KeptStreaks(missed, members, round_.local_date)

    async def tell(self, group: Group, kept: KeptStreaks) -> None:
        """Tell each member whose freeze kept their streak, privately (if their DMs are open)."""
        who = {m.stats.member_id: m for m in kept.members}
        for stats in kept.missed.frozen():
            member = who[stats.member_id]
            note = streak_messages.freeze_spent(stats.streak, stats.freezes, kept.day)
            ref = MemberRef(group.channel.platform, member.user_id, member.display_name)
            try:
                await self._notes.send(ref, note)
            except Exception as exc:  # the freeze kept the streak anyway; the reveal goes on
                log.warning("group %d: a member's spent freeze went untold: %s", group.id, exc)


class AwayService:
    """The `/away` command: set, show and cancel a member's away days in a group."""

    def __init__(self, store: AwayStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def away(self, group: Group, member: MemberRef, text: str) -> Reply:
        """Set away days from `/away`'s text (a date, a range, `off`; none: show them)."""
        try:
            wanted = parse_away(text)
        except AwayError as problem:
            return messages.error(str(problem))
        today = self._clock.now().astimezone(group.settings.zone).date()
        member_id = await self._store.member_id(member)
        ranges = await self._store.away_ranges(group.id, member_id)
        if wanted is None:
            return streak_messages.away_list(ranges, today)
        if wanted == "off":
            await self._store.cancel_away(group.id, member_id, today)
            return streak_messages.away_cancelled(any(r.last > today for r in ranges))
        refused = await self._store.add_away(
            group.id, member_id, wanted, lambda current: away_problem(wanted, current, today)
        )
        if refused is not None:
            return messages.error(refused)
        log.info("group %d: member %d away %s", group.id, member_id, wanted)
        return streak_messages.away_set(wanted)
