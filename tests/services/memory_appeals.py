"""The in-memory store's appeals and regrades (as `bot.store.appeal_records`).

An answer under review is read from the answers, rounds and members dicts;
appeals are kept by id, one per answer. A regrade is refused when its appeal
was decided or the answer's grade changed since the admin saw it; otherwise it
writes the new grade and, from `recount_of`, the member's points, stats and
leaderboard totals, records who changed it and closes the appeal as changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime

from bot.model import RoundStatus
from bot.records import (
    AnswerUnderReview,
    Appeal,
    AppealStatus,
    RegradeNote,
    RegradeOutcome,
    RegradeWrite,
)
from bot.recount import Recount, RecountOf, ScoredAnswer
from tests.services.memory_base import MemoryBase

__all__ = ["MemoryAppeals"]


class MemoryAppeals(MemoryBase):
    """Appeals by id, and answers as an admin regrades them."""

    def _answer_key(self, answer_id: int) -> tuple[int, int] | None:
        """Return the (round id, member id) an answer is kept under; None if there is none."""
        return next((key for key, a in self.answers.items() if a.answer_id == answer_id), None)

    # -- reads -----------------------------------------------------------------

    async def regraded_answers(
        self, group_id: int, member_id: int, limit: int = 5
    ) -> list[RegradeNote]:
        """Return a member's answers in a group that a human regraded, the latest days first."""
        notes = []
        for (round_id, mid), answer in self.answers.items():
            round_ = self.rounds[round_id]
            points = self.regrade_points.get(answer.answer_id)
            if mid == member_id and round_.group_id == group_id and points is not None:
                notes.append(RegradeNote(round_.question_id, round_.local_date, *points))
        return sorted(notes, key=lambda n: n.local_date, reverse=True)[:limit]

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
            attempt=self.attempt_of.get(answer.answer_id, False),
            regrades=self.regrade_counts.get(answer.answer_id, 0),
        )

    async def answer_by_id(self, answer_id: int) -> AnswerUnderReview | None:
        """Return an answer by id, as an admin regrades it."""
        key = self._answer_key(answer_id)
        return await self.answer_under_review(*key) if key else None

    async def appeal(self, appeal_id: int) -> Appeal | None:
        """Return an appeal by id."""
        return self.appeals.get(appeal_id)

    async def appeal_of_answer(self, answer_id: int) -> Appeal | None:
        """Return the appeal of an answer, if it was appealed."""
        return next((a for a in self.appeals.values() if a.answer_id == answer_id), None)

    async def open_appeals(self, group_id: int) -> list[Appeal]:
        """Return a group's undecided appeals, oldest first."""
        mine = [
            a
            for a in self.appeals.values()
            if a.group_id == group_id and a.status is AppealStatus.OPEN
        ]
        return sorted(mine, key=lambda a: (a.opened_at, a.id))

    # -- peer judges -----------------------------------------------------------

    async def peer_candidates(self, round_id: int, appellant_id: int) -> list[tuple[int, str]]:
        """Return (member id, user id) of who may judge an appeal: the round's on-time attempts."""
        found = []
        for (rid, member_id), answer in sorted(self.answers.items()):
            real = self.attempt_of.get(answer.answer_id, False)
            if rid == round_id and member_id != appellant_id and not answer.late and real:
                found.append((member_id, self.user_id_of(member_id)))
        return found

    async def add_judges(self, appeal_id: int, judge_ids: Sequence[int]) -> None:
        """Record the members asked to judge an appeal."""
        self.judges[appeal_id] = dict.fromkeys(judge_ids)

    async def judges_votes(self, appeal_id: int) -> dict[int, str | None]:
        """Return an appeal's judges (member id) and their votes (None: not cast yet)."""
        votes = self.judges.get(appeal_id, {})
        return {j: None if v is None else v[0] for j, v in votes.items()}

    async def cast_vote(
        self, appeal_id: int, judge_id: int, covered: str, now: datetime
    ) -> list[str] | None:
        """Record a judge's vote on an open appeal; return every vote cast, None if refused."""
        votes = self.judges.get(appeal_id, {})
        appeal = self.appeals.get(appeal_id)
        if appeal is None or appeal.status is not AppealStatus.OPEN:
            return None
        if judge_id not in votes or votes[judge_id] is not None:
            return None
        votes[judge_id] = (covered, now)
        cast = sorted((v[1], j, v[0]) for j, v in votes.items() if v is not None)
        return [c for _, _, c in cast]

    async def waiting_peer_appeals(self) -> list[Appeal]:
        """Return the open appeals judged by peers that were not passed to the admins."""
        waiting = [
            a
            for a in self.appeals.values()
            if a.status is AppealStatus.OPEN and a.id in self.judges and a.id not in self.passed_on
        ]
        return sorted(waiting, key=lambda a: (a.opened_at, a.id))

    async def pass_to_admins(self, appeal_id: int, now: datetime) -> bool:
        """Mark an open peer appeal as passed to the admins; False if it was, or was decided."""
        appeal = self.appeals.get(appeal_id)
        if appeal is None or appeal.status is not AppealStatus.OPEN or appeal_id in self.passed_on:
            return False
        self.passed_on[appeal_id] = now
        return True

    # -- decisions -------------------------------------------------------------

    async def open_appeal(
        self, answer_id: int, group_id: int, note: str, now: datetime
    ) -> Appeal | None:
        """Record a member's appeal of their answer's grade; None if it was appealed before."""
        if await self.appeal_of_answer(answer_id) is not None:
            return None
        appeal_id = max(self.appeals, default=0) + 1
        self.appeals[appeal_id] = Appeal(
            appeal_id, group_id, answer_id, note, now, AppealStatus.OPEN
        )
        return self.appeals[appeal_id]

    def _close(
        self, appeal_id: int, status: AppealStatus, decided_by: int, reason: str, now: datetime
    ) -> Appeal:
        """Close an appeal as decided by a member, now, for a reason."""
        closed = replace(
            self.appeals[appeal_id],
            status=status,
            decided_by=self.name_of(decided_by),
            decided_at=now,
            reason=reason,
        )
        self.appeals[appeal_id] = closed
        return closed

    async def keep_grade(
        self, appeal_id: int, decided_by: int, reason: str, now: datetime
    ) -> Appeal | None:
        """Close an appeal with the grade kept; None if it was decided already."""
        appeal = self.appeals.get(appeal_id)
        if appeal is None or appeal.status is not AppealStatus.OPEN:
            return None
        return self._close(appeal_id, AppealStatus.KEPT, decided_by, reason, now)

    async def regrade(
        self,
        write: RegradeWrite,
        recount_of: RecountOf,
        periods_of: Callable[[date, str | None], tuple[str, ...]],
    ) -> RegradeOutcome:
        """Give an answer a human's grade and rescore what follows; refused if decided first."""
        if any(
            r.group_id == write.group_id and r.status is RoundStatus.REVEALING
            for r in self.rounds.values()
        ):
            return RegradeOutcome(False, busy=True)
        refused = self._decided(write)
        if refused is not None:
            return refused
        key = self._answer_key(write.answer_id)
        assert key is not None
        old_points = self.answers[key].points or 0
        answers = self._scored_answers(write.group_id, write.member_id, periods_of)
        bridges = [
            b
            for (g, m, _), b in sorted(self.bridges.items())
            if (g, m) == (write.group_id, write.member_id)
        ]
        result = recount_of(answers, bridges)
        changed = self._write_recount(write, answers, result)
        self.regrade_counts[write.answer_id] = self.regrade_counts.get(write.answer_id, 0) + 1
        self.last_regrade[write.answer_id] = (write.decided_by, write.now)
        self.regrade_points[write.answer_id] = (old_points, result.points[write.answer_id])
        if write.appeal_id is not None:
            self._close(
                write.appeal_id, AppealStatus.CHANGED, write.decided_by, write.reason, write.now
            )
        return RegradeOutcome(True, old_points, result.points[write.answer_id], changed)

    def _decided(self, write: RegradeWrite) -> RegradeOutcome | None:
        """Return who decided first, if the appeal is decided or the grade changed since seen."""
        if write.appeal_id is not None:
            appeal = self.appeals.get(write.appeal_id)
            if appeal is None or appeal.status is not AppealStatus.OPEN:
                return RegradeOutcome(
                    False,
                    decided_by=appeal.decided_by if appeal else None,
                    decided_at=appeal.decided_at if appeal else None,
                )
        key = self._answer_key(write.answer_id)
        if key is None or self.answers[key].covered != write.seen_covered:
            last = self.last_regrade.get(write.answer_id)
            return RegradeOutcome(
                False,
                decided_by=self.name_of(last[0]) if last else None,
                decided_at=last[1] if last else None,
            )
        return None

    def _scored_answers(
        self,
        group_id: int,
        member_id: int,
        periods_of: Callable[[date, str | None], tuple[str, ...]],
    ) -> list[ScoredAnswer]:
        """Return a member's on-time, scored answers in a group's revealed rounds, in order."""
        scored = []
        for (round_id, mid), a in self.answers.items():
            round_ = self.rounds[round_id]
            seq = round_.reveal_seq
            if round_.group_id != group_id or mid != member_id or seq is None:
                continue
            if a.late or a.points is None:
                continue
            scored.append(
                ScoredAnswer(
                    answer_id=a.answer_id,
                    seq=seq,
                    periods=periods_of(round_.local_date, self.round_categories.get(round_id)),
                    achieved_at=a.submitted_at,
                    coverage=a.coverage or 0.0,
                    attempt=self.attempt_of.get(a.answer_id, False),
                    helpful_votes=self.votes_on(a.answer_id),
                )
            )
        return sorted(scored, key=lambda s: s.seq)

    def _write_recount(
        self, write: RegradeWrite, answers: Sequence[ScoredAnswer], result: Recount
    ) -> tuple[str, ...]:
        """Write the grade and the member's points, stats and totals; return the boards changed."""
        key = self._answer_key(write.answer_id)
        assert key is not None
        coverage = sum(write.covered) / len(write.covered) if write.covered else 0.0
        self.answers[key] = replace(self.answers[key], covered=write.covered, coverage=coverage)
        self.attempt_of[write.answer_id] = write.attempt
        for answer_id, points in result.points.items():
            other = self._answer_key(answer_id)
            assert other is not None
            self.answers[other] = replace(self.answers[other], points=points)
        if result.stats.rounds_answered:
            self.stats[(write.group_id, write.member_id)] = result.stats
        changed = []
        for period in sorted({p for a in answers for p in a.periods}):
            total_key = (write.group_id, period, write.member_id)
            old = self.totals.pop(total_key, None)
            new = result.totals.get(period)
            if new is not None:
                self.totals[total_key] = (new.points, new.achieved_at)
            if (new.points if new else 0) != (old[0] if old else 0):
                changed.append(period)
        return tuple(changed)
