"""The words of reminders before the reveal, and of `/remind`."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.command_refs import mention
from bot.messages import answer_form, category_title, info, local_time
from bot.model import Question
from bot.replies import Button, Reply

__all__ = [
    "REMIND_ANSWER",
    "reminder",
    "reminder_answer_form",
    "reminders_set",
    "time_left",
]

# The reminder's button, and the form it opens: they name the round, as a private message
# has no channel (and so no group) to find it by.
REMIND_ANSWER = "remind-answer"
_PROMPT_CHARS = 200


def time_left(left: timedelta) -> str:
    """Return the time until the reveal as a reminder says it: `1 h 55 min`, `20 min`."""
    minutes = int(left.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _prompt_start(question: Question) -> str:
    """Return the start of a question's prompt, cut at a word, for a reminder."""
    prompt = " ".join(question.prompt.split())
    if len(prompt) <= _PROMPT_CHARS:
        return prompt
    return prompt[:_PROMPT_CHARS].rsplit(" ", 1)[0] + " …"


def reminder(
    question: Question,
    round_id: int,
    reveal_at: datetime,
    now: datetime,
    timezone: str,
    streak: int,
) -> Reply:
    """Return a member's private reminder of a round they have not answered yet."""
    lines = [
        f"> {_prompt_start(question)}",
        "",
        f"The answer is revealed in **{time_left(reveal_at - now)}** "
        f"({local_time(reveal_at, timezone)}), and you haven't answered yet. Answer privately "
        f"with the button below, or with `{mention('answer')}` in the question's channel.",
    ]
    if streak > 0:
        rounds = "round" if streak == 1 else "rounds"
        lines.append(f"Your streak of {streak} {rounds} ends if you miss this one.")
    lines.append(f"`{mention('remind', 'off')}` stops these reminders.")
    return Reply(
        title=f"Still open · {category_title(question)} · {question.difficulty.value}",
        text="\n".join(lines),
        buttons=(Button(REMIND_ANSWER, "Answer privately", str(round_id)),),
    )


def reminder_answer_form(round_id: int) -> Reply:
    """Return the private answer form a reminder's button opens (it names its round)."""
    return answer_form(round_id, kind=REMIND_ANSWER)


def reminders_set(on: bool, changed: bool) -> Reply:
    """Return the answer to `/remind on|off` (or `/remind` alone, which only tells)."""
    if on:
        state = "on: I'll remind you privately before a reveal when you haven't answered"
        other = mention("remind", "off")
    else:
        state = "off: no reminders before a reveal"
        other = mention("remind", "on")
    verb = "are now" if changed else "are"
    return info(f"Your reminders {verb} {state}. `{other}` changes it.")
