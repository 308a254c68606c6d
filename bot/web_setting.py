"""The `web=` setting: turning a group's read-only web archive on or off.

Unlike the other settings it is not stored with them: the archive's link lives
in its own table (`bot.archive_access`), so that only its token's hash is kept.
Here is only the reading of what an admin typed.
"""

from __future__ import annotations

from bot.settings_errors import quoted
from bot.settings_text import read_assignments

__all__ = ["WEB_CHOICES", "web_choice", "web_problems"]

WEB_CHOICES = ("on", "off", "answers")


def web_choice(text: str) -> str | None:
    """Return the `web=` choice in settings text (on, off or answers), None if it has none."""
    for part in read_assignments(text):
        if not isinstance(part, str) and part.key == "web":
            word = part.value.strip().lower()
            return word if word in WEB_CHOICES else None
    return None


def web_problems(value: str) -> list[str]:
    """Return what is wrong with a `web=` value (nothing when it is on, off or answers)."""
    if value.strip().lower() in WEB_CHOICES:
        return []
    return [
        f"web={quoted(value.strip()[:20])} is not a choice: web=on (a private link to a "
        "read-only web archive of past rounds), web=answers (the same, with members' "
        "answers) or web=off (the link stops working)."
    ]
