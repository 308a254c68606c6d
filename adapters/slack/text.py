"""How Slack encodes what members write, and reading it back as they see it.

Text: Slack sends what members write encoded: `&`, `<` and `>` as `&amp;`, `&lt;` and
`&gt;`, and mentions and links as `<@U…>`, `<#C…|name>`, `<!here>`, `<https://…|label>`.
`decode_text` turns that back into what the member sees (`@Name`, `#name`, `@here`, the
link's label), once, for thread messages and slash commands alike, so that an answer is
stored and graded as it reads, the same as one sent through a modal (whose values arrive
plain); settings text keeps a member as `<@U…>`, so that `admins=@alice` names a member
(`member_mention`). `@here` and the like stay harmless as text: the core neutralises mass
mentions in user text it shows, and the renderer escapes `&`, `<` and `>` again on the way out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["decode_text", "member_mention", "mentioned_users"]

# Slack's encoding of text: three entities, and control sequences in angle brackets
# (a literal `<` or `>` always comes as an entity, so these are never the member's).
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_CONTROL = re.compile(r"<([^<>]*)>")
_USER_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^<>]*)?>")
_MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,}")  # a member's id, as a mention or typed
_MASS_MENTIONS = frozenset({"here", "channel", "everyone"})
_MAX_MENTIONS = 20  # members' names looked up in one text; more are shown by their label or id


def _unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def mentioned_users(text: str) -> tuple[str, ...]:
    """Return the members a Slack-encoded text mentions (`<@U…>`), first ones first, at most 20."""
    found: dict[str, None] = {}
    for match in _USER_MENTION.finditer(text):
        found.setdefault(match.group(1))
        if len(found) == _MAX_MENTIONS:
            break
    return tuple(found)


def member_mention(word: str) -> str | None:
    """Return the member id a word of settings text names (`<@U…>`, `<@U…|name>`, `U…`)."""
    user = found.group(1) if (found := _USER_MENTION.fullmatch(word)) else word
    return user if _MEMBER_ID.fullmatch(user) else None


def _shown(control: str, names: Mapping[str, str], ids: bool = False) -> str:
    """Return what Slack shows for one control sequence (what is between `<` and `>`)."""
    target, _, label = control.partition("|")
    label = _unescape(label)
    if target.startswith("@") and ids:  # a member in settings text: their id
        return f"<{target}>"
    if target.startswith("@"):  # a member: the name Slack shows today
        user = target[1:]
        name = " ".join((names.get(user) or label or user).split())
        return "@" + name
    if target.startswith("#"):  # a channel
        return "#" + (label or target[1:])
    if target.startswith("!"):  # @here, @channel, @everyone, a user group, a date
        word = target[1:].split("^", 1)[0]
        if word in _MASS_MENTIONS:
            return "@" + word
        return label or "@" + word
    return label or _unescape(target)  # a link: its label, or the address itself


def decode_text(text: str, names: Mapping[str, str] | None = None, ids: bool = False) -> str:
    """Return Slack-encoded text as the member sees it.

    Entities become `&`, `<` and `>`; a mention `@` and the member's name (from `names`,
    by user id; else the name Slack put in it, else the id), or `<@U…>` with `ids`; a
    channel `#name`; `<!here>` `@here`; a link its label, or its address if it has none.
    Text that Slack did not encode (a modal's values) must not come here.
    """
    names = names or {}
    parts: list[str] = []
    done = 0
    for match in _CONTROL.finditer(text):
        parts.append(_unescape(text[done : match.start()]))
        parts.append(_shown(match.group(1), names, ids))
        done = match.end()
    parts.append(_unescape(text[done:]))
    return "".join(parts)
