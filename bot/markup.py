"""The safe Markdown subset of replies: escaping user text, and reading it back.

User text (answers, display names) is escaped before it goes into a reply, so
that it can neither break the reply's formatting nor mention everyone.
"""

from __future__ import annotations

import re

__all__ = ["plain_text", "user_name", "user_text"]

_ZWSP = "\u200b"
_SPECIAL = re.compile(r"([\\*_~`|>#\[\]()])")
_MASS_MENTION = re.compile(r"@(?=(everyone|here|channel)\b)", re.IGNORECASE)
_ANGLE_MENTION = re.compile(r"<(?=[@!#&])")
_ESCAPED = re.compile(r"\\([\\*_~`|>#\[\]()])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def user_text(text: str, limit: int | None = None) -> str:
    """Return user text made inert: no formatting, no mass or user mentions."""
    text = _CONTROL.sub("", text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = _SPECIAL.sub(r"\\\1", text)
    text = _MASS_MENTION.sub("@" + _ZWSP, text)
    return _ANGLE_MENTION.sub("<" + _ZWSP, text)


def user_name(name: str) -> str:
    """Return a display name made inert and kept to one short line."""
    one_line = " ".join(name.split()) or "someone"
    return user_text(one_line, limit=64)


def plain_text(markdown: str) -> str:
    """Return reply text with its backslash escapes removed (for plain terminals)."""
    return _ESCAPED.sub(r"\1", markdown)
