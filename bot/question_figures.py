"""A revealed round's figures for its group's admins: answer rate, coverage, the point most missed.

Pure rules over what the store counts: per round, its on-time answers grouped by
the key points they cover (as stored, one "1" or "0" per key point; an answer a
human regraded is stored with the human's grade).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

__all__ = ["MissedPoint", "RoundTally", "average_coverage", "most_missed"]


@dataclass(frozen=True, slots=True)
class RoundTally:
    """A revealed round, and how its on-time, scored answers covered its key points."""

    round_id: int
    local_date: date
    question_id: str
    on_time: int  # members who answered on time
    coverage_sum: float  # the sum of their answers' coverage
    covered: Mapping[str, int]  # the stored covered text -> how many on-time answers have it


@dataclass(frozen=True, slots=True)
class MissedPoint:
    """The key point the fewest on-time answers covered."""

    index: int  # from 0, in the question's order
    covered: int  # on-time answers that covered it
    out_of: int  # on-time answers whose grade names this question's key points


def average_coverage(tally: RoundTally) -> float | None:
    """Return the average coverage of a round's on-time answers (None: there were none)."""
    return tally.coverage_sum / tally.on_time if tally.on_time else None


def most_missed(tally: RoundTally, key_points: int) -> MissedPoint | None:
    """Return the key point with the lowest share covered among the on-time answers.

    Ties go to the earlier key point. Grades stored for another number of key
    points (the question changed since) are left out. None when no answer is
    left, or when every answer covered every key point.
    """
    counts = [0] * key_points
    out_of = 0
    for text, answers in tally.covered.items():
        if len(text) != key_points:
            continue
        out_of += answers
        for n, mark in enumerate(text):
            if mark == "1":
                counts[n] += answers
    if not out_of or not counts or min(counts) == out_of:
        return None
    index = counts.index(min(counts))
    return MissedPoint(index, counts[index], out_of)
