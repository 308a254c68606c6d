"""What is wrong with settings an admin typed: the error carrying every problem found."""

from __future__ import annotations

from bot.markup import user_text

__all__ = ["SettingsError", "quoted"]


class SettingsError(ValueError):
    """Settings the admin typed cannot be used: each problem says why and what works.

    It carries every problem found in one command (`problems`), one line each.
    """

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems: tuple[str, ...] = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


def quoted(text: str) -> str:
    """Return what a member typed, quoted inert in a reply (no mentions, no formatting)."""
    return f"'{user_text(text, limit=60)}'"
