"""The words of the daily review note: the note itself, and `/review remind`'s answers."""

from __future__ import annotations

from datetime import datetime, time

from bot.command_refs import mention
from bot.messages import error, local_time
from bot.replies import Button, Reply

__all__ = [
    "START_REVIEW",
    "note",
    "note_off",
    "note_on",
    "note_state",
    "time_without_on",
]

START_REVIEW = "review"  # the note's button: starts the reviews due, as `/review` does


def note(due: int, category: str) -> Reply:
    """Return the daily note: how many reviews are due, the oldest one's category, a button."""
    count = f"{due} review{'s' if due != 1 else ''} due"
    oldest = "it is" if due == 1 else "the oldest is"
    return Reply(
        text=(
            f"**{count}** — {oldest} in *{category}*. Press the button or use "
            f"{mention('review')} to start."
        ),
        buttons=(Button(START_REVIEW, "Start reviewing"),),
        footer=f"A daily note you asked for; {mention('review', 'remind off')} stops it.",
    )


def note_on(at: time, timezone: str, next_at: datetime, changed: bool) -> Reply:
    """Return the answer to `/review remind on`: when the note comes, in which zone."""
    said = "Your daily review note is on" if changed else "Your daily review note is"
    return Reply(
        text=(
            f"{said}: at {at:%H:%M} ({timezone}) each day you have reviews due, privately. "
            f"The next: {local_time(next_at, timezone)}. "
            f"{mention('review', 'remind off')} stops it."
        )
    )


def note_off(was_on: bool) -> Reply:
    """Return the answer to `/review remind off`."""
    if not was_on:
        return Reply(text="Your daily review note was already off.")
    return Reply(
        text=(
            "Your daily review note is now off. "
            f"{mention('review', 'remind on 09:00')} turns it on again."
        )
    )


def _state_off() -> Reply:
    return Reply(
        text=(
            "Your daily review note is off. "
            f"{mention('review', 'remind on 09:00')} sends one each day you have reviews due "
            "(at that time in this channel's group's time zone; UTC elsewhere)."
        )
    )


def note_state(at: time | None, timezone: str, next_at: datetime | None) -> Reply:
    """Return the answer to `/review remind`: the note's time and zone, or that it is off."""
    if at is None or next_at is None:
        return _state_off()
    return note_on(at, timezone, next_at, changed=False)


def time_without_on() -> Reply:
    """Return the answer to a time given with anything but `on`."""
    return error(
        f"A time goes with on, e.g. {mention('review', 'remind on 18:30')}; nothing was changed."
    )
