"""The words of the bot: every reply the core sends, as platform-neutral values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.command_refs import mention, usage_mark
from bot.grading import Coverage
from bot.markup import user_name, user_text
from bot.model import Question, Round
from bot.question_messages import REPORT
from bot.records import AnswerChange, MemberAnswer, Standing
from bot.replies import Button, Field, Form, FormInput, Reply, Visibility
from bot.scoring import HELPFUL
from bot.standing_replies import leaders_text

__all__ = [
    "MAX_ANSWER_CHARS",
    "admins_only",
    "answer_form",
    "answer_saved",
    "answer_text_problem",
    "answers_closed",
    "cannot_post_here",
    "category_title",
    "database_away",
    "error",
    "expired",
    "feedback_reply",
    "hint_reply",
    "info",
    "late_answer_saved",
    "local_time",
    "no_open_round",
    "no_practice_question",
    "not_an_attempt",
    "not_set_up",
    "posting_stopped",
    "practice_card",
    "practice_result",
    "reveal_card",
    "reveal_post_key",
    "round_card",
    "round_key_of_reveal",
    "round_post_key",
    "slow_down",
    "thread_unreadable",
    "went_wrong",
]

MAX_ANSWER_CHARS = 4000
_LEADERS_IN_REVEAL = 5


def category_title(question: Question) -> str:
    """Return the name a question's category is shown by (`NLP`), from the bank's syllabus.

    A question of a bank without a syllabus shows its category's id.
    """
    return question.category_title or question.category


def local_time(when: datetime, timezone: str) -> str:
    """Return a time as the group reads it: `Tue 24 Nov, 08:00 (Europe/Berlin)`."""
    local = when.astimezone(ZoneInfo(timezone))
    return f"{local:%a %d %b, %H:%M} ({timezone})"


def error(text: str) -> Reply:
    """Return a friendly error only the actor sees."""
    return Reply(text=text, is_error=True, visibility=Visibility.PRIVATE)


def answer_text_problem(body: str) -> Reply | None:
    """Return why an answer's (stripped) text cannot be accepted, or None if it can."""
    if not body:
        return error("Your answer is empty. Write a few sentences and send it again.")
    if len(body) > MAX_ANSWER_CHARS:
        return error(
            f"Your answer has {len(body):,} characters; the limit is {MAX_ANSWER_CHARS:,}. "
            "Shorten it and send it again (nothing was saved)."
        )
    return None


def database_away() -> Reply:
    """Return the answer to anything while the database cannot be reached."""
    return error(
        "I can't reach my database right now, so I couldn't do that. "
        "Please try again shortly; everything I confirmed before is safe."
    )


def went_wrong() -> Reply:
    """Return the answer to anything that failed on the bot's side."""
    return error(
        "Something went wrong on my side and I couldn't finish that. Please try again in a moment."
    )


def admins_only(command: str) -> Reply:
    """Return the refusal of an admin command to a member who is not an admin."""
    return error(
        f"{mention(command)} is for the channel's admins (people who may manage "
        "the channel, or who are listed in its settings)."
    )


def cannot_post_here(problem: str) -> Reply:
    """Return the refusal of a setup in a channel where rounds could not be posted."""
    return error(f"I can't post daily questions in this channel: {problem}")


def posting_stopped(channel_id: str, problem: str) -> Reply:
    """Return the private note to a group's founder that its daily posts stopped."""
    return Reply(
        title="Daily questions stopped",
        text=(
            f"I couldn't post today's question in the channel you set up ({channel_id}): "
            f"{problem} Daily questions there are paused until it is fixed and an "
            f"admin runs `{mention('studybot resume')}`."
        ),
    )


def thread_unreadable() -> Reply:
    """Return the note to a member whose answer in a thread the bot could not read."""
    return Reply(
        text=(
            "I can't read messages in the question's thread here, so that one was not "
            "recorded. Answer with the question's *Answer privately* button or "
            f"`{mention('answer')}`."
        ),
    )


def expired(kind: str) -> Reply:
    """Return the answer to a button or form the bot no longer knows."""
    if kind == "form":
        return error("That form has expired. Please start again.")
    return error(f"That {kind} has expired.")


def no_practice_question() -> Reply:
    """Return the answer to a practice command without a practice question open."""
    return error(f"You have no practice question open. Get one with {mention('practice')}.")


def not_set_up() -> Reply:
    """Return the answer to a command in a channel without daily questions."""
    return error(
        "Daily questions aren't set up in this channel yet. "
        f"An admin can start them with {mention('studybot setup')}."
    )


def no_open_round(upcoming: datetime | None, timezone: str) -> Reply:
    """Return the answer to asking for the open question when there is none."""
    when = f" The next one comes {local_time(upcoming, timezone)}." if upcoming else ""
    return error(f"There is no open question here right now.{when}")


