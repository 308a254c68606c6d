"""Reminders before the reveal: a private message to the members who have not answered yet.

When a round is posted, its reminder is planned at `remind=` (default 2 h)
before the reveal, unless that comes before the post or the group turned
reminders off. At that time each member who made a real attempt in the group
in the last 14 days, has not answered this round, has not turned reminders
off (`/remind off`), is not away that day and whose direct messages were not
refused lately gets one private message (through `PrivateNotes`): the question,
the time left, a button that opens the private answer form, and their streak if
missing this round would end it. Nobody is named in the channel. Who is
reminded is one store query (`ReminderStore.reminder_recipients`), where any
further rule goes.

Exactly once: the round's reminder is claimed with a conditional UPDATE (one
process wins) and leased while it is sent; each member is recorded before their
message goes out. A process that dies mid-fan-out leaves a lease that runs out,
and the sweep of any process (or the next start of this one) sends to the
members not recorded yet; a reminder is never sent after the reveal. (A process
that dies during one member's send loses that one reminder rather than risk
sending it twice.)
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from bot import messages, reminder_messages
from bot.answers import AnswerService
from bot.clock import Clock
from bot.content.bank import QuestionBank
from bot.model import Group, MemberRef, Round, RoundStatus
from bot.records import ReminderRecipient
from bot.remind_setting import reminder_time
from bot.replies import Reply

__all__ = ["ACTIVE_DAYS", "PrivateSender", "ReminderScheduler", "ReminderService", "ReminderStore"]

log = logging.getLogger(__name__)

ACTIVE_DAYS = timedelta(days=14)  # a member who made a real attempt this recently is reminded


class ReminderStore(Protocol):
    """The store calls reminders need."""

    async def get_group(self, group_id: int) -> Group | None:
        """Return a group by id."""
        ...

    async def get_round(self, round_id: int) -> Round | None:
        """Return a round by id."""
        ...

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them if needed."""
        ...

    async def plan_reminder(
        self, round_id: int, remind_at: datetime, skipped: bool = False
    ) -> None:
        """Plan a round's reminder at `remind_at`, or note it gets none; a plan made stands."""
        ...

    async def unplanned_reminders(self, now: datetime) -> list[tuple[int, int, datetime, datetime]]:
        """Return (round, group, posted, reveal) of open rounds whose reminder nobody planned."""
        ...

    async def claim_reminder(
        self, round_id: int, now: datetime, until: datetime, include_own: bool = False
    ) -> bool:
        """Claim a round's reminder that may be sent now, leased until `until`."""
        ...

    async def reminders_to_send(self, now: datetime, include_own: bool) -> list[int]:
        """Return the rounds whose reminder may be sent now (overdue, or left mid-send)."""
        ...

    async def reminders_ahead(self, now: datetime) -> list[tuple[int, datetime]]:
        """Return (round, when) of the reminders still to come of open rounds."""
        ...

    async def reminder_recipients(
        self, round_id: int, group_id: int, since: datetime, now: datetime
    ) -> list[ReminderRecipient]:
        """Return the members to remind of a round and not reminded of it yet (every rule)."""
        ...

    async def mark_reminded(self, round_id: int, member_id: int, now: datetime) -> bool:
        """Record that a member is being reminded of a round; False if they were already."""
        ...

    async def reminder_failed(self, round_id: int, member_id: int, error: str) -> None:
        """Record why a member's reminder could not be sent."""
        ...

    async def reminder_done(self, round_id: int, sent: int, skipped: bool = False) -> None:
        """Record a round's reminder finished (`sent` members reminded), or skipped."""
        ...

    async def set_reminders(self, member_id: int, on: bool) -> None:
        """Turn a member's reminders on or off."""
        ...

    async def reminders_on(self, member_id: int) -> bool:
        """Tell whether a member gets reminders."""
        ...


class PrivateSender(Protocol):
    """Sends the core's private messages (`bot.private_notes.PrivateNotes` does)."""

    async def send(self, member: MemberRef, reply: Reply) -> bool:
        """Send a member a private message; False if their direct messages are closed."""
        ...


class ReminderScheduler(Protocol):
    """Arms reminder jobs (`bot.jobs.JobScheduler` does)."""

    def arm_reminder(self, round_id: int, at: datetime) -> None:
        """Schedule a round's reminder."""
        ...


