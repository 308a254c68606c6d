"""The in-memory store's answers and helpful votes (as `bot.store.answer_records`).

One answer per round and member; votes only on an open round's on-time answers
of others; one vote per voter however many reactions hold it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.model import RoundStatus
from bot.store.records import AnswerSaved, AnswerWrite, MemberAnswer, VoteReaction
from tests.services.memory_base import MemoryBase

__all__ = ["MemoryAnswers"]


class MemoryAnswers(MemoryBase):
    """Answers, and the reactions that vote them helpful."""

    async def save_answer(self, answer: AnswerWrite) -> AnswerSaved | None:
        """Store an answer (late unless its round is open); None if it can no longer change."""
        round_ = self.rounds[answer.round_id]
        late = round_.status is not RoundStatus.OPEN
        key = (answer.round_id, answer.member_id)
        old = self.answers.get(key)
        if old is not None and (old.late != late or old.points is not None):
            return None  # scored, or on time then late: it can no longer change
        answer_id = old.answer_id if old else len(self.answers) + 1
        if old is not None and self.message_of.get(answer_id) != answer.message_id:
            self.reactions = {r for r in self.reactions if r[0] != answer_id}
        self.message_of[answer_id] = answer.message_id
        self.answers[key] = MemberAnswer(
            answer_id,
            answer.member_id,
            self.name_of(answer.member_id),
            answer.text,
            late,
            answer.submitted_at,
            coverage=None,
            covered=None,
            points=None,
            helpful_votes=self.votes_on(answer_id),
        )
        return AnswerSaved(answer_id, late, replaced=old is not None)

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

    async def withdraw_answer(self, round_id: int, member_id: int, message_id: str) -> bool:
        """Delete a member's unscored on-time answer carried by a message; True if one was."""
        answer = self.answers.get((round_id, member_id))
        if (
            answer is None
            or answer.late
            or answer.points is not None
            or self.message_of.get(answer.answer_id) != message_id
        ):
            return False
        del self.answers[(round_id, member_id)]
        self.reactions = {r for r in self.reactions if r[0] != answer.answer_id}
        return True

    # -- helpful votes -----------------------------------------------------------

    def _votable(self, group_id: int, message_id: str) -> MemberAnswer | None:
        """Return the on-time answer a message carries in one of the group's open rounds."""
        for (round_id, _), answer in self.answers.items():
            round_ = self.rounds[round_id]
            if (
                round_.group_id == group_id
                and round_.status is RoundStatus.OPEN
                and not answer.late
                and self.message_of.get(answer.answer_id) == message_id
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
        held_before = any(a == answer.answer_id and v == voter_id for a, v, _ in self.reactions)
        entry = (answer.answer_id, voter_id, reaction)
        if helpful:
            self.reactions.add(entry)
        else:
            self.reactions.discard(entry)
        held_after = any(a == answer.answer_id and v == voter_id for a, v, _ in self.reactions)
        return held_before != held_after

    async def clear_votes(self, group_id: int, message_id: str, emoji: str | None = None) -> int:
        """Take back the reactions on the answer a message carries: all, or one emoji's."""
        answer = self._votable(group_id, message_id)
        if answer is None:
            return 0
        voters = {v for a, v, _ in self.reactions if a == answer.answer_id}
        self.reactions = {
            r
            for r in self.reactions
            if r[0] != answer.answer_id or (emoji is not None and r[2].emoji != emoji)
        }
        return len(voters - {v for a, v, _ in self.reactions if a == answer.answer_id})
