"""What the bot says about appeals and regrades: to the member, and to the admins who decide."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from bot.command_refs import mention
from bot.grading import Coverage
from bot.markup import user_name, user_text
from bot.messages import category_title, local_time
from bot.model import Question
from bot.records import AnswerUnderReview, Appeal, RegradeOutcome
from bot.replies import Button, Field, Form, FormInput, Reply
from bot.scoring import is_category_key

__all__ = [
    "APPEAL",
    "APPEAL_NOTE_LIMIT",
    "JUDGE",
    "KEEP",
    "OPEN_APPEAL",
    "REASON_LIMIT",
    "REGRADE",
    "Settled",
    "appeal_card",
    "appeal_form",
    "appeal_sent",
    "appeals_list",
    "board_changes",
    "decided_already",
    "grade_kept",
    "judge_card",
    "judge_form",
    "member_told_change",
    "member_told_kept",
    "passed_to_admins",
    "question_about",
    "regrade_form",
    "regraded",
    "reveal_running",
    "sent_to_peers",
    "vote_recorded",
]

APPEAL = "appeal"  # the member's button and form
REGRADE = "regrade"  # an admin's "Change the grade" button and form
KEEP = "appeal-keep"  # an admin's "Keep as graded" button
OPEN_APPEAL = "appeal-open"  # a button of the open appeals' list
JUDGE = "appeal-judge"  # a peer judge's button and form
APPEAL_NOTE_LIMIT = 1000
REASON_LIMIT = 500
_ANSWER_SHOWN = 1500

# How a peer panel's verdict was applied: the grade changed, kept, someone decided first, or
# a reveal of the group was scoring (the appeal waits for the admins).
Settled = Literal["changed", "kept", "decided", "busy"]


def question_about(question: Question) -> str:
    """Return the question's first line, short: what a member recognises it by."""
    first = question.prompt.strip().splitlines()[0] if question.prompt.strip() else question.id
    return first if len(first) <= 90 else first[:89].rstrip() + "…"


def appeal_form(round_id: int) -> Reply:
    """Return the form a member appeals a grade with (an optional note)."""
    return Reply(
        form=Form(
            APPEAL,
            "Appeal your grade",
            (
                FormInput(
                    "text",
                    "What did the grader miss? (optional)",
                    APPEAL_NOTE_LIMIT,
                    placeholder="e.g. my second sentence states the bias-variance trade-off",
                    required=False,
                ),
            ),
            str(round_id),
        )
    )


def _admins_named(admins_told: int) -> str:
    """Return who has an appeal: the admins told, or where the others see it."""
    if admins_told:
        return f"{admins_told} admin{'s' if admins_told != 1 else ''} of this channel"
    return f"this channel's admins (they see it with {mention('studybot appeals')})"


def appeal_sent(admins_told: int) -> Reply:
    """Return the member's receipt for an appeal."""
    who = _admins_named(admins_told)
    return Reply(
        title="Appeal sent",
        text=f"Your appeal is with {who}. You'll hear privately when one decides.",
    )


def _point_lines(question: Question, covered: Sequence[bool], coverage: Coverage | None) -> str:
    """Return the key points, numbered, each with the grade and the grader's evidence."""
    evidence = coverage.evidence if coverage and coverage.evidence else ()
    lines = []
    for n, (point, hit) in enumerate(zip(question.key_points, covered, strict=True), 1):
        mark = "✓" if hit else "✗"
        words = evidence[n - 1] if n - 1 < len(evidence) else None
        quote = f" — “{user_text(words, limit=120)}”" if hit and words else ""
        lines.append(f"{n}. {mark} {point.text}{quote}")
    return "\n".join(lines)


def _grade_buttons(review: AnswerUnderReview, appeal: Appeal | None) -> tuple[Button, ...]:
    """Return the buttons an admin decides with: change the grade, or keep it (appeals only)."""
    covered = "".join("1" if c else "0" for c in review.covered or ())
    change = Button(
        REGRADE, "Change the grade", f"{review.answer_id}:{appeal.id if appeal else ''}:{covered}"
    )
    if appeal is None:
        return (change,)
    return (change, Button(KEEP, "Keep as graded", str(appeal.id)))


