"""Members' answers to a group's daily round: in its thread, privately, edited, withdrawn.

The rules of what counts as an answer live here. Until the reveal, everything
a member writes in the round's thread is their answer, in order: each message is
one part (an edit changes its part only, a deletion removes it; the last one
withdrawn takes the answer). A reply to another member's message is discussion:
no part of an answer, and no reply. A private answer (`/answer`, the form)
replaces the whole answer; thread messages after it add to it. After the reveal,
a member who answered on time is told once per round that their answer stands;
one who had not answered gives a late answer (its next message replaces it). A
form answers only the round it names if that round was asked. Every answer is
stored before the member is told.
"""

from __future__ import annotations

import logging

from bot import messages, telemetry
from bot.clock import Clock
from bot.content.bank import QuestionBank
from bot.grading import attempt_problem, grade
from bot.markup import answer_body
from bot.model import AnswerSource, Group, MemberRef, Round, RoundStatus
from bot.ports import MessageRemoved, ThreadReply
from bot.records import AnswerChange, AnswerWrite, WithdrawOutcome
from bot.replies import Reply
from bot.schedule import next_post_slot
from bot.store_ports import AnswerStore

__all__ = ["AnswerService"]

log = logging.getLogger(__name__)

# Rounds a form's answer may go to: the open one, or one revealed (or being revealed), late.
_ANSWERABLE = frozenset({RoundStatus.OPEN, RoundStatus.REVEALING, RoundStatus.REVEALED})


