"""A grading verdict as JSON: what `studybot grade` prints and the evaluation reads."""

from __future__ import annotations

from typing import Any

from bot.grading import grade
from bot.model import Question

__all__ = ["verdict"]


def verdict(question: Question, answer: str) -> dict[str, Any]:
    """Return the verdict on an answer: coverage, attempt, and each point with its evidence."""
    coverage = grade(answer, question.key_points, question.prompt)
    return {
        "question": question.id,
        "coverage": round(coverage.ratio, 4),
        "attempt": coverage.attempt,
        **({"problem": coverage.problem} if coverage.problem else {}),
        "key_points": [
            {"text": point.text, "covered": covered, "evidence": evidence}
            for point, covered, evidence in zip(
                question.key_points,
                coverage.covered,
                coverage.evidence or (None,) * len(question.key_points),
                strict=True,
            )
        ],
    }
