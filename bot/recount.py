"""A member's points in a group, recounted from their answers after a grade changed.

A regrade changes one answer's coverage (and may make it count as a real
attempt); the answer's points follow, and so, through the streak, may the
points of the member's later answers, their stats and every leaderboard total
those answers count on. `recount` returns all of that from the member's scored
answers, as a reveal would have written it had the grade been right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.scoring import ScoringRules, next_stats, round_points
from bot.store.records import MemberStats

__all__ = ["GradeChange", "Recount", "ScoredAnswer", "Total", "recount"]


@dataclass(frozen=True, slots=True)
class ScoredAnswer:
    """One on-time, scored answer of a member, as stored."""

    answer_id: int
    seq: int  # the round's reveal number in the group
    periods: tuple[str, ...]  # the leaderboards it counts on
    achieved_at: datetime
    coverage: float
    attempt: bool  # a real attempt (points, and the streak grows)
    helpful_votes: int  # votes before the reveal (none come after)


@dataclass(frozen=True, slots=True)
class GradeChange:
    """The new grade of one answer: its coverage, and whether it counts as an attempt."""

    answer_id: int
    coverage: float
    attempt: bool


@dataclass(frozen=True, slots=True)
class Total:
    """A member's total on one leaderboard, and when they reached it."""

    points: int
    achieved_at: datetime


@dataclass(frozen=True, slots=True)
class Recount:
    """What follows from a changed grade: answers' points, stats, leaderboard totals."""

    points: Mapping[int, int]  # answer id -> points, for every answer
    stats: MemberStats
    totals: Mapping[str, Total]  # period -> the member's total there


def _points(
    answers: Sequence[ScoredAnswer], member_id: int, rules: ScoringRules
) -> tuple[dict[int, int], MemberStats]:
    """Return each answer's points, as its reveal gives them, and the stats they leave."""
    stats: MemberStats | None = None
    points: dict[int, int] = {}
    for a in answers:
        if not a.attempt:
            points[a.answer_id] = 0
            continue
        stats = next_stats(stats, member_id, a.seq, a.coverage)
        points[a.answer_id] = round_points(a.coverage, stats.streak, rules, a.helpful_votes).total
    return points, stats or MemberStats(member_id)


def _totals(answers: Sequence[ScoredAnswer], points: Mapping[int, int]) -> dict[str, Total]:
    """Return the sum of points per leaderboard, reached when the last points were added."""
    totals: dict[str, Total] = {}
    for a in answers:
        earned = points[a.answer_id]
        if earned <= 0:
            continue
        for period in a.periods:
            before = totals.get(period)
            totals[period] = Total((before.points if before else 0) + earned, a.achieved_at)
    return totals


def recount(
    answers: Sequence[ScoredAnswer], change: GradeChange, member_id: int, rules: ScoringRules
) -> Recount:
    """Return a member's answers' points, stats and totals once one answer's grade changes.

    A regrade never takes the attempt away: an answer that counted still counts.
    """
    changed = [
        replace(a, coverage=change.coverage, attempt=change.attempt or a.attempt)
        if a.answer_id == change.answer_id
        else a
        for a in sorted(answers, key=lambda a: a.seq)
    ]
    points, stats = _points(changed, member_id, rules)
    return Recount(points, stats, _totals(changed, points))
