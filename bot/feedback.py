"""What a member may learn about a question: its hint before the reveal, feedback after."""

from __future__ import annotations

from dataclasses import replace

from bot import appeal_messages, messages
from bot.answers import AnswerService
from bot.appeals import AppealService
from bot.command_refs import mention
from bot.content.bank import QuestionBank
from bot.grading import Coverage, grade
from bot.model import ChannelRef, Group, MemberRef
from bot.practice import PracticeService
from bot.replies import Button, Reply
from bot.store_ports import FeedbackStore

__all__ = ["FeedbackService", "human_coverage"]


class FeedbackService:
    """Hints of open rounds, and each member's feedback on revealed ones."""

    def __init__(
        self,
        store: FeedbackStore,
        bank: QuestionBank,
        answers: AnswerService,
        practice: PracticeService,
        appeals: AppealService,
    ) -> None:
        self._store = store
        self._bank = bank
        self._answers = answers
        self._practice = practice
        self._appeals = appeals

    async def hint(self, group: Group | None, member: MemberRef, place: ChannelRef) -> Reply:
        """Return `/hint`: of the member's practice question if one is open, else the round's."""
        practice_hint = await self._practice.hint(member, place)
        if practice_hint is not None:
            return practice_hint
        if group is None:
            return messages.no_practice_question()
        return await self.round_hint(group, None)

    async def round_hint(self, group: Group, value: str | None) -> Reply:
        """Return the hint of the round a button names, else of the open round."""
        round_ = await self._answers.round_named(group, value)
        if round_ is None:
            return self._answers.no_open_round(group)
        question = self._bank.get(round_.question_id)
        if question is None:
            return messages.error("That question is no longer in the bank.")
        return messages.hint_reply(question, for_practice=False)

    async def practice_hint(self, member: MemberRef, place: ChannelRef) -> Reply:
        """Return the hint of the member's practice question (its card's button)."""
        hint = await self._practice.hint(member, place)
        finished = f"That practice question is finished. Try {mention('practice')}."
        return hint or messages.error(finished)

    async def feedback(self, group: Group, member: MemberRef, value: str) -> Reply:
        """Return which key points the member's answer to a round covered, with its points.

        The round is the one `value` names, else the group's latest revealed one.
        """
        round_ = (
            await self._store.get_round(int(value))
            if value.isdigit()
            else await self._store.latest_revealed_round(group.id)
        )
        if round_ is None or round_.group_id != group.id:
            return messages.error("That round is not in this channel.")
        question = self._bank.get(round_.question_id)
        member_id = await self._store.member_id(member)
        answer = await self._store.member_answer(round_.id, member_id)
        if question is None or answer is None:
            return messages.error("You didn't answer that question. There's always tomorrow!")
        coverage = grade(answer.text, question.key_points, question.prompt)
        by_human, may_appeal = await self._appeals.human_grade(round_, member_id)
        if by_human is not None:
            coverage = human_coverage(coverage, by_human)
        reply = messages.feedback_reply(
            question, coverage, answer.points, answer.late, answer.helpful_votes
        )
        if by_human is not None:
            reply = replace(reply, footer="An admin regraded this answer.")
        if may_appeal:
            appeal = Button(appeal_messages.APPEAL, "Appeal", str(round_.id))
            reply = replace(reply, buttons=(*reply.buttons, appeal))
        return reply


def human_coverage(coverage: Coverage, covered: tuple[bool, ...]) -> Coverage:
    """Return the grader's verdict with the key points a human decided on."""
    evidence = coverage.evidence or (None,) * len(covered)
    kept = tuple(e if c else None for e, c in zip(evidence, covered, strict=True))
    return replace(coverage, covered=covered, evidence=kept, attempt=True, problem=None)
