"""The store's appeals and regrades: a human's decision on a grade, and its record.

A regrade rewrites one answer's grade and, in the same transaction, what
follows from it (the member's later points through the streak, their stats,
every leaderboard total those answers count on), as `bot.recount` works it
out. Decisions on one group take turns with each other and with its reveals
(one lock), so two admins deciding at once cannot both win, and a regrade is
refused while a reveal is scoring the group from stats it read beforehand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from bot.clock import from_micros, to_micros
from bot.content.appeal_report import AppealOutcome
from bot.records import (
    AnswerUnderReview,
    Appeal,
    AppealStatus,
    BridgeKind,
    RegradeNote,
    RegradeOutcome,
    RegradeWrite,
    StreakBridge,
)
from bot.recount import Recount, RecountOf, ScoredAnswer
from bot.store.base import StoreBase
from bot.store.database import Executor, Row, take_turns
from bot.store.round_records import GROUP_SCORES_LOCK
from bot.store.rows import covered_from_text, covered_to_text, time_or_none
from bot.store.score_records import set_member_totals, write_member_stats

__all__ = ["AppealRecords", "RecountOf"]


_REVIEW_COLUMNS = (
    "a.id AS answer_id, a.round_id, r.group_id, r.question_id, r.local_date, r.revealed_at,"
    " a.member_id, m.user_id, m.display_name, a.text, a.late, a.covered, a.coverage,"
    " a.points, a.attempt, (SELECT COUNT(*) FROM regrades g WHERE g.answer_id = a.id)"
    " AS regrades FROM answers a JOIN rounds r ON r.id = a.round_id"
    " JOIN members m ON m.id = a.member_id"
)
_APPEAL_COLUMNS = (
    "p.id, p.group_id, p.answer_id, p.note, p.opened_at, p.status, d.display_name AS decider,"
    " p.decided_at, p.reason FROM appeals p LEFT JOIN members d ON d.id = p.decided_by"
)


def _review_from_row(row: Row) -> AnswerUnderReview:
    return AnswerUnderReview(
        answer_id=row["answer_id"],
        round_id=row["round_id"],
        group_id=row["group_id"],
        question_id=row["question_id"],
        local_date=date.fromisoformat(row["local_date"]),
        revealed_at=time_or_none(row["revealed_at"]),
        member_id=row["member_id"],
        member_user_id=row["user_id"],
        member_name=row["display_name"],
        text=row["text"],
        late=bool(row["late"]),
        covered=covered_from_text(row["covered"]),
        coverage=row["coverage"],
        points=row["points"],
        attempt=bool(row["attempt"]),
        regrades=int(row["regrades"]),
    )


def _appeal_from_row(row: Row) -> Appeal:
    return Appeal(
        id=row["id"],
        group_id=row["group_id"],
        answer_id=row["answer_id"],
        note=row["note"],
        opened_at=from_micros(row["opened_at"]),
        status=AppealStatus(row["status"]),
        decided_by=row["decider"],
        decided_at=time_or_none(row["decided_at"]),
        reason=row["reason"],
    )


async def _scored_answers(
    tx: Executor,
    group_id: int,
    member_id: int,
    periods_of: Callable[[date, str | None], tuple[str, ...]],
) -> list[ScoredAnswer]:
    """Return a member's on-time, scored answers in a group's revealed rounds, in order."""
    rows = await tx.fetch(
        "SELECT a.id, r.reveal_seq, r.local_date, r.category, a.submitted_at, a.coverage,"
        " a.attempt,"
        " (SELECT COUNT(*) FROM votes v WHERE v.answer_id = a.id) AS votes"
        " FROM answers a JOIN rounds r ON r.id = a.round_id"
        " WHERE r.group_id = :group_id AND a.member_id = :member_id AND a.late = 0"
        " AND a.points IS NOT NULL AND r.reveal_seq IS NOT NULL ORDER BY r.reveal_seq",
        {"group_id": group_id, "member_id": member_id},
    )
    return [
        ScoredAnswer(
            answer_id=r["id"],
            seq=r["reveal_seq"],
            periods=periods_of(date.fromisoformat(r["local_date"]), r["category"]),
            achieved_at=from_micros(r["submitted_at"]),
            coverage=float(r["coverage"]),
            attempt=bool(r["attempt"]),
            helpful_votes=int(r["votes"]),
        )
        for r in rows
    ]


async def _bridges(tx: Executor, group_id: int, member_id: int) -> list[StreakBridge]:
    """Return the rounds a freeze or an away day bridged for a member in a group, in order."""
    rows = await tx.fetch(
        "SELECT seq, kind FROM streak_bridges WHERE group_id = :group_id"
        " AND member_id = :member_id ORDER BY seq",
        {"group_id": group_id, "member_id": member_id},
    )
    return [StreakBridge(member_id, r["seq"], BridgeKind(r["kind"])) for r in rows]


async def _decided(tx: Executor, write: RegradeWrite) -> RegradeOutcome | None:
    """Return who decided first, if the appeal is decided or the grade changed since seen."""
    if write.appeal_id is not None:
        row = await tx.fetchrow(
            f"SELECT {_APPEAL_COLUMNS} WHERE p.id = :id", {"id": write.appeal_id}
        )
        if row is None or row["status"] != AppealStatus.OPEN:
            return RegradeOutcome(
                False,
                decided_by=row["decider"] if row else None,
                decided_at=time_or_none(row["decided_at"]) if row else None,
            )
    row = await tx.fetchrow(
        "SELECT a.covered, m.display_name, g.decided_at FROM answers a"
        " LEFT JOIN regrades g ON g.answer_id = a.id AND g.decided_at ="
        " (SELECT MAX(decided_at) FROM regrades WHERE answer_id = a.id)"
        " LEFT JOIN members m ON m.id = g.decided_by WHERE a.id = :id",
        {"id": write.answer_id},
    )
    if row is None or covered_from_text(row["covered"]) != write.seen_covered:
        return RegradeOutcome(
            False,
            decided_by=row["display_name"] if row else None,
            decided_at=time_or_none(row["decided_at"]) if row else None,
        )
    return None


class AppealRecords(StoreBase):
    """Appeals, regrades, and the answers they are about."""

    async def answer_under_review(self, round_id: int, member_id: int) -> AnswerUnderReview | None:
        """Return a member's answer to a round, as an admin regrades it."""
        row = await self.db.fetchrow(
            f"SELECT {_REVIEW_COLUMNS} WHERE a.round_id = :round_id AND a.member_id = :member_id",
            {"round_id": round_id, "member_id": member_id},
        )
        return _review_from_row(row) if row else None

    async def answer_by_id(self, answer_id: int) -> AnswerUnderReview | None:
        """Return an answer by id, as an admin regrades it."""
        row = await self.db.fetchrow(
            f"SELECT {_REVIEW_COLUMNS} WHERE a.id = :id", {"id": answer_id}
        )
        return _review_from_row(row) if row else None

    async def open_appeal(
        self, answer_id: int, group_id: int, note: str, now: datetime
    ) -> Appeal | None:
        """Record a member's appeal of their answer's grade; None if it was appealed before."""
        async with self.db.transaction() as tx:
            added = await tx.execute(
                "INSERT INTO appeals (answer_id, group_id, note, opened_at, status)"
                " VALUES (:answer_id, :group_id, :note, :now, 'open')"
                " ON CONFLICT (answer_id) DO NOTHING",
                {"answer_id": answer_id, "group_id": group_id, "note": note, "now": to_micros(now)},
            )
            if not added:
                return None
            row = await tx.fetchrow(
                f"SELECT {_APPEAL_COLUMNS} WHERE p.answer_id = :id", {"id": answer_id}
            )
        assert row is not None
        return _appeal_from_row(row)

    async def appeal(self, appeal_id: int) -> Appeal | None:
        """Return an appeal by id."""
        row = await self.db.fetchrow(
            f"SELECT {_APPEAL_COLUMNS} WHERE p.id = :id", {"id": appeal_id}
        )
        return _appeal_from_row(row) if row else None

    async def appeal_of_answer(self, answer_id: int) -> Appeal | None:
        """Return the appeal of an answer, if it was appealed."""
        row = await self.db.fetchrow(
            f"SELECT {_APPEAL_COLUMNS} WHERE p.answer_id = :id", {"id": answer_id}
        )
        return _appeal_from_row(row) if row else None

    async def open_appeals(self, group_id: int) -> list[Appeal]:
        """Return a group's undecided appeals, oldest first."""
        rows = await self.db.fetch(
            f"SELECT {_APPEAL_COLUMNS} WHERE p.group_id = :group_id AND p.status = 'open'"
            " ORDER BY p.opened_at, p.id",
            {"group_id": group_id},
        )
        return [_appeal_from_row(r) for r in rows]

    async def keep_grade(
        self, appeal_id: int, decided_by: int | None, reason: str, now: datetime
    ) -> Appeal | None:
        """Close an appeal with the grade kept; None if it was decided already."""
        async with self.db.transaction() as tx:
            done = await tx.execute(
                "UPDATE appeals SET status = 'kept', decided_by = :by, decided_at = :now,"
                " reason = :reason WHERE id = :id AND status = 'open'",
                {"by": decided_by, "now": to_micros(now), "reason": reason, "id": appeal_id},
            )
        return await self.appeal(appeal_id) if done else None

    async def regrade(
        self,
        write: RegradeWrite,
        recount_of: RecountOf,
        periods_of: Callable[[date, str | None], tuple[str, ...]],
    ) -> RegradeOutcome:
        """Give an answer a human's grade and rescore what follows; refused if decided first."""
        async with self.db.transaction() as tx:
            await take_turns(tx, self.db.dialect, GROUP_SCORES_LOCK + write.group_id)
            if await tx.fetchrow(
                "SELECT id FROM rounds WHERE group_id = :group_id AND status = 'revealing'",
                {"group_id": write.group_id},
            ):
                return RegradeOutcome(False, busy=True)
            refused = await _decided(tx, write)
            if refused is not None:
                return refused
            answers = await _scored_answers(tx, write.group_id, write.member_id, periods_of)
            before = await tx.fetchrow(
                "SELECT coverage, points FROM answers WHERE id = :id", {"id": write.answer_id}
            )
            assert before is not None
            result = recount_of(answers, await _bridges(tx, write.group_id, write.member_id))
            changed = await self._write_recount(tx, write, answers, result)
            await self._record(tx, write, before, result)
        return RegradeOutcome(True, int(before["points"]), result.points[write.answer_id], changed)

    @staticmethod
    async def _write_recount(
        tx: Executor, write: RegradeWrite, answers: Sequence[ScoredAnswer], result: Recount
    ) -> tuple[str, ...]:
        """Write the grade and the member's points, stats and totals; return the boards changed."""
        coverage = sum(write.covered) / len(write.covered) if write.covered else 0.0
        await tx.execute(
            "UPDATE answers SET covered = :covered, coverage = :coverage, attempt = :attempt"
            " WHERE id = :id",
            {
                "covered": covered_to_text(write.covered),
                "coverage": coverage,
                "attempt": int(write.attempt),
                "id": write.answer_id,
            },
        )
        await tx.executemany(
            "UPDATE answers SET points = :points WHERE id = :id",
            [{"points": p, "id": answer_id} for answer_id, p in result.points.items()],
        )
        if result.stats.rounds_answered:
            await write_member_stats(tx, write.group_id, [result.stats])
        periods = sorted({p for a in answers for p in a.periods})
        stored = {
            r["period"]: (int(r["points"]), from_micros(r["achieved_at"]))
            for r in await tx.fetch(
                "SELECT period, points, achieved_at FROM score_totals"
                " WHERE group_id = :group_id AND member_id = :member_id",
                {"group_id": write.group_id, "member_id": write.member_id},
            )
        }
        wanted: dict[str, tuple[int, datetime] | None] = {}
        for period in periods:
            total = result.totals.get(period)
            new = (total.points, total.achieved_at) if total else None
            if stored.get(period) != new:
                wanted[period] = new
        await set_member_totals(tx, write.group_id, write.member_id, wanted)
        return tuple(
            p for p, new in wanted.items() if (new or (0,))[0] != (stored.get(p) or (0,))[0]
        )

    @staticmethod
    async def _record(tx: Executor, write: RegradeWrite, before: Row, result: Recount) -> None:
        """Keep the change (who, when, before and after, why) and close the appeal."""
        new_coverage = sum(write.covered) / len(write.covered) if write.covered else 0.0
        await tx.execute(
            "INSERT INTO regrades (answer_id, appeal_id, decided_by, decided_at, old_covered,"
            " new_covered, old_coverage, new_coverage, old_points, new_points, reason)"
            " VALUES (:answer_id, :appeal_id, :by, :now, :old_covered, :new_covered,"
            " :old_coverage, :new_coverage, :old_points, :new_points, :reason)",
            {
                "answer_id": write.answer_id,
                "appeal_id": write.appeal_id,
                "by": write.decided_by,
                "now": to_micros(write.now),
                "old_covered": covered_to_text(write.seen_covered),
                "new_covered": covered_to_text(write.covered),
                "old_coverage": float(before["coverage"]),
                "new_coverage": new_coverage,
                "old_points": int(before["points"]),
                "new_points": result.points[write.answer_id],
                "reason": write.reason,
            },
        )
        if write.appeal_id is not None:
            await tx.execute(
                "UPDATE appeals SET status = 'changed', decided_by = :by, decided_at = :now,"
                " reason = :reason WHERE id = :id",
                {
                    "by": None if write.by_peers else write.decided_by,
                    "now": to_micros(write.now),
                    "reason": write.reason,
                    "id": write.appeal_id,
                },
            )

    async def peer_candidates(self, round_id: int, appellant_id: int) -> list[tuple[int, str]]:
        """Return (member id, user id) of who may judge an appeal: the round's on-time attempts."""
        rows = await self.db.fetch(
            "SELECT a.member_id, m.user_id FROM answers a JOIN members m ON m.id = a.member_id"
            " WHERE a.round_id = :round_id AND a.late = 0 AND a.attempt = 1"
            " AND a.member_id <> :appellant ORDER BY a.member_id",
            {"round_id": round_id, "appellant": appellant_id},
        )
        return [(int(r["member_id"]), str(r["user_id"])) for r in rows]

    async def waiting_peer_appeals(self) -> list[Appeal]:
        """Return the open appeals judged by peers that were not passed to the admins."""
        rows = await self.db.fetch(
            f"SELECT {_APPEAL_COLUMNS} WHERE p.status = 'open' AND p.passed_at IS NULL"
            " AND EXISTS (SELECT 1 FROM appeal_judges j WHERE j.appeal_id = p.id)"
            " ORDER BY p.opened_at, p.id",
            {},
        )
        return [_appeal_from_row(r) for r in rows]

    async def pass_to_admins(self, appeal_id: int, now: datetime) -> bool:
        """Mark an open peer appeal as passed to the admins; False if it was, or was decided."""
        done = await self.db.execute(
            "UPDATE appeals SET passed_at = :now"
            " WHERE id = :id AND status = 'open' AND passed_at IS NULL",
            {"id": appeal_id, "now": to_micros(now)},
        )
        return bool(done)

    async def add_judges(self, appeal_id: int, judge_ids: Sequence[int]) -> None:
        """Record the members asked to judge an appeal."""
        async with self.db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO appeal_judges (appeal_id, judge_id) VALUES (:appeal_id, :judge_id)",
                [{"appeal_id": appeal_id, "judge_id": j} for j in judge_ids],
            )

    async def judges_votes(self, appeal_id: int) -> dict[int, str | None]:
        """Return an appeal's judges (member id) and their votes (None: not cast yet)."""
        rows = await self.db.fetch(
            "SELECT judge_id, covered FROM appeal_judges WHERE appeal_id = :id",
            {"id": appeal_id},
        )
        return {int(r["judge_id"]): r["covered"] for r in rows}

    async def cast_vote(
        self, appeal_id: int, judge_id: int, covered: str, now: datetime
    ) -> list[str] | None:
        """Record a judge's vote on an open appeal; return every vote cast, None if refused."""
        async with self.db.transaction() as tx:
            done = await tx.execute(
                "UPDATE appeal_judges SET covered = :covered, voted_at = :now"
                " WHERE appeal_id = :appeal_id AND judge_id = :judge_id AND covered IS NULL"
                " AND (SELECT status FROM appeals WHERE id = :appeal_id) = 'open'",
                {
                    "covered": covered,
                    "now": to_micros(now),
                    "appeal_id": appeal_id,
                    "judge_id": judge_id,
                },
            )
            if not done:
                return None
            rows = await tx.fetch(
                "SELECT covered FROM appeal_judges WHERE appeal_id = :id AND covered IS NOT NULL"
                " ORDER BY voted_at, judge_id",
                {"id": appeal_id},
            )
        return [str(r["covered"]) for r in rows]

    async def regraded_answers(
        self, group_id: int, member_id: int, limit: int = 5
    ) -> list[RegradeNote]:
        """Return a member's answers in a group that a human regraded, the latest days first."""
        rows = await self.db.fetch(
            "SELECT r.question_id, r.local_date, g.old_points, g.new_points FROM regrades g"
            " JOIN answers a ON a.id = g.answer_id JOIN rounds r ON r.id = a.round_id"
            " WHERE r.group_id = :group_id AND a.member_id = :member_id AND g.id ="
            " (SELECT MAX(h.id) FROM regrades h WHERE h.answer_id = g.answer_id)"
            " ORDER BY r.local_date DESC LIMIT :limit",
            {"group_id": group_id, "member_id": member_id, "limit": limit},
        )
        return [
            RegradeNote(
                r["question_id"],
                date.fromisoformat(r["local_date"]),
                int(r["old_points"]),
                int(r["new_points"]),
            )
            for r in rows
        ]

    async def appeal_outcomes(self) -> list[AppealOutcome]:
        """Return every decided appeal: its question, and covered before and after."""
        rows = await self.db.fetch(
            "SELECT r.question_id, p.status, COALESCE(g.old_covered, a.covered) AS old_covered,"
            " g.new_covered FROM appeals p"
            " JOIN answers a ON a.id = p.answer_id JOIN rounds r ON r.id = a.round_id"
            " LEFT JOIN regrades g ON g.appeal_id = p.id WHERE p.status <> 'open'"
            " ORDER BY r.question_id, p.id"
        )
        return [
            AppealOutcome(
                r["question_id"],
                r["status"] == AppealStatus.CHANGED,
                r["old_covered"] or "",
                r["new_covered"],
            )
            for r in rows
        ]
