"""The daily review note: a private "3 reviews due" at the member's chosen local time.

A member turns it on with `/review remind on [HH:MM]` (default 09:00), in the time
zone of the channel's group where they typed it (UTC in a DM or a channel without
a group), and off with `/review remind off`. Each day at that time, if at least
one of their practice reviews is due (and its question still in the bank), one
private note (through `PrivateNotes`, which leaves closed DMs alone) says how
many, the oldest one's category, and has a button that starts the reviews.

Exactly once: a day's note is claimed by moving the stored `next_at` from the
instant it was due to the next day's (a conditional UPDATE: one process wins),
then sent. The next day's instant follows the zone's rules (DST included,
`bot.schedule.wall_instant`).

A bot that was down over a note's time sends it when it comes back if that is
still the same local day (the reviews are still due today, and a late note is
more use than none), else skips to the next day: a note from yesterday coming
just before today's would only repeat it.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot import messages
from bot import review_note_messages as words
from bot.clock import Clock
from bot.content.bank import QuestionBank
from bot.group_settings import parse_time
from bot.model import Group, MemberRef
from bot.records import Review
from bot.replies import Reply
from bot.schedule import wall_instant
from bot.settings_errors import SettingsError
from bot.store.review_note_records import ReviewNote

__all__ = ["DEFAULT_AT", "ReviewNoteScheduler", "ReviewNoteService", "ReviewNoteStore"]

log = logging.getLogger(__name__)

DEFAULT_AT = time(9, 0)


class ReviewNoteStore(Protocol):
    """The store calls review notes need."""

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them if needed."""
        ...

    async def reviews(self, member_id: int) -> dict[str, Review]:
        """Return the member's review schedule, by question id."""
        ...

    async def set_review_note(self, note: ReviewNote) -> None:
        """Turn a member's daily note on (or move it)."""
        ...

    async def stop_review_note(self, member_id: int) -> bool:
        """Turn a member's daily note off; False if it was not on."""
        ...

    async def review_note(self, member_id: int) -> ReviewNote | None:
        """Return a member's daily note, or None if it is off."""
        ...

    async def review_notes(self, due_by: datetime | None = None) -> list[ReviewNote]:
        """Return every daily note that is on, or those due by `due_by`."""
        ...

    async def claim_review_note(self, member_id: int, due: datetime, then: datetime) -> bool:
        """Claim the note due at `due`, moving the next one to `then`; False if lost."""
        ...


class NoteSender(Protocol):
    """Sends the core's private messages (`bot.private_notes.PrivateNotes` does)."""

    async def send(self, member: MemberRef, reply: Reply) -> bool:
        """Send a member a private message; False if their direct messages are closed."""
        ...


class ReviewNoteScheduler(Protocol):
    """Arms review note jobs (`bot.jobs.JobScheduler` does)."""

    def arm_review_note(self, member_id: int, at: datetime) -> None:
        """Schedule a member's next daily review note."""
        ...


def next_note_at(at: time, timezone: str, after: datetime) -> datetime:
    """Return the first instant after `after` when the wall clock in `timezone` shows `at`."""
    zone = ZoneInfo(timezone)
    day = after.astimezone(zone).date()
    while (instant := wall_instant(day, at, zone)) <= after:
        day += timedelta(days=1)
    return instant


class ReviewNoteService:
    """Members' `/review remind`, and their daily notes, each sent once."""

    def __init__(
        self,
        store: ReviewNoteStore,
        bank: QuestionBank,
        notes: NoteSender,
        clock: Clock,
        scheduler: ReviewNoteScheduler,
    ) -> None:
        self._store = store
        self._bank = bank
        self._notes = notes  # notes and then skips members whose DMs are closed
        self._clock = clock
        self._scheduler = scheduler

    async def preference(
        self, member: MemberRef, group: Group | None, choice: str, at_text: str | None
    ) -> Reply:
        """Turn the member's daily note on (at `at_text`, default 09:00) or off, or show it."""
        if at_text is not None and choice != "on":
            return words.time_without_on()
        member_id = await self._store.member_id(member)
        if choice == "off":
            return words.note_off(await self._store.stop_review_note(member_id))
        if choice != "on":
            note = await self._store.review_note(member_id)
            if note is None:
                return words.note_state(None, "UTC", None)
            return words.note_state(note.at, note.timezone, note.next_at)
        try:
            at = DEFAULT_AT if at_text is None else parse_time(at_text)
        except SettingsError as exc:
            return messages.error(f"{exc} Nothing was changed.")
        timezone = group.settings.timezone if group is not None else "UTC"
        next_at = next_note_at(at, timezone, self._clock.now())
        await self._store.set_review_note(ReviewNote(member_id, member, at, timezone, next_at))
        self._scheduler.arm_review_note(member_id, next_at)
        return words.note_on(at, timezone, next_at, changed=True)

    async def note_due(self, member_id: int) -> None:
        """Send the member's note if its time has come and no process claimed it yet."""
        note = await self._store.review_note(member_id)
        now = self._clock.now()
        if note is None or note.next_at > now:
            if note is not None:  # moved since this job was armed: follow it
                self._scheduler.arm_review_note(member_id, note.next_at)
            return
        zone = ZoneInfo(note.timezone)
        same_day = note.next_at.astimezone(zone).date() == now.astimezone(zone).date()
        then = next_note_at(note.at, note.timezone, now)
        won = await self._store.claim_review_note(member_id, note.next_at, then)
        # Winner or not, this process arms the next one (another may die before it).
        self._scheduler.arm_review_note(member_id, then)
        if not won:
            return
        if not same_day:
            log.info("member %d: the review note of a past day skipped", member_id)
            return
        reply = await self._note(member_id)
        if reply is not None:
            await self._send(member_id, note.member, reply)

    async def _note(self, member_id: int) -> Reply | None:
        """Return the note of the member's reviews due now, or None if none is."""
        now = self._clock.now()
        reviews = await self._store.reviews(member_id)
        due = sorted(
            (r for r in reviews.values() if r.due_at <= now and self._bank.get(r.question_id)),
            key=lambda r: (r.due_at, r.question_id),
        )
        if not due:
            return None
        oldest = self._bank.get(due[0].question_id)
        assert oldest is not None
        return words.note(len(due), oldest.category_title or oldest.category)

    async def _send(self, member_id: int, member: MemberRef, reply: Reply) -> None:
        """Send one note; a refusal or a platform failure is logged, never raised."""
        try:
            if not await self._notes.send(member, reply):
                log.info("member %d: review note not sent: their DMs are closed", member_id)
        except Exception:
            log.exception("member %d: the review note could not be sent", member_id)

    async def sweep(self, at_start: bool) -> None:
        """Send the notes overdue (once each); at start, also arm every note to come."""
        now = self._clock.now()
        for note in await self._store.review_notes(due_by=now):
            try:
                await self.note_due(note.member_id)
            except Exception:
                log.exception("member %d: the review note failed", note.member_id)
        if at_start:
            for note in await self._store.review_notes():
                if note.next_at > now:
                    self._scheduler.arm_review_note(note.member_id, note.next_at)
