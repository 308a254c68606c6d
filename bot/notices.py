"""What a channel is told about its daily questions: one line when members should know.

Admin work is answered privately; the channel hears only that questions
start, pause or resume, or that their schedule changed.
"""

from __future__ import annotations

from bot.command_refs import mention
from bot.group_settings import describe_posts, describe_reveal
from bot.holidays import describe_holidays
from bot.model import GroupSettings
from bot.replies import Reply, Visibility

__all__ = ["questions_paused", "questions_resume", "questions_start", "schedule_changed"]


def questions_start(settings: GroupSettings) -> Reply:
    """Return the channel's one line when daily questions start there."""
    return Reply(
        text=f"📅 Daily questions start here: {_schedule_line(settings)}. Answer in each "
        f"question's thread, or privately with {mention('answer')}.",
        visibility=Visibility.PUBLIC,
    )


def schedule_changed(settings: GroupSettings) -> Reply:
    """Return the channel's one line when its questions' schedule changed."""
    return Reply(text=f"📅 New schedule: {_schedule_line(settings)}.", visibility=Visibility.PUBLIC)


def questions_paused() -> Reply:
    """Return the channel's one line when its daily questions are paused."""
    return Reply(
        text="⏸️ Daily questions are paused here until an admin resumes them.",
        visibility=Visibility.PUBLIC,
    )


def questions_resume(settings: GroupSettings) -> Reply:
    """Return the channel's one line when its daily questions resume."""
    return Reply(
        text=f"▶️ Daily questions are back: {_schedule_line(settings)}.",
        visibility=Visibility.PUBLIC,
    )


def _schedule_line(settings: GroupSettings) -> str:
    """Return when questions come and answers show, and the holidays (the settings just saved)."""
    line = f"{describe_posts(settings)}; answers revealed {describe_reveal(settings)}"
    if settings.holidays:
        line += f"; no question on {describe_holidays(settings.holidays)}"
    return line
