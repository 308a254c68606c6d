"""Members' reports of a problem with a question, per question: for the bank's maintainers.

A member reports from a reveal's "Report a problem" button (a wrong fact, an
unclear prompt, an unfair key point); `studybot content reports` lists the
notes per question, newest first, each made inert for a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.content.bank import QuestionBank
from bot.markup import visible_name

__all__ = ["ProblemReport", "format_reports"]


@dataclass(frozen=True, slots=True)
class ProblemReport:
    """One member's report about the question of one round."""

    question_id: str
    round_date: date  # the round's local date
    reported_at: datetime
    note: str  # as the member wrote it


def format_reports(reports: Iterable[ProblemReport], bank: QuestionBank) -> str:
    """Return the reports as text: a line per question (most reported first), notes newest first.

    A note is shown on one line without control or hidden characters, so it can
    neither move the terminal's cursor nor pass for another line of the report. Each
    question is named by its id and its prompt's first line, or said to be gone from `bank`.
    """
    by_question: dict[str, list[ProblemReport]] = {}
    for report in reports:
        by_question.setdefault(report.question_id, []).append(report)
    if not by_question:
        return "No problem has been reported yet."
    lines = []
    order = sorted(by_question.items(), key=lambda item: (-len(item[1]), item[0]))
    for question_id, mine in order:
        question = bank.get(question_id)
        about = question.prompt.strip().splitlines()[0] if question else "(no longer in the bank)"
        count = f"{len(mine)} report{'s' if len(mine) > 1 else ''}"
        lines.append(f"{question_id}: {count} · {_short(about)}")
        for r in sorted(mine, key=lambda r: r.reported_at, reverse=True):
            lines.append(
                f"  {r.reported_at:%Y-%m-%d %H:%M} UTC (round of {r.round_date:%Y-%m-%d}): "
                f"“{visible_name(r.note)}”"
            )
    return "\n".join(lines)


def _short(line: str, limit: int = 80) -> str:
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
