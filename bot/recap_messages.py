"""The words of the weekly recap card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.markup import user_name
from bot.messages import category_title
from bot.model import Question
from bot.recap_figures import Hardest, Recap
from bot.replies import Button, Field, Reply, Visibility

__all__ = ["RECAP_BOARD", "HardestShown", "recap_board_week", "recap_card", "recap_post_key"]

# The recap's button: the recapped week's full board, for the member alone. It also lets a
# platform that finds posts by their buttons (Discord) find a recap again after a crash.
RECAP_BOARD = "recap-board"

_MEDALS = ("\N{FIRST PLACE MEDAL}", "\N{SECOND PLACE MEDAL}", "\N{THIRD PLACE MEDAL}")
_PROMPT_CHARS = 160


@dataclass(frozen=True, slots=True)
class HardestShown:
    """The hardest question, with its question (if still in the bank) and its reveal's link."""

    hardest: Hardest
    question: Question | None
    link: str | None


def recap_board_week(value: str, group_id: int) -> str | None:
    """Return the week (`2026-W49`) a recap's button names, if it is of this group."""
    group, _, week = value.partition("-")
    year, _, number = week.removeprefix("w").partition("-")
    if group != str(group_id) or not (year.isdigit() and number.isdigit()):
        return None
    return f"{year}-W{number}"


def recap_post_key(group_id: int, week: str) -> str:
    """Return the key a group's recap of a week is found again by (`recap-3-w2026-49`)."""
    return f"recap-{group_id}-{week}"


def _percent(ratio: float) -> str:
    return f"{round(ratio * 100)}%"


def _week_name(recap: Recap) -> str:
    year, week, _ = recap.first_day.isocalendar()
    last = recap.first_day + timedelta(days=6)
    first = f"{recap.first_day.day} {recap.first_day:%b}"
    return f"{year}-W{week:02d} ({first} – {last.day} {last:%b %Y})"


def _hardest_text(shown: HardestShown) -> str:
    h = shown.hardest
    day = f"{h.local_date:%A} {h.local_date.day} {h.local_date:%b}"
    if shown.question is not None:
        prompt = shown.question.prompt.strip().splitlines()[0]
        if len(prompt) > _PROMPT_CHARS:
            prompt = prompt[: _PROMPT_CHARS - 1].rstrip() + "…"
        what = f"{category_title(shown.question)}: “{prompt}”"
    else:
        what = "a question no longer in the bank"
    text = (
        f"{day}'s question, {what} — average coverage {_percent(h.average)} "
        f"over {h.answers} answers."
    )
    if shown.link is not None:
        text += f"\nIts reveal: {shown.link}"
    return text


def recap_card(group_id: int, week: str, recap: Recap, hardest: HardestShown | None) -> Reply:
    """Return the recap of a week, posted in the channel before the next week's first question."""
    fields: list[Field] = []
    if recap.top:
        lines = [
            f"{_MEDALS[s.rank - 1]} {user_name(s.display_name)} — {s.points} points"
            for s in recap.top
        ]
        fields.append(Field("Top three", "\n".join(lines)))
    if recap.improved is not None:
        i = recap.improved
        fields.append(
            Field(
                "Most improved",
                f"{user_name(i.name)}: average coverage {_percent(i.before)} → "
                f"{_percent(i.figure)} (the largest rise over the week before, among "
                "members who answered in both weeks)",
            )
        )
    if recap.helpful is not None:
        votes = int(recap.helpful.figure)
        fields.append(
            Field(
                "Most helpful",
                f"{user_name(recap.helpful.name)}: {votes} helpful "
                f"vote{'s' if votes != 1 else ''} on last week's answers",
            )
        )
    if hardest is not None:
        fields.append(Field("Hardest question", _hardest_text(hardest)))
    took_part = recap.members
    text = (
        f"{took_part} member{'s' if took_part != 1 else ''} took part."
        if took_part
        else "Nobody answered last week's questions on time."
    )
    return Reply(
        text=text,
        title=f"Last week's recap · {_week_name(recap)}",
        fields=tuple(fields),
        visibility=Visibility.PUBLIC,
        buttons=(Button(RECAP_BOARD, "Full board", f"{group_id}-{week}"),),
        key=recap_post_key(group_id, week),
    )
