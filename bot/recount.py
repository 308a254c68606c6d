"""A member's points in a group, recounted from their answers after a grade changed.

A regrade changes one answer's coverage (and may make it count as a real
attempt); the answer's points follow, and so, through the streak, may the
points of the member's later answers, their stats and every leaderboard total
those answers count on. `recount` returns all of that from the member's scored
answers, as a reveal would have written it had the grade been right.

The rounds a freeze or an away day bridged for the member (as stored at their
reveals) carry the streak over as they did then; a bridged round the regrade
turns into a real attempt counts as answered, and its freeze is not spent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.records import MemberStats, StreakBridge
from bot.scoring import ScoringRules, next_stats, round_points
from bot.streak_guard import bridged

__all__ = ["GradeChange", "Recount", "RecountOf", "ScoredAnswer", "Total", "recount"]


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


# A member's answers and bridges, as stored, turned into their recount (the rules live
# with the caller).
RecountOf = Callable[[Sequence[ScoredAnswer], Sequence[StreakBridge]], Recount]


def _points(
    answers: Sequence[ScoredAnswer],
    bridges: Sequence[StreakBridge],
    member_id: int,
    rules: ScoringRules,
) -> tuple[dict[int, int], MemberStats]:
    """Return each answer's points, as its reveal gives them, and the stats they leave."""
    stats: MemberStats | None = None
    points: dict[int, int] = {}
    by_seq = {a.seq: a for a in answers}
    kinds = {b.seq: b.kind for b in bridges}
    for seq in sorted(by_seq.keys() | kinds.keys()):
        a = by_seq.get(seq)
        if a is not None and a.attempt:
            stats = next_stats(stats, member_id, a.seq, a.coverage)
            earned = round_points(a.coverage, stats.streak, rules, a.helpful_votes)
            points[a.answer_id] = earned.total
            continue
        if a is not None:
            points[a.answer_id] = 0
        if seq in kinds:
            stats = bridged(stats, seq, kinds[seq]) or stats
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
    answers: Sequence[ScoredAnswer],
    change: GradeChange,
    member_id: int,
    rules: ScoringRules,
    bridges: Sequence[StreakBridge] = (),
) -> Recount:
    """Return a member's answers' points, stats and totals once one answer's grade changes.

    A regrade never takes the attempt away: an answer that counted still counts.
    `bridges` are the member's stored bridges in the group.
    """
    changed = [
        replace(a, coverage=change.coverage, attempt=change.attempt or a.attempt)
        if a.answer_id == change.answer_id
        else a
        for a in sorted(answers, key=lambda a: a.seq)
    ]
    points, stats = _points(changed, bridges, member_id, rules)
    return Recount(points, stats, _totals(changed, points))
