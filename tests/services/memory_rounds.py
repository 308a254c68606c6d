"""The in-memory store's rounds (as `bot.store.round_records`): claims, leases, status.

Every status change happens only from the status the SQL store's WHERE names,
and returns False or None otherwise, so a service meets the same refusals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from bot.model import Group, Round, RoundStatus
from tests.services.memory_base import MemoryBase

__all__ = ["MemoryRounds"]

S = RoundStatus
# Statuses whose round used up its question (for "no repeat until exhausted").
_ASKED = {S.POSTING, S.RETRY, S.OPEN, S.REVEALING, S.REVEALED}
# Statuses of a round in the middle of a step some process holds a lease on.
_MID_STEP = {S.POSTING, S.RETRY, S.REVEALING}


class MemoryRounds(MemoryBase):
    """Rounds: one per group and local date, leased to the process working on it."""

    def add_round(
        self, group: Group, status: RoundStatus, thread_id: str | None = None, **fields: object
    ) -> Round:
        """Put a round in the store as it is (a test's starting point), without any rule."""
        round_id = max(self.rounds, default=0) + 1
        values: dict[str, object] = {
            "id": round_id,
            "group_id": group.id,
            "local_date": date(2026, 12, round_id),
            "question_id": "evaluation-kfold",
            "status": status,
            "scheduled_for": datetime.fromisoformat("2026-12-01T09:00+00:00"),
            "thread_id": thread_id,
            "message_id": thread_id,
        }
        values.update(fields)
        round_ = Round(**values)  # type: ignore[arg-type]
        self.rounds[round_id] = round_
        return round_

    def _move(self, round_id: int, expected: set[RoundStatus], **changes: object) -> Round | None:
        """Change a round that is in one of the `expected` statuses; None if it is not."""
        round_ = self.rounds.get(round_id)
        if round_ is None or round_.status not in expected:
            return None
        self.rounds[round_id] = replace(round_, **changes)  # type: ignore[arg-type]
        return self.rounds[round_id]

    # -- claims and leases -------------------------------------------------------

    async def claim_round(
        self,
        group_id: int,
        local_date: date,
        question_id: str,
        scheduled_for: datetime,
        status: RoundStatus = RoundStatus.POSTING,
        lease_until: datetime | None = None,
    ) -> Round | None:
        """Create the group's round of a local date; None if that date is taken already."""
        if await self.round_on(group_id, local_date) is not None:
            return None
        posting = status is RoundStatus.POSTING
        round_ = Round(
            id=max(self.rounds, default=0) + 1,
            group_id=group_id,
            local_date=local_date,
            question_id=question_id,
            status=status,
            scheduled_for=scheduled_for,
            attempts=1 if posting else 0,
            lease_owner=self.owner if posting else None,
            lease_until=lease_until if posting else None,
        )
        self.rounds[round_.id] = round_
        return round_

    async def retake_round(self, round_id: int, lease_until: datetime) -> Round | None:
        """Claim a round waiting for another post attempt; None if another took it."""
        round_ = self.rounds.get(round_id)
        attempts = round_.attempts + 1 if round_ else 0
        return self._move(
            round_id,
            {S.RETRY},
            status=S.POSTING,
            attempts=attempts,
            lease_owner=self.owner,
            lease_until=lease_until,
        )

    async def take_lease(
        self, round_id: int, status: RoundStatus, now: datetime, until: datetime
    ) -> Round | None:
        """Take over a round's current step if its lease is ours or has run out."""
        round_ = self.rounds.get(round_id)
        if round_ is None or not self._lease_free(round_, now, own=True):
            return None
        return self._move(round_id, {status}, lease_owner=self.owner, lease_until=until)

    def _lease_free(self, round_: Round, now: datetime, own: bool) -> bool:
        """Tell whether nobody holds the round's lease now (or, if `own`, we do)."""
        return (
            round_.lease_owner is None
            or round_.lease_until is None
            or round_.lease_until <= now
            or (own and round_.lease_owner == self.owner)
        )

    async def unfinished_rounds(self, now: datetime, include_own: bool) -> list[Round]:
        """Return rounds stuck mid-step whose lease ran out (or, if `include_own`, is ours)."""
        return [
            r
            for r in await self.rounds_in(S)
            if (r.status in _MID_STEP or (r.status is S.REVEALED and r.reveal_message_id is None))
            and self._lease_free(r, now, own=include_own)
        ]

    # -- posts and reveals -------------------------------------------------------

    async def round_posted(
        self,
        round_id: int,
        message_id: str,
        thread_id: str,
        posted_at: datetime,
        reveal_at: datetime,
    ) -> bool:
        """Record that a round is on the platform and open; False if it left `posting`."""
        opened = self._move(
            round_id,
            {S.POSTING},
            status=S.OPEN,
            message_id=message_id,
            thread_id=thread_id,
            posted_at=posted_at,
            reveal_at=reveal_at,
            last_error=None,
            lease_owner=None,
            lease_until=None,
        )
        return opened is not None

    async def round_post_failed(
        self, round_id: int, error: str, retry_at: datetime | None = None
    ) -> None:
        """Record a failed post: `retry` leased until `retry_at`, or `failed` without one."""
        self._move(
            round_id,
            {S.POSTING},
            status=S.FAILED if retry_at is None else S.RETRY,
            last_error=error[:500],
            lease_owner=None if retry_at is None else self.owner,
            lease_until=retry_at,
        )

    async def claim_reveal(
        self, round_id: int, now: datetime, lease_until: datetime
    ) -> Round | None:
        """Start revealing an open round with the group's next reveal number; None if not open."""
        round_ = self.rounds.get(round_id)
        if round_ is None:
            return None
        seqs = [r.reveal_seq or 0 for r in self.rounds.values() if r.group_id == round_.group_id]
        return self._move(
            round_id,
            {S.OPEN},
            status=S.REVEALING,
            revealed_at=now,
            lease_owner=self.owner,
            lease_until=lease_until,
            reveal_seq=max(seqs, default=0) + 1,
        )

    async def reveal_posted(self, round_id: int, message_id: str) -> None:
        """Record the message that revealed a round, and free its lease."""
        self._move(
            round_id, set(S), reveal_message_id=message_id, lease_owner=None, lease_until=None
        )

    async def set_round_status(
        self, round_id: int, expected: RoundStatus, status: RoundStatus, note: str | None = None
    ) -> bool:
        """Move a round from one status to another; False if it was not in `expected`."""
        round_ = self.rounds.get(round_id)
        error = note if note is not None or round_ is None else round_.last_error
        moved = self._move(
            round_id,
            {expected},
            status=status,
            last_error=error,
            lease_owner=None,
            lease_until=None,
        )
        return moved is not None

    # -- look-ups ----------------------------------------------------------------

    async def get_round(self, round_id: int) -> Round | None:
        """Return a round by id."""
        return self.rounds.get(round_id)

    async def round_on(self, group_id: int, local_date: date) -> Round | None:
        """Return the group's round of a local date, whatever its status."""
        return next(
            (
                r
                for r in self.rounds.values()
                if r.group_id == group_id and r.local_date == local_date
            ),
            None,
        )

    async def current_round(self, group_id: int) -> Round | None:
        """Return the group's open round of the latest local date."""
        open_ = [r for r in await self.rounds_in([S.OPEN]) if r.group_id == group_id]
        return max(open_, key=lambda r: r.local_date, default=None)

    async def latest_revealed_round(self, group_id: int) -> Round | None:
        """Return the group's revealed round of the highest reveal number."""
        revealed = [r for r in await self.rounds_in([S.REVEALED]) if r.group_id == group_id]
        return max(revealed, key=lambda r: r.reveal_seq or 0, default=None)

    async def round_by_thread(self, group_id: int, thread_id: str) -> Round | None:
        """Return the group's round whose answers are collected in a thread."""
        return next(
            (
                r
                for r in self.rounds.values()
                if r.group_id == group_id and r.thread_id == thread_id
            ),
            None,
        )

    async def rounds_in(self, statuses: Iterable[RoundStatus]) -> list[Round]:
        """Return every round in one of these statuses, oldest (lowest id) first."""
        wanted = set(statuses)
        return [self.rounds[i] for i in sorted(self.rounds) if self.rounds[i].status in wanted]

    async def asked_questions(self, group_id: int) -> list[str]:
        """Return the questions of the group's rounds that used one up, by local date."""
        asked = [r for r in await self.rounds_in(_ASKED) if r.group_id == group_id]
        return [r.question_id for r in sorted(asked, key=lambda r: r.local_date)]