class ReminderService:
    """Plans, claims and sends each round's reminders once; members' `/remind on|off`."""

    def __init__(
        self,
        store: ReminderStore,
        bank: QuestionBank,
        notes: PrivateSender,
        clock: Clock,
        scheduler: ReminderScheduler,
        answers: AnswerService,
        lease: timedelta,
    ) -> None:
        self._store = store
        self._bank = bank
        self._notes = notes  # notes and then skips members whose DMs are closed
        self._clock = clock
        self._scheduler = scheduler
        self._answers = answers
        self._lease = lease

    async def plan(
        self, group: Group, round_id: int, posted_at: datetime, reveal_at: datetime
    ) -> None:
        """Plan and arm the reminder of a round just posted (or note it gets none); never raises.

        A round the plan misses (the database away, a crash) is planned by the next sweep.
        """
        at = reminder_time(group.settings, posted_at, reveal_at)
        try:
            await self._store.plan_reminder(round_id, at or reveal_at, skipped=at is None)
        except Exception:
            log.exception("group %d: could not plan the reminder of round %d", group.id, round_id)
            return
        if at is not None:
            self._scheduler.arm_reminder(round_id, at)

    async def remind_due(self, round_id: int) -> None:
        """Send a round's reminders if its time has come and no process claimed them."""
        now = self._clock.now()
        if await self._store.claim_reminder(round_id, now, now + self._lease):
            await self._send(round_id)

    async def sweep(self, at_start: bool) -> None:
        """Plan what no post planned, send overdue reminders and take over those left mid-send.

        At start, it also arms the reminders still to come.
        """
        now = self._clock.now()
        for round_id, group_id, posted_at, reveal_at in await self._store.unplanned_reminders(now):
            group = await self._store.get_group(group_id)
            if group is not None:
                await self.plan(group, round_id, posted_at, reveal_at)
        for round_id in await self._store.reminders_to_send(now, at_start):
            try:
                if await self._store.claim_reminder(round_id, now, now + self._lease, at_start):
                    await self._send(round_id)
            except Exception:
                log.exception("round %d: its reminders failed", round_id)
        if at_start:
            for round_id, at in await self._store.reminders_ahead(now):
                self._scheduler.arm_reminder(round_id, at)

    async def _send(self, round_id: int) -> None:
        """Remind each member of a claimed round not reminded yet, then record it done."""
        round_ = await self._store.get_round(round_id)
        group = await self._store.get_group(round_.group_id) if round_ is not None else None
        question = self._bank.get(round_.question_id) if round_ is not None else None
        if round_ is None or round_.reveal_at is None or group is None or question is None:
            await self._store.reminder_done(round_id, 0, skipped=True)
            return
        if group.settings.remind_before is None:  # turned off since the round was posted
            await self._store.reminder_done(round_id, 0, skipped=True)
            return
        now = self._clock.now()
        recipients = await self._store.reminder_recipients(
            round_id, group.id, now - ACTIVE_DAYS, now
        )
        sent = 0
        for recipient in recipients:
            now = self._clock.now()
            if now >= round_.reveal_at:
                break  # never after the reveal
            if not await self._store.mark_reminded(round_id, recipient.member_id, now):
                continue
            reply = reminder_messages.reminder(
                question, round_id, round_.reveal_at, now, group.settings.timezone, recipient.streak
            )
            if await self._remind(round_id, recipient, reply):
                sent += 1
        await self._store.reminder_done(round_id, sent)
        log.info("group %d: reminded %d members of round %d", group.id, sent, round_id)

    async def _remind(self, round_id: int, recipient: ReminderRecipient, reply: Reply) -> bool:
        """Send one member's reminder; a refusal or failure is recorded, never raised."""
        try:
            if await self._notes.send(recipient.member, reply):
                return True
            problem = "their direct messages are closed"
        except Exception as exc:  # the platform failed: the others still get theirs
            problem = f"{type(exc).__name__}: {exc}"
        log.warning("round %d: member %d not reminded: %s", round_id, recipient.member_id, problem)
        await self._store.reminder_failed(round_id, recipient.member_id, problem)
        return False

    # -- members --------------------------------------------------------------

    async def preference(self, member: MemberRef, choice: str | None) -> Reply:
        """Turn the member's reminders on or off (`/remind on|off`), or say which they are."""
        member_id = await self._store.member_id(member)
        if choice is None:
            return reminder_messages.reminders_set(await self._store.reminders_on(member_id), False)
        on = choice == "on"
        await self._store.set_reminders(member_id, on)
        return reminder_messages.reminders_set(on, True)

    async def answer_form(self, member: MemberRef, value: str) -> Reply:
        """Return the answer form a reminder's button opens, if its round is still open."""
        found = await self._round_of(member, value)
        if isinstance(found, Reply):
            return found
        round_, _ = found
        if round_.status is not RoundStatus.OPEN:
            return messages.error("That question is closed; its answer has been revealed.")
        return reminder_messages.reminder_answer_form(round_.id)

    async def answer(self, member: MemberRef, value: str, text: str) -> Reply:
        """Take an answer written in the form a reminder opened (it names its round)."""
        found = await self._round_of(member, value)
        if isinstance(found, Reply):
            return found
        _, group = found
        return await self._answers.from_form(group, member, value, text)

    async def _round_of(self, member: MemberRef, value: str) -> tuple[Round, Group] | Reply:
        """Return the round a reminder's button or form names, and its group."""
        round_ = await self._store.get_round(int(value)) if value.isdigit() else None
        group = await self._store.get_group(round_.group_id) if round_ is not None else None
        if round_ is None or group is None or group.channel.platform != member.platform:
            return messages.error("That reminder's question is no longer here.")
        return round_, group
