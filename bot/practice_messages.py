"""The words of practice reviews: the recall rating buttons, ratings taken, reviews due."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.command_refs import mention
from bot.messages import error, local_time
from bot.replies import Button, Reply
from bot.review_schedule import RATING_NAMES

__all__ = [
    "RATE",
    "no_reviews_due",
    "rated",
    "rating_too_late",
    "rating_value",
    "review_card",
    "reviews_held_back",
    "with_rating_buttons",
]

RATE = "practice-rate"  # a recall rating button; its value is `<attempt id>:<rating>`


def rating_value(attempt_id: int, rating: int) -> str:
    """Return the value of the button that rates an attempt."""
    return f"{attempt_id}:{rating}"


def with_rating_buttons(
    result: Reply, attempt_id: int, rating: int, due: datetime, timezone: str
) -> Reply:
    """Return a practice result with the rating buttons, the suggested one marked ✓.

    The suggested rating already stands; the footer says so and when it brings the
    question back.
    """
    buttons = tuple(
        Button(RATE, f"{name} ✓" if value == rating else name, rating_value(attempt_id, value))
        for value, name in RATING_NAMES.items()
    )
    footer = (
        f"How well did you recall it? {RATING_NAMES[rating]} (from your coverage) stands "
        f"unless you press another. Next review: {local_time(due, timezone)}."
    )
    return replace(result, buttons=buttons, footer=footer)


def rated(rating: int, due: datetime, timezone: str, due_now: int) -> Reply:
    """Return the answer to a rating button: the rating taken and the next review."""
    more = (
        f" {due_now} more due now: {mention('review')}."
        if due_now
        else f" Nothing else is due; {mention('practice')} gives a new question."
    )
    return Reply(
        text=f"Rated **{RATING_NAMES[rating]}**. Next review: {local_time(due, timezone)}.{more}"
    )


def rating_too_late() -> Reply:
    """Return the answer to a rating button of a question reviewed again since."""
    return error(
        "That question has been reviewed again since, so this rating can no longer change it."
    )


def no_reviews_due(next_due: datetime | None, timezone: str) -> Reply:
    """Return the answer to /review with nothing due."""
    if next_due is None:
        return error(
            f"You have no reviews yet: questions you practise with {mention('practice')} "
            "come back here when they are due."
        )
    return error(
        f"No reviews are due. The next one is due {local_time(next_due, timezone)}; "
        f"{mention('practice')} gives a new question meanwhile."
    )


def review_card(card: Reply, due: int) -> Reply:
    """Return a practice card given by /review, saying how many reviews are due with it."""
    others = due - 1
    left = f"{others} more due after this one. " if others else "The last review due. "
    return replace(card, footer=left + (card.footer or ""))


def reviews_held_back() -> Reply:
    """Return the answer to /review when every question due is a daily question right now."""
    return error(
        "The questions due for your review are daily questions in your groups right now "
        "(or were in the last few days): they come back once that has passed. "
        f"{mention('practice')} gives another question meanwhile."
    )