class AnswerService:
    """Takes members' answers to the daily rounds."""

    def __init__(self, store: AnswerStore, bank: QuestionBank, clock: Clock) -> None:
        self._store = store
        self._bank = bank
        self._clock = clock

    async def open_round(self, group: Group) -> Round | None:
        """Return the group's open round, if any."""
        return await self._store.current_round(group.id)

    async def round_named(self, group: Group, value: str | None) -> Round | None:
        """Return the round a button or form names (its id), else the open round."""
        if value and value.isdigit():
            round_ = await self._store.get_round(int(value))
            return round_ if round_ is not None and round_.group_id == group.id else None
        return await self.open_round(group)

    def no_open_round(self, group: Group) -> Reply:
        """Return the answer to asking for the open question when there is none."""
        upcoming = None
        if not group.settings.paused:
            slot = next_post_slot(group.settings, self._clock.now())
            upcoming = slot.at if slot is not None else None
        return messages.no_open_round(upcoming, group.settings.timezone)

    async def privately(self, group: Group, member: MemberRef, text: str | None) -> Reply:
        """Answer the open round privately (`/answer`): without text, the form to write it."""
        round_ = await self.open_round(group)
        if round_ is None:
            return self.no_open_round(group)
        if text is None:
            return messages.answer_form(round_.id)
        return await self.record(group, round_, member, text, AnswerSource.PRIVATE)

    async def form_for(self, group: Group, value: str) -> Reply:
        """Return the private answer form of the round a button names, if it is still open."""
        round_ = await self.round_named(group, value)
        if round_ is None or round_.status is not RoundStatus.OPEN:
            return messages.error("That question is closed; its answer has been revealed.")
        return messages.answer_form(round_.id)

    async def from_form(self, group: Group, member: MemberRef, value: str, text: str) -> Reply:
        """Take an answer written in the form of the round it names."""
        round_ = await self.round_named(group, value)
        if round_ is None:
            return self.no_open_round(group)
        if round_.status not in _ANSWERABLE:
            return messages.error("That question was never asked here, so it takes no answers.")
        return await self.record(group, round_, member, text, AnswerSource.PRIVATE)

    async def in_thread(self, group: Group, event: ThreadReply) -> Reply | None:
        """Take a message in a round's thread as part of an answer; None if it is not one."""
        if event.place.thread_id is None:
            return None
        round_ = await self._store.round_by_thread(group.id, event.place.thread_id)
        if round_ is None or event.replies_to_other:
            return None  # not a round's thread, or discussion with another member
        member_id = await self._store.member_id(event.actor)
        if round_.status is not RoundStatus.OPEN:
            existing = await self._store.member_answer(round_.id, member_id)
            if existing is not None and not existing.late:
                return await self._closed(round_, member_id)
        saved = await self._record(
            group, round_, member_id, event.text, AnswerSource.THREAD, event.message_id
        )
        if saved is None:  # the reveal came first: the on-time answer stands
            return await self._closed(round_, member_id)
        return saved

    async def withdraw(self, group: Group, event: MessageRemoved) -> list[Reply]:
        """Take a deleted thread message's part out of its author's answer, if it was one."""
        if event.place.thread_id is None:
            return []
        round_ = await self._store.round_by_thread(group.id, event.place.thread_id)
        if round_ is None:
            return []
        member_id = await self._store.member_id(event.actor)
        done = await self._store.withdraw_part(
            round_.id, member_id, event.message_id, self._clock.now()
        )
        match done.outcome:
            case WithdrawOutcome.WITHDRAWN:
                return [messages.info("Your answer was withdrawn with the deleted message.")]
            case WithdrawOutcome.PART_REMOVED:
                parts = "1 part" if done.parts_left == 1 else f"{done.parts_left} parts"
                return [
                    messages.info(f"Took the deleted message out of your answer ({parts} left).")
                ]
            case WithdrawOutcome.CLOSED:
                closed = await self._closed(round_, member_id)
                return [closed] if closed is not None else []
        return []

    async def _closed(self, round_: Round, member_id: int) -> Reply | None:
        """Tell a member once per round that answers are closed and their on-time one stands."""
        if await self._store.told_closed(round_.id, member_id):
            return messages.answers_closed()
        return None

    async def record(
        self,
        group: Group,
        round_: Round,
        member: MemberRef,
        text: str,
        source: AnswerSource,
        message_id: str | None = None,
    ) -> Reply:
        """Record a member's answer (stored before this returns) and say how it went."""
        member_id = await self._store.member_id(member)
        saved = await self._record(group, round_, member_id, text, source, message_id)
        if saved is None:
            return messages.error(
                "This round has been revealed and scored, so your answer can no longer change."
            )
        return saved

    @telemetry.log_scope
    async def _record(
        self,
        group: Group,
        round_: Round,
        member_id: int,
        text: str,
        source: AnswerSource,
        message_id: str | None,
    ) -> Reply | None:
        """Store an answer's message and say how it went; None if the answer can't change."""
        telemetry.bind_round(group_id=group.id, round_id=round_.id)
        telemetry.keep_private(text)
        body = answer_body(text)
        problem = messages.answer_text_problem(body)
        if problem is not None:
            return problem
        write = AnswerWrite(
            round_.id,
            member_id,
            body,
            source,
            self._clock.now(),
            message_id,
            max_chars=messages.MAX_ANSWER_CHARS,
        )
        saved = await self._store.save_answer(write)
        if saved is None:
            return None
        if saved.change is AnswerChange.TOO_LONG:
            return messages.error(
                f"With that, your answer would have {saved.chars:,} characters; the limit is "
                f"{messages.MAX_ANSWER_CHARS:,}, so I kept your answer as it was. Shorten or "
                "delete one of your messages in the thread, then send it again."
            )
        telemetry.answer_recorded(source.value)
        question = self._bank.get(round_.question_id)
        if saved.late:  # one message, graded at once: the member sees how it would have scored
            coverage = grade(body, question.key_points, question.prompt) if question else None
            return messages.late_answer_saved(question, coverage)
        # On time, only whether the whole answer counts as an attempt; the reveal grades it.
        answer = await self._store.member_answer(round_.id, member_id) if saved.parts > 1 else None
        whole = answer.text if answer is not None else body
        not_one = attempt_problem(whole, question.prompt if question else "")
        if not_one is not None:
            return messages.not_an_attempt(not_one, round_.reveal_at, group.settings.timezone)
        return messages.answer_saved(
            saved.change, saved.parts, round_.reveal_at, group.settings.timezone
        )
