"""The words of streak freezes and away days: a spent freeze's private note, `/away`'s replies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot import messages
from bot.away_days import MAX_AWAY_DAYS, range_text
from bot.command_refs import mention
from bot.records import AwayRange
from bot.replies import Reply

__all__ = ["away_cancelled", "away_list", "away_set", "freeze_spent", "upcoming"]


def freeze_spent(streak: int, left: int, day: date | None = None) -> Reply:
    """Return the private note to a member whose freeze kept their streak over a missed round."""
    missed = f"the question of {day:%a %d %b}" if day is not None else "a question"
    rounds = "1 round" if streak == 1 else f"{streak} rounds"
    return messages.info(
        f"You missed {missed}; a streak freeze kept your streak of {rounds}. Freezes left: {left}."
    )


def upcoming(ranges: Sequence[AwayRange], today: date) -> list[AwayRange]:
    """Return the ranges that have a day today or later, from today on."""
    return [AwayRange(max(r.first, today), r.last) for r in ranges if r.last >= today]


def away_list(ranges: Sequence[AwayRange], today: date) -> Reply:
    """Return a member's upcoming away days, or how to set some."""
    coming = upcoming(ranges, today)
    if not coming:
        return messages.info(
            f"You have no away days coming. `{mention('away', '2026-12-24')}` or "
            f"`{mention('away', '2026-12-20..2026-12-27')}` keeps your streak over days "
            f"you can't answer (at most {MAX_AWAY_DAYS} days in any 30)."
        )
    lines = "\n".join(f"- {range_text(r)}" for r in coming)
    return messages.info(
        f"Your away days:\n{lines}\n`{mention('away', 'off')}` cancels them after today."
    )


def away_set(days: AwayRange) -> Reply:
    """Return the reply to a member who set away days."""
    count = f"{days.days} day{'' if days.days == 1 else 's'}"
    return messages.info(
        f"You're away {range_text(days)} ({count}): the questions of those days won't break "
        f"your streak, and no freeze is used. `{mention('away', 'off')}` cancels it."
    )


def away_cancelled(cancelled: bool) -> Reply:
    """Return the reply to `/away off`: whether there were away days after today to cancel."""
    if not cancelled:
        return messages.info("You have no away days after today to cancel.")
    return messages.info("Your away days after today are cancelled. Welcome back!")