def appeal_card(
    question: Question,
    review: AnswerUnderReview,
    coverage: Coverage | None,
    appeal: Appeal | None,
    timezone: str,
) -> Reply:
    """Return what an admin decides on: the question, the answer, its grade per point, the note."""
    covered = review.covered or (False,) * len(question.key_points)
    kind = f"Appeal #{appeal.id}" if appeal else "Regrade"
    fields = [
        Field(
            f"{user_name(review.member_name)}'s answer ({review.local_date:%a %d %b})",
            user_text(review.text, limit=_ANSWER_SHOWN) or "(empty)",
        ),
        Field(
            f"Graded: {sum(covered)} of {len(covered)} key points, {review.points or 0} points",
            _point_lines(question, covered, coverage),
        ),
    ]
    if not review.attempt:
        problem = coverage.problem if coverage and coverage.problem else "not a real attempt"
        fields.append(Field("No points", f"The grader judged it {problem}."))
    if appeal is not None and appeal.note:
        fields.append(Field("Their note", user_text(appeal.note, limit=APPEAL_NOTE_LIMIT)))
    footer = (
        f"Appealed {local_time(appeal.opened_at, timezone)}. " if appeal else ""
    ) + "Change the grade by naming the key points the answer covers."
    return Reply(
        title=f"{kind} · {category_title(question)}",
        text=f"**Question:** {question_about(question)}",
        fields=tuple(fields),
        buttons=_grade_buttons(review, appeal),
        footer=footer,
    )


def regrade_form(value: str, covered: Sequence[bool]) -> Reply:
    """Return the form an admin gives the new grade with: the points covered, and why."""
    now = " ".join(str(n) for n, hit in enumerate(covered, 1) if hit) or "none"
    return Reply(
        form=Form(
            REGRADE,
            "Change the grade",
            (
                FormInput(
                    "covered",
                    f"Key points it covers (1-{len(covered)}; now: {now})",
                    100,
                    multiline=False,
                    placeholder="e.g. 1 3 4, all, or none",
                ),
                FormInput(
                    "reason", "Why (the member reads this; optional)", REASON_LIMIT, required=False
                ),
            ),
            value,
        )
    )


def board_changes(periods: Sequence[str], current: Sequence[str]) -> str:
    """Return which leaderboards a regrade changed, saying so of periods already over.

    A period's category boards change with it; the message names the periods only.
    """
    periods = [p for p in periods if not is_category_key(p)]
    if not periods:
        return "No leaderboard total changed."
    parts = []
    for period in periods:
        if period == "all":
            parts.append("all time")
            continue
        year, _, number = period[1:].partition("-")
        label = f"the week {year}-W{number}" if period[0] == "w" else f"the month {year}-{number}"
        parts.append(label if period in current else f"{label} (over: its final board changed)")
    return "Leaderboards changed: " + ", ".join(parts) + "."


def regraded(
    review: AnswerUnderReview, covered: Sequence[bool], outcome: RegradeOutcome, boards: str
) -> Reply:
    """Return the deciding admin's confirmation of a changed grade."""
    before = sum(review.covered or ())
    return Reply(
        title="Grade changed",
        text=(
            f"{user_name(review.member_name)}'s answer of {review.local_date:%a %d %b}: "
            f"{before} → {sum(covered)} of {len(covered)} key points, "
            f"{outcome.old_points} → {outcome.new_points} points. {boards} "
            "They have been told privately."
        ),
    )


def grade_kept(review: AnswerUnderReview) -> Reply:
    """Return the deciding admin's confirmation that the grade stands."""
    return Reply(
        title="Grade kept",
        text=f"{user_name(review.member_name)}'s grade stands. They have been told privately.",
    )


def reveal_running() -> Reply:
    """Return why a decision waits: a reveal of the channel is scoring its members."""
    return Reply(
        text="A question of this channel is being revealed and scored right now. "
        "Try again in a minute: nothing was changed.",
        is_error=True,
    )


def decided_already(who: str | None, when: datetime | None, timezone: str) -> Reply:
    """Return the answer to a second decision: who decided first, and when."""
    by = f" by {user_name(who)}" if who else ""
    at = f" ({local_time(when, timezone)})" if when else ""
    return Reply(
        text=f"This was decided already{by}{at}, so your decision changed nothing. "
        "Open the answer again to see its grade now.",
        is_error=True,
    )


def _reason(reason: str) -> str:
    return f"\n> {user_text(reason, limit=REASON_LIMIT)}" if reason.strip() else ""


def member_told_change(
    question: Question,
    review: AnswerUnderReview,
    covered: Sequence[bool],
    outcome: RegradeOutcome,
    reason: str,
) -> Reply:
    """Return the private note telling a member their grade changed, what changed and why."""
    before = review.covered or (False,) * len(covered)
    pairs = list(enumerate(zip(before, covered, strict=True), 1))
    gained = [n for n, (was, now) in pairs if now and not was]
    lost = [n for n, (was, now) in pairs if was and not now]
    changes = []
    if gained:
        changes.append(
            "now credited: " + ", ".join(question.key_points[n - 1].text for n in gained)
        )
    if lost:
        changes.append(
            "no longer credited: " + ", ".join(question.key_points[n - 1].text for n in lost)
        )
    return Reply(
        title=f"Your grade was changed · {category_title(question)}",
        text=(
            f"An admin looked at your answer of {review.local_date:%a %d %b} "
            f"({question_about(question)}): {'; '.join(changes) or 'same key points'}. "
            f"Points: {outcome.old_points} → {outcome.new_points}; the leaderboards follow."
            + _reason(reason)
        ),
    )


