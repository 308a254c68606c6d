"""The safe Markdown subset of replies: escaping user text, and reading it back.

User text (answers, display names) is escaped before it goes into a reply, so
that it can neither break the reply's formatting nor mention everyone.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["answer_body", "plain_text", "user_name", "user_text", "visible_name"]

_ZWSP = "\u200b"
_SPECIAL = re.compile(r"([\\*_~`|>#\[\]()])")
_MASS_MENTION = re.compile(r"@(?=(everyone|here|channel)\b)", re.IGNORECASE)
_ANGLE_MENTION = re.compile(r"<(?=[@!#&])")
_ESCAPED = re.compile(r"\\([\\*_~`|>#\[\]()])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Characters a name must not carry: controls (NUL included), format characters (bidi
# overrides such as U+202E, zero-width spaces), surrogates and line or paragraph breaks.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_ZWJ = "\u200d"  # kept between two symbols: it joins emoji (👩‍💻)


def user_text(text: str, limit: int | None = None) -> str:
    """Return user text made inert: no formatting, no mass or user mentions."""
    text = _CONTROL.sub("", text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = _SPECIAL.sub(r"\\\1", text)
    text = _MASS_MENTION.sub("@" + _ZWSP, text)
    return _ANGLE_MENTION.sub("<" + _ZWSP, text)


def visible_name(name: str) -> str:
    """Return a display name without hidden characters (controls, bidi, zero-width), on one line.

    What is left is what a reader sees; an emoji's zero-width joiner is kept.
    """
    kept: list[str] = []
    for i, char in enumerate(name):
        category = unicodedata.category(char)
        if char == _ZWJ and 0 < i < len(name) - 1:
            if unicodedata.category(name[i - 1]) == "So" == unicodedata.category(name[i + 1]):
                kept.append(char)
            continue
        if char.isspace():  # line breaks and tabs too: a name is one line
            kept.append(" ")
        elif category not in _HIDDEN_CATEGORIES:
            kept.append(char)
    return " ".join("".join(kept).split())


def user_name(name: str) -> str:
    """Return a display name made inert and kept to one short line."""
    return user_text(visible_name(name) or "someone", limit=64)


def answer_body(text: str) -> str:
    """Return an answer's text as it is stored: trimmed, without control characters.

    Line breaks and tabs stay; NUL and the other controls go (PostgreSQL
    cannot store NUL, and no reader sees the others).
    """
    return _CONTROL.sub("", text).strip()


def plain_text(markdown: str) -> str:
    """Return reply text with its backslash escapes removed (for plain terminals)."""
    return _ESCAPED.sub(r"\1", markdown)
