"""A hand-written in-memory store for the services' unit tests: the ports, without SQL.

It keeps plain dicts and follows the rules the real store keeps in SQL (one
answer per round and member, votes only on an open round's on-time answers of
others, one vote per voter however many reactions hold it), so a service test
checks the service's own rules, quickly, without a database.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from bot.model import ChannelRef, Group, GroupSettings, MemberRef, Round, RoundStatus
from bot.store.records import (
    AnswerSaved,
    AnswerWrite,
    MemberAnswer,
    PracticeAttempt,
    Review,
    VoteReaction,
)


class MemoryStore:
    """Groups, rounds, answers, votes and practice in dicts."""

    def __init__(self) -> None:
        self.groups: dict[int, Group] = {}
        self.members: dict[tuple[str, str], tuple[int, str]] = {}
        self.rounds: dict[int, Round] = {}
        self.answers: dict[tuple[int, int], MemberAnswer] = {}
        self.message_of: dict[int, str | None] = {}  # answer id -> the message carrying it
        self.reactions: set[tuple[int, int, VoteReaction]] = set()  # answer, voter, reaction
        self.attempts: dict[int, PracticeAttempt] = {}
        self.review_rows: dict[tuple[int, str], Review] = {}
        self.held_back: set[str] = set()

    # -- members and groups --------------------------------------------------

    async def member_id(self, member: MemberRef) -> int:
        key = (member.platform, member.user_id)
        known = self.members.get(key)
        member_id = known[0] if known else len(self.members) + 1
        name = member.display_name or (known[1] if known else "")
        self.members[key] = (member_id, name)
        return member_id

    def name_of(self, member_id: int) -> str:
        return next(name for mid, name in self.members.values() if mid == member_id)

    async def create_group(self, channel: ChannelRef, settings: GroupSettings) -> Group | None:
        if await self.group_for_channel(channel) is not None:
            return None
        group = Group(len(self.groups) + 1, channel.channel(), settings)
        self.groups[group.id] = group
        return group

    async def group_for_channel(self, channel: ChannelRef) -> Group | None:
        return next((g for g in self.groups.values() if g.channel == channel.channel()), None)

    async def save_settings(self, group_id: int, settings: GroupSettings) -> None:
        self.groups[group_id] = replace(self.groups[group_id], settings=settings)

    # -- rounds ----------------------------------------------------------------

    def add_round(
        self, group: Group, status: RoundStatus, thread_id: str | None = None, **fields: object
    ) -> Round:
        round_id = len(self.rounds) + 1
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

    async def get_round(self, round_id: int) -> Round | None:
        return self.rounds.get(round_id)

    async def current_round(self, group_id: int) -> Round | None:
        open_ = [r for r in self.rounds.values() if r.group_id == group_id]
        return next((r for r in reversed(open_) if r.status is RoundStatus.OPEN), None)

    async def latest_revealed_round(self, group_id: int) -> Round | None:
        revealed = [
            r
            for r in self.rounds.values()
            if r.group_id == group_id and r.status is RoundStatus.REVEALED
        ]
        return revealed[-1] if revealed else None

    async def round_by_thread(self, group_id: int, thread_id: str) -> Round | None:
        return next(
            (
                r
                for r in self.rounds.values()
                if r.group_id == group_id and r.thread_id == thread_id
            ),
            None,
        )

    # -- answers and votes -------------------------------------------------------

    async def save_answer(self, answer: AnswerWrite) -> AnswerSaved | None:
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
        votes = len({voter for a, voter, _ in self.reactions if a == answer_id})
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
            helpful_votes=votes,
        )
        return AnswerSaved(answer_id, late, replaced=old is not None)

    async def member_answer(self, round_id: int, member_id: int) -> MemberAnswer | None:
        answer = self.answers.get((round_id, member_id))
        if answer is None:
            return None
        votes = len({voter for a, voter, _ in self.reactions if a == answer.answer_id})
        return replace(answer, helpful_votes=votes)

    async def withdraw_answer(self, round_id: int, member_id: int, message_id: str) -> bool:
        answer = self.answers.get((round_id, member_id))
        if answer is None or answer.late or self.message_of.get(answer.answer_id) != message_id:
            return False
        del self.answers[(round_id, member_id)]
        self.reactions = {r for r in self.reactions if r[0] != answer.answer_id}
        return True

    def _votable(self, group_id: int, message_id: str) -> MemberAnswer | None:
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

    # -- practice ----------------------------------------------------------------

    async def questions_held_back(
        self, member_id: int, platform: str, workspace_id: str, revealed_since: datetime
    ) -> set[str]:
        return set(self.held_back)

    async def reviews(self, member_id: int) -> dict[str, Review]:
        return {q: r for (m, q), r in self.review_rows.items() if m == member_id}

    async def start_practice(
        self, member_id: int, group_id: int | None, question_id: str, now: datetime
    ) -> PracticeAttempt:
        self.attempts = {
            k: a for k, a in self.attempts.items() if a.member_id != member_id or a.finished
        }
        attempt_id = max(self.attempts, default=99) + 1
        attempt = PracticeAttempt(attempt_id, member_id, question_id, now, False, False, None, None)
        self.attempts[attempt.id] = attempt
        return attempt

    async def latest_practice(self, member_id: int) -> PracticeAttempt | None:
        mine = [a for a in self.attempts.values() if a.member_id == member_id]
        return max(mine, key=lambda a: a.id) if mine else None

    async def practice_hinted(self, attempt_id: int) -> None:
        self.attempts[attempt_id] = replace(self.attempts[attempt_id], hinted=True)

    async def review(self, member_id: int, question_id: str) -> Review | None:
        return self.review_rows.get((member_id, question_id))

    async def finish_practice(
        self,
        attempt_id: int,
        now: datetime,
        coverage: float | None,
        review: Review,
        member_id: int,
    ) -> None:
        attempt = self.attempts[attempt_id]
        if coverage is None:
            self.attempts[attempt_id] = replace(attempt, revealed=True)
        else:
            self.attempts[attempt_id] = replace(attempt, answered_at=now, coverage=coverage)
        self.review_rows[(member_id, review.question_id)] = review