def answer_saved(
    change: AnswerChange, parts: int, reveal_at: datetime | None, timezone: str
) -> Reply:
    """Return the acknowledgement of an on-time answer's message, by what it did.

    ✅ the first message; ➕ each further thread message, added to the answer;
    🔁 an edit of one part, or a private answer that replaced the whole answer.
    """
    when = f" at the reveal, {local_time(reveal_at, timezone)}" if reveal_at else " at the reveal"
    if change is AnswerChange.ADDED:
        text = f"Added to your answer (now {parts} parts, scored as one{when})."
        return Reply(text=text, reaction="➕")
    if change is AnswerChange.EDITED:
        whole = f" ({parts} parts in all)" if parts > 1 else ""
        return Reply(
            text=f"Updated that part of your answer{whole}. It will be scored{when}.",
            reaction="🔁",
        )
    more = " Anything more you write in the thread before then is added to it."
    if change is AnswerChange.REPLACED:
        return Reply(
            text=f"Replaced your whole earlier answer with this one. It will be scored{when}."
            + more,
            reaction="🔁",
        )
    return Reply(
        text=f"Recorded your answer. It will be scored{when}. You can change it until then." + more,
        reaction="✅",
    )


def answers_closed() -> Reply:
    """Return the private note, once a round, to a member who answered on time and writes after.

    Whatever they write, edit or delete in the thread after the reveal leaves their
    on-time answer as it was.
    """
    return info(
        "Answers to this question are closed; your on-time answer stands. What you write, "
        "edit or delete in the thread now is discussion (I'll say this only once)."
    )


def not_an_attempt(problem: str, reveal_at: datetime | None, timezone: str) -> Reply:
    """Return the private notice that a recorded answer will earn no points, and what would."""
    when = f" before the reveal, {local_time(reveal_at, timezone)}" if reveal_at else ""
    return error(
        f"I kept your answer, but it won't earn points: {problem}. An answer counts when it "
        "says something in your own words, in sentences (a few is enough): what happens, "
        f"why, or what you would do. Change it{when} and it will count."
    )


def late_answer_saved(question: Question | None, coverage: Coverage | None) -> Reply:
    """Return the acknowledgement of an answer after the reveal, with its feedback (🕓)."""
    if question is None or coverage is None:
        return info("Recorded as a late answer (no points).")
    feedback = feedback_reply(question, coverage, None, late=True)
    return Reply(title="Recorded as a late answer", text=feedback.text, reaction="🕓")


def slow_down() -> Reply:
    """Return the answer to a member who sends the bot more than it takes at once."""
    return error(
        "You're going faster than I can keep up with. Wait a few seconds and try again "
        "(what you just sent was not saved)."
    )


def info(text: str, visibility: Visibility = Visibility.PRIVATE, title: str | None = None) -> Reply:
    """Return a plain message."""
    return Reply(text=text, title=title, visibility=visibility)


def _question_title(question: Question, kind: str) -> str:
    return f"{kind} · {category_title(question)} · {question.difficulty.value}"


def round_card(
    question: Question,
    round_: Round,
    reveal_at: datetime,
    timezone: str,
    reads_threads: bool = True,
) -> Reply:
    """Return the post of a daily round; without `reads_threads`, answers go by form only."""
    where = (
        f"Answer in this message's thread, or privately with {mention('answer')}."
        if reads_threads
        else f"Answer with the Answer privately button or {mention('answer')} (replies in the "
        "thread don't reach me here)."
    )
    return Reply(
        title=_question_title(question, "Question of the day"),
        text=question.prompt.strip(),
        footer=f"{where} The answer is revealed {local_time(reveal_at, timezone)}.",
        buttons=(
            Button("answer", "Answer privately", str(round_.id)),
            Button("hint", "Hint", str(round_.id)),
        ),
        visibility=Visibility.PUBLIC,
        key=round_post_key(round_.id),
    )


def round_post_key(round_id: int) -> str:
    """Return the key a round's question post is found again by."""
    return f"round-{round_id}"


def reveal_post_key(round_id: int) -> str:
    """Return the key a round's reveal post is found again by."""
    return f"reveal-{round_id}"


def round_key_of_reveal(key: str) -> str | None:
    """Return the key of the round post a reveal post's `key` belongs to, or None.

    An adapter that shows a reveal in the round's thread finds the thread by it.
    """
    prefix, _, number = key.partition("-")
    if prefix != "reveal" or not number.isdigit():
        return None
    return round_post_key(int(number))


def answer_form(round_id: int, kind: str = "answer") -> Reply:
    """Return the form a member answers in privately (a daily question's, or a practice one's).

    `kind` names the form: `answer` (a round's, in its channel), `remind-answer`
    (a round's, opened from a reminder in a private message) or `practice-answer`.
    """
    practice = kind == "practice-answer"
    return Reply(
        text="Write your answer; only you see it."
        if practice
        else "Write your answer; only you see it until the reveal.",
        form=Form(
            form_id=kind,
            title="Your practice answer" if practice else "Your answer",
            inputs=(
                FormInput(
                    "text",
                    "Answer",
                    MAX_ANSWER_CHARS,
                    placeholder="Explain it as you would in the interview",
                ),
            ),
            value=str(round_id),
        ),
    )


