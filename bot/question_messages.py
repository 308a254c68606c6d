"""The words of question stats and problem reports."""

from __future__ import annotations

from collections.abc import Sequence

from bot.markup import user_text
from bot.model import Question
from bot.question_figures import RoundTally, average_coverage, most_missed
from bot.replies import Field, Form, FormInput, Reply

__all__ = [
    "MAX_DAYS",
    "REPORT",
    "REPORT_NOTE_LIMIT",
    "SHOWN_ROUNDS",
    "bad_days",
    "no_rounds",
    "report_form",
    "report_problem",
    "report_saved",
    "stats_reply",
]

REPORT = "report"  # the reveal's button and its form
REPORT_NOTE_LIMIT = 500
MAX_DAYS = 365
SHOWN_ROUNDS = 15  # a reply holds the newest rounds only: an embed takes 25 fields at most
_TITLE_CHARS = 80
_POINT_CHARS = 100


def bad_days(given: str) -> str:
    """Return why a number of days cannot be used."""
    return (
        f"'{user_text(given, limit=20)}' is not a number of days: give a whole number from 1 "
        f"to {MAX_DAYS}, e.g. 30 (the default)."
    )


def no_rounds(days: int) -> Reply:
    """Return the answer to question stats over a period without a revealed round."""
    return Reply(text=f"No question was revealed here in the last {days} days.")


def _short(text: str, limit: int) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({part / whole:.0%})" if whole else f"{part} of {whole}"


def _round_field(tally: RoundTally, question: Question | None, active: int) -> Field:
    """Return one round's figures: its day and question, then rate, coverage, point most missed."""
    about = _short(question.prompt, _TITLE_CHARS) if question else f"{tally.question_id} (gone)"
    name = f"{tally.local_date:%a %d %b} · {about}"
    average = average_coverage(tally)
    if average is None:
        return Field(name, f"Answered on time: 0 of {active}. Nobody answered in time.")
    lines = [f"Answered on time: {_share(tally.on_time, active)} · average coverage {average:.0%}"]
    missed = most_missed(tally, len(question.key_points)) if question else None
    if question is None:
        lines.append("The question is no longer in the bank.")
    elif missed is None:
        lines.append("Most missed: none, every on-time answer covered every key point.")
    else:
        point = _short(question.key_points[missed.index].text, _POINT_CHARS)
        lines.append(
            f"Most missed: {missed.index + 1}. {point} "
            f"(covered by {missed.covered} of {missed.out_of})"
        )
    return Field(name, "\n".join(lines))


def stats_reply(
    days: int,
    tallies: Sequence[RoundTally],
    questions: Sequence[Question | None],
    active: int,
) -> Reply:
    """Return the figures of the period's revealed rounds, newest first, to the admin alone."""
    shown = list(zip(tallies, questions, strict=True))[:SHOWN_ROUNDS]
    fields = tuple(_round_field(t, q, active) for t, q in shown)
    more = len(tallies) - len(shown)
    footer = (
        f"And {more} older round{'s' if more > 1 else ''} not shown: ask for fewer days to see "
        "them."
        if more
        else None
    )
    return Reply(
        title=f"Question stats · the last {days} days",
        text=(
            f"{len(tallies)} revealed round{'s' if len(tallies) != 1 else ''}, newest first. "
            f"*Answered on time* counts the members active here in these {days} days: "
            f"{active}, each of whom answered at least one of these questions, on time or late. "
            "*Average coverage* is the share of key points the on-time answers covered, and "
            "*most missed* the key point the fewest of them covered (an admin's regrade counts "
            "as the grade)."
        ),
        fields=fields,
        footer=footer,
    )


def report_form(round_id: int) -> Reply:
    """Return the form a member reports a problem with a round's question in."""
    return Reply(
        text="Tell the question's maintainers what is wrong; they read every note.",
        form=Form(
            form_id=REPORT,
            title="Report a problem",
            inputs=(
                FormInput(
                    "note",
                    "What is wrong with this question?",
                    REPORT_NOTE_LIMIT,
                    placeholder="A wrong fact, an unclear prompt, an unfair key point…",
                ),
            ),
            value=str(round_id),
        ),
    )


def report_problem(note: str) -> str | None:
    """Return why a report's note cannot be taken, or None if it can."""
    if not note:
        return "Your note is empty: say what is wrong with the question. Nothing was sent."
    if len(note) > REPORT_NOTE_LIMIT:
        return (
            f"Your note is {len(note)} characters; keep it under {REPORT_NOTE_LIMIT}. "
            "Nothing was sent."
        )
    return None


def report_saved(note: str, replaced: bool) -> Reply:
    """Return the private thanks for a report, quoting its note made inert."""
    again = (
        "It replaces the report you sent earlier on this question"
        if replaced
        else "If you report this question again, your new note replaces this one"
    )
    return Reply(
        title="Thank you for the report",
        text=(
            f"The bank's maintainers will read it: “{user_text(note, limit=REPORT_NOTE_LIMIT)}”. "
            f"{again} (one report per member and question)."
        ),
    )