def member_told_kept(question: Question, review: AnswerUnderReview, reason: str) -> Reply:
    """Return the private note telling a member an admin kept their grade."""
    return Reply(
        title=f"Your appeal was decided · {category_title(question)}",
        text=(
            f"An admin looked at your answer of {review.local_date:%a %d %b} "
            f"({question_about(question)}) and kept its grade: {sum(review.covered or ())} of "
            f"{len(question.key_points)} key points." + _reason(reason)
        ),
    )


def appeals_list(items: Sequence[tuple[Appeal, str, str]], timezone: str) -> Reply:
    """Return a channel's open appeals (appeal, member name, question title), oldest first."""
    if not items:
        return Reply(title="Open appeals", text="No appeal is waiting for a decision.")
    lines = [
        f"#{a.id} · {user_name(name)} · {user_text(title, limit=80)} · "
        f"{local_time(a.opened_at, timezone)}"
        for a, name, title in items
    ]
    return Reply(
        title="Open appeals",
        text="\n".join(lines),
        buttons=tuple(Button(OPEN_APPEAL, f"Review #{a.id}", str(a.id)) for a, _, _ in items[:5]),
        footer="Each appeal is decided once: the first decision wins.",
    )


def judge_card(
    question: Question, review: AnswerUnderReview, coverage: Coverage | None, appeal: Appeal
) -> Reply:
    """Return the case a peer judge gets: the answer without its author, the grade, the note."""
    covered = review.covered or (False,) * len(question.key_points)
    fields = [
        Field("The answer", user_text(review.text, limit=_ANSWER_SHOWN) or "(empty)"),
        Field(
            f"The grader gave it {sum(covered)} of {len(covered)} key points",
            _point_lines(question, covered, coverage),
        ),
    ]
    if appeal.note:
        fields.append(Field("The member's note", user_text(appeal.note, limit=APPEAL_NOTE_LIMIT)))
    return Reply(
        title=f"Judge an appeal · {category_title(question)}",
        text=(
            f"**Question:** {question_about(question)}\n"
            "You answered this question too, so you are one of three members asked to judge a "
            "grade that was appealed. Which key points does this answer state? Your vote stays "
            "private; the majority of the three decides each key point."
        ),
        fields=tuple(fields),
        buttons=(Button(JUDGE, "Judge", str(appeal.id)),),
    )


def judge_form(appeal_id: int, count: int) -> Reply:
    """Return the form a peer judge votes with: the key points the answer states."""
    return Reply(
        form=Form(
            JUDGE,
            "Judge the appeal",
            (
                FormInput(
                    "covered",
                    f"Key points it states (1-{count})",
                    100,
                    multiline=False,
                    placeholder="e.g. 1 3 4, all, or none",
                ),
            ),
            str(appeal_id),
        )
    )


def vote_recorded(settled: Settled | None) -> Reply:
    """Return a judge's receipt: the vote is in, and whether it settled the appeal."""
    after = {
        None: "The appeal is decided once a majority agrees; thank you for judging.",
        "changed": "With it a majority agreed, and the grade was changed. Thank you for judging.",
        "kept": "With it a majority agreed to keep the grade. Thank you for judging.",
        "decided": "The appeal had been decided already; thank you all the same.",
        "busy": "With it a majority agreed, but a question was being revealed at that "
        "moment, so the appeal waits for the channel's admins to apply it.",
    }[settled]
    return Reply(title="Vote recorded", text="Your vote is in and stays private. " + after)


def passed_to_admins(admins_told: int) -> Reply:
    """Return the note that an appeal its judges left undecided went to the admins."""
    who = _admins_named(admins_told)
    return Reply(
        title="Appeal passed on",
        text="The three members asked to judge your appeal have not agreed within a day, so "
        f"it is now with {who} too. You'll hear privately when it is decided.",
    )


def sent_to_peers() -> Reply:
    """Return the member's receipt for an appeal that three peers will judge."""
    return Reply(
        title="Appeal sent",
        text="Three members who answered the same question will judge it, privately; the "
        "majority decides each key point. You'll hear privately when they have.",
    )