def hint_reply(question: Question, for_practice: bool) -> Reply:
    """Return a question's hint, privately."""
    where = "your practice question" if for_practice else "today's question"
    return Reply(title=f"Hint for {where}", text=question.hint.strip())


def _marks(covered: Sequence[bool]) -> str:
    return "".join("✓" if c else "✗" for c in covered)


def _key_points_list(question: Question) -> str:
    return "\n".join(f"{i}. {kp.text}" for i, kp in enumerate(question.key_points, 1))


def reveal_card(
    round_id: int,
    question: Question,
    answers: Sequence[MemberAnswer],
    leaders: Sequence[Standing],
) -> Reply:
    """Return the reveal of a round: answer, key points, who covered what, leaders."""
    fields = [Field("Key points", _key_points_list(question))]
    if question.solution:
        fields.append(Field("Reference solution", f"```python\n{question.solution.strip()}\n```"))
    scored = [a for a in answers if not a.late and a.covered is not None]
    if scored:
        lines = [
            f"{user_name(a.display_name)} — {_marks(a.covered or ())} "
            f"{sum(a.covered or ())}/{len(question.key_points)} — +{a.points}"
            + (f" · {HELPFUL} {a.helpful_votes}" if a.helpful_votes else "")
            for a in scored
        ]
        fields.append(Field(f"Answers ({len(scored)})", "\n".join(lines)))
    else:
        fields.append(Field("Answers", "Nobody answered this one in time."))
    fields.append(Field("Leaderboard this week", leaders_text(leaders[:_LEADERS_IN_REVEAL])))
    if question.follow_ups:
        fields.append(Field("Think further", "\n".join(f"- {f}" for f in question.follow_ups)))
    return Reply(
        title=_question_title(question, "The answer"),
        text=question.answer.strip(),
        fields=tuple(fields),
        buttons=(
            Button("feedback", "My feedback", str(round_id)),
            Button(REPORT, "Report a problem", str(round_id)),
        ),
        footer="Press “My feedback” to see which key points your answer covered, “Report a "
        "problem” to tell the question's maintainers what is wrong with it.",
        visibility=Visibility.PUBLIC,
        key=reveal_post_key(round_id),
    )


def _point_lines(question: Question, coverage: Coverage) -> list[str]:
    """Return one line per key point: covered with the member's own words, or missing."""
    evidence = coverage.evidence or (None,) * len(question.key_points)
    lines = []
    for kp, hit, words in zip(question.key_points, coverage.covered, evidence, strict=True):
        if hit:
            quote = f"\n   you wrote: “{user_text(words, limit=160)}”" if words else ""
            lines.append(f"✓ {kp.text}{quote}")
        else:
            lines.append(f"✗ {kp.text} — not in your answer")
    return lines


def feedback_reply(
    question: Question, coverage: Coverage, points: int | None, late: bool, helpful_votes: int = 0
) -> Reply:
    """Return a member's private feedback: each key point, with the words that covered it.

    A covered point quotes the member's own clause that covered it; a missed
    one names the idea the answer did not state.
    """
    lines = _point_lines(question, coverage)
    summary = f"You covered {coverage.count} of {len(question.key_points)} key points."
    if coverage.problem is not None:
        summary += f" It earned no points: {coverage.problem}."
    elif late:
        summary += " Your answer came after the reveal, so it earned no points."
    elif points is not None:
        votes = f", with {helpful_votes} {HELPFUL} helpful vote" if helpful_votes else ""
        summary += f" It earned {points} points{votes}{'s' if helpful_votes > 1 else ''}."
    return Reply(
        title=f"Your feedback · {category_title(question)}",
        text=summary + "\n\n" + "\n".join(lines),
    )


def practice_card(question: Question, due_review: bool) -> Reply:
    """Return a practice question, privately."""
    note = "A question due for review. " if due_review else ""
    return Reply(
        title=_question_title(question, "Practice"),
        text=question.prompt.strip(),
        footer=note + f"Answer with {usage_mark('practice answer', '<text>')}, or use the buttons.",
        buttons=(
            Button("practice-answer", "Answer", question.id),
            Button("practice-hint", "Hint", question.id),
            Button("practice-reveal", "Show the answer", question.id),
        ),
    )


def practice_result(
    question: Question, coverage: Coverage | None, next_review: datetime | None, timezone: str
) -> Reply:
    """Return the outcome of a practice question: the answer, and its key points once.

    Answered, each key point is shown with whether the member covered it; revealed
    without an answer, the key points are listed.
    """
    if coverage is None:
        fields = [Field("Key points", _key_points_list(question))]
    else:
        fields = [
            Field(
                f"You covered {coverage.count} of {len(question.key_points)} key points",
                "\n".join(_point_lines(question, coverage)),
            )
        ]
    if question.solution:
        fields.append(Field("Reference solution", f"```python\n{question.solution.strip()}\n```"))
    footer = (
        f"Next review of this question: {local_time(next_review, timezone)}."
        if next_review
        else None
    )
    return Reply(
        title=_question_title(question, "Practice answer"),
        text=question.answer.strip(),
        fields=tuple(fields),
        footer=footer,
    )
