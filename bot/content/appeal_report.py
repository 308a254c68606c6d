"""How appeals went, per question and key point: what the bank's maintainers should look at.

A key point that humans keep crediting after the grader missed it (or keep
withdrawing after the grader gave it) misgrades: its match rules need work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.bank import QuestionBank

__all__ = ["AppealOutcome", "PointAppeals", "QuestionAppeals", "appeal_report", "format_report"]


@dataclass(frozen=True, slots=True)
class AppealOutcome:
    """One decided appeal: its question, whether the grade changed, covered before and after."""

    question_id: str
    changed: bool
    covered_before: str  # one "1" or "0" per key point, as stored
    covered_after: str | None  # None when the grade was kept


@dataclass(frozen=True, slots=True)
class PointAppeals:
    """How decided appeals treated one key point."""

    text: str
    credited: int  # humans credited it where the grader had not
    withdrawn: int  # humans withdrew it where the grader had given it


@dataclass(frozen=True, slots=True)
class QuestionAppeals:
    """The decided appeals of one question, and what they did to each key point."""

    question_id: str
    decided: int
    upheld: int  # the grade was changed
    points: tuple[PointAppeals, ...]


def _point_changes(outcomes: list[AppealOutcome], count: int) -> list[tuple[int, int]]:
    """Return, per key point, how often humans credited and withdrew it."""
    changes = [[0, 0] for _ in range(count)]
    for o in outcomes:
        if o.covered_after is None or len(o.covered_before) != count:
            continue
        for n, (was, now) in enumerate(zip(o.covered_before, o.covered_after, strict=True)):
            if now == "1" and was == "0":
                changes[n][0] += 1
            elif now == "0" and was == "1":
                changes[n][1] += 1
    return [(c, w) for c, w in changes]


def appeal_report(outcomes: Iterable[AppealOutcome], bank: QuestionBank) -> list[QuestionAppeals]:
    """Return each appealed question's figures, most upheld first (questions gone: left out)."""
    by_question: dict[str, list[AppealOutcome]] = {}
    for outcome in outcomes:
        by_question.setdefault(outcome.question_id, []).append(outcome)
    report = []
    for question_id, mine in by_question.items():
        question = bank.get(question_id)
        if question is None:
            continue
        changes = _point_changes(mine, len(question.key_points))
        points = tuple(
            PointAppeals(kp.text, credited, withdrawn)
            for kp, (credited, withdrawn) in zip(question.key_points, changes, strict=True)
        )
        upheld = sum(o.changed for o in mine)
        report.append(QuestionAppeals(question_id, len(mine), upheld, points))
    return sorted(report, key=lambda q: (-q.upheld, -q.decided, q.question_id))


def format_report(report: list[QuestionAppeals]) -> str:
    """Return the report as text: a line per question, then its key points that humans changed."""
    if not report:
        return "No appeal has been decided yet."
    lines = []
    for q in report:
        share = f"{q.upheld / q.decided:.0%}"
        lines.append(f"{q.question_id}: {q.decided} decided, {q.upheld} upheld ({share})")
        for n, p in enumerate(q.points, 1):
            if p.credited or p.withdrawn:
                lines.append(f"  {n}. credited {p.credited}x, withdrawn {p.withdrawn}x: {p.text}")
    return "\n".join(lines)
