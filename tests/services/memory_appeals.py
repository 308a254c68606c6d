"""The in-memory store's appeals and regrades (as `bot.store.appeal_records`): the reads.

An answer under review is read from the answers, rounds and members dicts;
appeals are kept by id. Writes (opening, deciding, regrading) are not here yet:
a service test that needs them uses the real store.
"""

from __future__ import annotations

from bot.store.records import AnswerUnderReview, Appeal
from tests.services.memory_base import MemoryBase

__all__ = ["MemoryAppeals"]


class MemoryAppeals(MemoryBase):
    """Appeals by id, and answers as an admin regrades them."""

    async def answer_under_review(self, round_id: int, member_id: int) -> AnswerUnderReview | None:
        """Return a member's answer to a round, as an admin regrades it."""
        answer = self.answers.get((round_id, member_id))
        round_ = self.rounds.get(round_id)
        if answer is None or round_ is None:
            return None
        user_id = next(uid for (_, uid), (mid, _) in self.members.items() if mid == member_id)
        return AnswerUnderReview(
            answer_id=answer.answer_id,
            round_id=round_id,
            group_id=round_.group_id,
            question_id=round_.question_id,
            local_date=round_.local_date,
            revealed_at=round_.revealed_at,
            member_id=member_id,
            member_user_id=user_id,
            member_name=answer.display_name,
            text=answer.text,
            late=answer.late,
            covered=answer.covered,
            coverage=answer.coverage,
            points=answer.points,
            attempt=bool(answer.points),
            regrades=self.regrade_counts.get(answer.answer_id, 0),
        )

    async def appeal_of_answer(self, answer_id: int) -> Appeal | None:
        """Return the appeal of an answer, if it was appealed."""
        return next((a for a in self.appeals.values() if a.answer_id == answer_id), None)
