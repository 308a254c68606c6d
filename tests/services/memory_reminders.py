"""The in-memory store with reminders (as `bot.store.reminder_records`), for ReminderService.

Members' real attempts, answers to a round and streaks are plain sets and dicts
a test fills in (`attempted`, `answered`, `streaks`); the recipient rule follows
the SQL one: a real attempt in the group since `since`, no answer to the round,
reminders not turned off, not reminded of the round yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.model import MemberRef, RoundStatus
from bot.records import ReminderRecipient
from tests.services.memory_store import MemoryStore

__all__ = ["MemoryReminders", "Planned"]


@dataclass
class Planned:
    """A round's reminder: when, where it stands, who holds it and until when."""

    at: datetime
    status: str = "due"
    owner: str | None = None
    until: datetime | None = None
    sent: int = 0


@dataclass
class _Sends:
    """Members reminded of a round (recorded before the send), and the sends that failed."""

    members: dict[tuple[int, int], datetime] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


class MemoryReminders(MemoryStore):
    """Every port of MemoryStore, and `bot.reminders.ReminderStore`."""

    def __init__(self, owner: str = "local") -> None:
        super().__init__(owner)
        self.planned: dict[int, Planned] = {}
        self.sends = _Sends()
        self.attempts: set[tuple[int, int, datetime]] = set()  # (group, member, when)
        self.answered_rounds: set[tuple[int, int]] = set()  # (round, member)
        self.streaks: dict[tuple[int, int], int] = {}  # (group, member) -> streak at risk
        self.remind_off: set[int] = set()

    # -- what the test sets up --------------------------------------------------

    async def attempted(self, group_id: int, member: MemberRef, at: datetime) -> int:
        """Record a member's real attempt in a group at `at`; return their id."""
        member_id = await self.member_id(member)
        self.attempts.add((group_id, member_id, at))
        return member_id

    # -- ReminderStore ------------------------------------------------------------

    async def plan_reminder(
        self, round_id: int, remind_at: datetime, skipped: bool = False
    ) -> None:
        """Plan a round's reminder, or note it gets none (a plan made already stands)."""
        self.planned.setdefault(round_id, Planned(remind_at, "skipped" if skipped else "due"))

    async def unplanned_reminders(self, now: datetime) -> list[tuple[int, int, datetime, datetime]]:
        """Return (round, group, posted, reveal) of open rounds whose reminder nobody planned."""
        return [
            (r.id, r.group_id, r.posted_at, r.reveal_at)
            for r in sorted(self.rounds.values(), key=lambda r: r.id)
            if r.status is RoundStatus.OPEN
            and r.id not in self.planned
            and r.posted_at is not None
            and r.reveal_at is not None
            and r.reveal_at > now
        ]

    def _sendable(self, round_id: int, now: datetime, include_own: bool) -> bool:
        plan = self.planned.get(round_id)
        round_ = self.rounds.get(round_id)
        if plan is None or round_ is None or plan.at > now:
            return False
        if round_.status is not RoundStatus.OPEN or round_.reveal_at is None:
            return False
        if round_.reveal_at <= now:
            return False
        if plan.status == "due":
            return True
        ran_out = plan.until is not None and plan.until <= now
        return plan.status == "sending" and (ran_out or (include_own and plan.owner == self.owner))

    async def claim_reminder(
        self, round_id: int, now: datetime, until: datetime, include_own: bool = False
    ) -> bool:
        """Claim a round's reminder that may be sent now, leased until `until`."""
        if not self._sendable(round_id, now, include_own):
            return False
        plan = self.planned[round_id]
        plan.status, plan.owner, plan.until = "sending", self.owner, until
        return True

    async def reminders_to_send(self, now: datetime, include_own: bool) -> list[int]:
        """Return the rounds whose reminder may be sent now."""
        return [r for r in sorted(self.planned) if self._sendable(r, now, include_own)]

    async def reminders_ahead(self, now: datetime) -> list[tuple[int, datetime]]:
        """Return (round, when) of the reminders still to come of open rounds."""
        return [
            (r, p.at)
            for r, p in sorted(self.planned.items())
            if p.status == "due" and p.at > now and self.rounds[r].status is RoundStatus.OPEN
        ]

    async def reminder_recipients(
        self, round_id: int, group_id: int, since: datetime, now: datetime
    ) -> list[ReminderRecipient]:
        """Return the members to remind of a round and not reminded of it yet."""
        day = self.rounds[round_id].local_date
        away = {
            m
            for (g, m), ranges in self.away.items()
            for r in ranges
            if g == group_id and r.first <= day <= r.last
        }
        closed = {who for who, (_, until) in self.private_closed.items() if until > now}
        active = {m for g, m, at in self.attempts if g == group_id and at >= since}
        refs = {
            member_id: MemberRef(p, u, name) for (p, u), (member_id, name) in self.members.items()
        }
        return [
            ReminderRecipient(m, refs[m], self.streaks.get((group_id, m), 0))
            for m in sorted(active)
            if (round_id, m) not in self.answered_rounds
            and m not in self.remind_off
            and m not in away
            and (refs[m].platform, refs[m].user_id) not in closed
            and (round_id, m) not in self.sends.members
        ]

    async def mark_reminded(self, round_id: int, member_id: int, now: datetime) -> bool:
        """Record that a member is being reminded of a round; False if they were already."""
        if (round_id, member_id) in self.sends.members:
            return False
        self.sends.members[(round_id, member_id)] = now
        return True

    async def reminder_failed(self, round_id: int, member_id: int, error: str) -> None:
        """Record why a member's reminder could not be sent."""
        self.sends.errors[(round_id, member_id)] = error

    async def reminder_done(self, round_id: int, sent: int, skipped: bool = False) -> None:
        """Record a round's reminder finished, or skipped."""
        plan = self.planned[round_id]
        if plan.status == "sending":
            plan.status = "skipped" if skipped else "sent"
            plan.sent += sent
            plan.owner = plan.until = None

    async def set_reminders(self, member_id: int, on: bool) -> None:
        """Turn a member's reminders on or off."""
        if on:
            self.remind_off.discard(member_id)
        else:
            self.remind_off.add(member_id)

    async def reminders_on(self, member_id: int) -> bool:
        """Tell whether a member gets reminders."""
        return member_id not in self.remind_off
