"""The in-memory store's answers and helpful votes (as `bot.store.answer_records`).

One answer per round and member, made of parts (one per thread message, the
rules of `bot.store.answer_parts`); votes only on an open round's on-time answers
of others, given on any part; one vote per voter however many reactions hold it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.model import RoundStatus
from bot.records import (
    AnswerSaved,
    AnswerWithdrawn,
    AnswerWrite,
    MemberAnswer,
    VoteReaction,
    WithdrawOutcome,
    joined_parts,
)
from bot.store.answer_parts import AnswerParts
from tests.services.memory_base import MemoryBase

__all__ = ["MemoryAnswers"]


class MemoryAnswers(MemoryBase):
    """Answers in parts, and the reactions that vote them helpful."""

    async def save_answer(self, answer: AnswerWrite) -> AnswerSaved | None:
        """Store an answer's message (late unless its round is open); None if it can't change."""
        round_ = self.rounds[answer.round_id]
        late = round_.status is not RoundStatus.OPEN
        key = (answer.round_id, answer.member_id)
        old = self.answers.get(key)
        if old is not None and (old.late != late or old.points is not None):
            return None  # scored, or on time then late: it can no longer change
        answer_id = old.answer_id if old else max(self.parts, default=0) + 1
        parts = AnswerParts(answer_id, late, self.parts.get(answer_id, []))
        saved = parts.apply(answer)
        if not parts.parts:
            return saved  # refused, and there was no answer
        if parts.cleared:  # replaced: the votes given on the earlier messages go
            self.reactions = {r for r in self.reactions if r[0] != answer_id}
        self.parts[answer_id] = parts.parts
        self.answers[key] = MemberAnswer(
            answer_id,
            answer.member_id,
            self.name_of(answer.member_id),
            parts.text,
            late,
            old.submitted_at if old else answer.submitted_at,
            coverage=None,
            covered=None,
            points=None,
            helpful_votes=self.votes_on(answer_id),
        )
        return saved

    async def member_answer(self, round_id: int, member_id: int) -> MemberAnswer | None:
        """Return a member's answer to a round, with its votes now."""
        answer = self.answers.get((round_id, member_id))
        if answer is None:
            return None
        return replace(answer, helpful_votes=self.votes_on(answer.answer_id))

    async def round_answers(self, round_id: int) -> list[MemberAnswer]:
        """Return a round's answers with their votes, in order of submission."""
        mine = [a for (r, _), a in self.answers.items() if r == round_id]
        return [
            replace(a, helpful_votes=self.votes_on(a.answer_id))
            for a in sorted(mine, key=lambda a: (a.submitted_at, a.answer_id))
        ]

    async def withdraw_part(
        self, round_id: int, member_id: int, message_id: str, now: datetime
    ) -> AnswerWithdrawn:
        """Take a deleted message's part out of the member's answer (the last part: all of it)."""
        answer = self.answers.get((round_id, member_id))
        parts = self.parts.get(answer.answer_id, []) if answer else []
        if answer is None or answer.late or all(p.message_id != message_id for p in parts):
            return AnswerWithdrawn(WithdrawOutcome.NOT_A_PART)
        if self.rounds[round_id].status is not RoundStatus.OPEN or answer.points is not None:
            return AnswerWithdrawn(WithdrawOutcome.CLOSED)
        left = [p for p in parts if p.message_id != message_id]
        self.reactions = {
            r for r in self.reactions if r[0] != answer.answer_id or r[2] != message_id
        }
        if not left:
            del self.answers[(round_id, member_id)]
            del self.parts[answer.answer_id]
            self.reactions = {r for r in self.reactions if r[0] != answer.answer_id}
            return AnswerWithdrawn(WithdrawOutcome.WITHDRAWN)
        self.parts[answer.answer_id] = left
        text = joined_parts([p.body for p in left])
        self.answers[(round_id, member_id)] = replace(answer, text=text)
        return AnswerWithdrawn(WithdrawOutcome.PART_REMOVED, len(left))

    async def told_closed(self, round_id: int, member_id: int) -> bool:
        """Record that a member was told the round's answers are closed; True the first time."""
        if (round_id, member_id) in self.told_closed_to:
            return False
        self.told_closed_to.add((round_id, member_id))
        return True

    # -- helpful votes -----------------------------------------------------------

    def _votable(self, group_id: int, message_id: str) -> MemberAnswer | None:
        """Return the on-time answer a message is a part of in one of the group's open rounds."""
        for (round_id, _), answer in self.answers.items():
            round_ = self.rounds[round_id]
            if (
                round_.group_id == group_id
                and round_.status is RoundStatus.OPEN
                and not answer.late
                and any(p.message_id == message_id for p in self.parts[answer.answer_id])
            ):
                return answer
        return None

    async def set_vote(
        self,
        group_id: int,
        message_id: str,
        voter_id: int,
        reaction: VoteReaction,
        helpful: bool,
        now: datetime,
    ) -> bool:
        """Add (or take back) a reaction that votes an answer helpful; True if the vote changed."""
        answer = self._votable(group_id, message_id)
        if answer is None or answer.member_id == voter_id:
            return False
        held_before = any(a == answer.answer_id and v == voter_id for a, v, _, _ in self.reactions)
        entry = (answer.answer_id, voter_id, message_id, reaction)
        if helpful:
            self.reactions.add(entry)
        else:
            self.reactions.discard(entry)
        held_after = any(a == answer.answer_id and v == voter_id for a, v, _, _ in self.reactions)
        return held_before != held_after

    async def clear_votes(self, group_id: int, message_id: str, emoji: str | None = None) -> int:
        """Take back the reactions on a message of an answer: all, or one emoji's."""
        answer = self._votable(group_id, message_id)
        if answer is None:
            return 0
        voters = {v for a, v, _, _ in self.reactions if a == answer.answer_id}
        self.reactions = {
            r
            for r in self.reactions
            if r[0] != answer.answer_id
            or r[2] != message_id
            or (emoji is not None and r[3].emoji != emoji)
        }
        return len(voters - {v for a, v, _, _ in self.reactions if a == answer.answer_id})
