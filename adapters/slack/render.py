"""The only place core replies become Slack payloads (Block Kit messages, modals, reactions).

Reply text is the core's small Markdown subset; it becomes Slack `mrkdwn` with
`&`, `<` and `>` escaped (so no text can form a link, a user mention or
`<!channel>`), the core's backslash escapes of user text kept inert, and long
text split to stay within Block Kit's limits rather than rejected. No block has
empty or only-whitespace text, which Slack refuses (`invalid_blocks`): blank
parts of a reply are left out, blank labels and titles fall back to an id.
Commands the core names are written as Slack registers them
(`adapters.slack.commands`): `/studybot help scoring`, not `/help scoring`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.slack.commands import spell_command
from adapters.slack.message_parts import MAX_MESSAGE_TEXT, share_out
from bot.command_refs import spell, spell_reply
from bot.markup import plain_text
from bot.replies import Button, Field, Form, Reply

__all__ = [
    "MAX_MODAL_BLOCKS",
    "MAX_SECTION_TEXT",
    "FormContext",
    "SlackMessage",
    "button_element",
    "chunk_mrkdwn",
    "escape",
    "fallback_text",
    "input_block_id",
    "modal_errors",
    "mrkdwn",
    "plain",
    "reaction_name",
    "render_message",
    "render_modal",
    "render_summary",
]

MAX_MODAL_BLOCKS = 100  # a modal or the Home tab
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS = 25
MAX_VIEW_TITLE = 24
MAX_INPUT = 3000  # a plain_text_input's max_length
MAX_INPUT_LABEL = 2000
MAX_FALLBACK = 300
MAX_FIELD_TEXT = 2000  # a section's field
MAX_FIELDS = 10  # fields in a section
MAX_CONTEXT_ELEMENTS = 10
MIN_CHUNK = 16  # the smallest piece chunk_mrkdwn cuts
_SUMMARY_CHARS = 600
# Room left in a section for closing and reopening a code fence across a split.
_CHUNK = MAX_SECTION_TEXT - 8

_INERT = {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"}
_TOKEN = re.compile(r"\\([\\*_~`|>#\[\]()])|(`[^`\n]+`)|(\*\*)|(\*)")
_UNESCAPE = re.compile(r"\\([\\*_~`|>#\[\]()])")
_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")
# A code fence's language (`python`): Slack highlights no code, so mrkdwn drops it.
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,32}")
# What shows when a reply has nothing to show (Slack refuses blocks without text).
_NOTHING = "studybot"

_REACTIONS = {
    "✅": "white_check_mark",
    "🔁": "repeat",
    "➕": "heavy_plus_sign",
    "🕓": "clock4",
    "👍": "+1",
    "🎉": "tada",
    "❌": "x",
    "⚠️": "warning",
}


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One Slack message: its notification text and its Block Kit blocks."""

    text: str
    blocks: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class FormContext:
    """Where a modal was opened from, carried in its `private_metadata`."""

    team_id: str
    channel_id: str
    thread_ts: str | None
    value: str

    def encode(self) -> str:
        """Return the context as `private_metadata` (well under its 3,000 characters)."""
        return json.dumps(
            {
                "team": self.team_id,
                "channel": self.channel_id,
                "thread": self.thread_ts,
                "value": self.value[:1000],
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, text: str) -> FormContext | None:
        """Return the context of a `private_metadata`, or None if it is not one of ours."""
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        team, channel, thread = data.get("team"), data.get("channel"), data.get("thread")
        if not isinstance(team, str) or not isinstance(channel, str):
            return None
        return cls(
            team, channel, thread if isinstance(thread, str) else None, str(data.get("value", ""))
        )


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(markdown: str) -> str:
    """Return reply text as plain text (for `plain_text` objects): no escapes, no markers."""
    return plain_text(spell(markdown, spell_command).replace("**", ""))


def _inline(line: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(line):
        out.append(escape(line[pos : m.start()]))
        escaped, code, bold, italic = m.groups()
        if escaped is not None:
            out.append(_INERT.get(escaped, escape(escaped)))
        elif code is not None:
            out.append(escape(code))
        elif bold is not None:
            out.append("*")
        elif italic is not None:
            out.append("_")
        pos = m.end()
    out.append(escape(line[pos:]))
    return "".join(out)


def _fence(rest: str, in_fence: bool) -> tuple[list[str], bool]:
    """Return the mrkdwn lines of a fence line, given what follows its ```, and if a fence is open.

    An opening fence's language is dropped; any other text on the line is kept on a line
    of its own, inside the fence (a one-line ```code``` block stays a block).
    """
    rest = rest.strip()
    if in_fence:
        return (["```", _inline(rest)] if rest else ["```"]), False
    if rest.endswith("```"):
        code = rest[:-3].strip()
        return (["```", escape(code), "```"] if code else []), False
    if rest and not _LANGUAGE.fullmatch(rest):
        return ["```", escape(rest)], True
    return ["```"], True


def mrkdwn(markdown: str) -> str:
    """Return the core's Markdown subset as Slack mrkdwn, every `&`, `<`, `>` escaped.

    A code fence becomes a bare ``` line: its language is dropped (Slack highlights
    no code), any other text on the fence's line is kept on a line of its own.
    """
    lines: list[str] = []
    in_fence = False
    for line in spell(markdown, spell_command).splitlines():
        stripped = line.lstrip()
        if stripped.startswith("```"):
            fenced, in_fence = _fence(stripped[3:], in_fence)
            lines.extend(fenced)
            continue
        if in_fence:
            lines.append(escape(line))
        elif stripped.startswith("> "):
            lines.append(">" + _inline(stripped[1:]))
        elif stripped.startswith(("- ", "* ")):
            indent = line[: len(line) - len(stripped)]
            lines.append(indent + "• " + _inline(stripped[2:]))
        else:
            lines.append(_inline(line))
    if in_fence:
        lines.append("```")
    return "\n".join(lines)


def _cut(text: str, limit: int) -> int:
    """Return where to cut `text` (longer than `limit`): a space, never inside an entity."""
    cut = text.rfind(" ", limit // 2, limit)
    if cut <= 0:
        cut = limit
        tail = _ENTITY_TAIL.search(text[:cut])
        if tail is not None:
            cut = tail.start()
    return cut


def _split_line(line: str, limit: int) -> Iterator[str]:
    while len(line) > limit:
        cut = _cut(line, limit)
        yield line[:cut]
        line = line[cut:].lstrip(" ")
    yield line


def chunk_mrkdwn(text: str, limit: int = _CHUNK) -> list[str]:
    """Split mrkdwn into pieces of at most `limit` characters (plus a fence's closing).

    Pieces break between lines, else between words (never inside an `&amp;`
    entity); a code fence cut by a break is closed and opened again, so every
    piece renders on its own. Pieces of only whitespace are left out (`[""]` if
    nothing else is left). `limit` must be at least 16.
    """
    if limit < MIN_CHUNK:
        raise ValueError(f"cannot cut mrkdwn into pieces shorter than {MIN_CHUNK}")
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    in_fence = False
    for raw in text.split("\n"):
        for line in _split_line(raw, limit - 8):
            if current and size + len(line) + 1 > limit:
                pieces.append("\n".join(current) + ("\n```" if in_fence else ""))
                current, size = (["```"], 4) if in_fence else ([], 0)
            if line == "```" and in_fence and current == ["```"]:
                current, size, in_fence = [], 0, False  # the fence closes right at the break
                continue
            current.append(line)
            size += len(line) + 1
            if line.count("```") % 2:  # Slack reads every three backticks as a fence
                in_fence = not in_fence
    pieces.append("\n".join(current))
    return [p for p in pieces if p.strip()] or [""]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sections(text: str) -> list[dict[str, Any]]:
    """Return mrkdwn as sections within Slack's limit, leaving out pieces of only whitespace."""
    return [_section(piece) for piece in chunk_mrkdwn(text) if piece.strip()]


def _label(text: str, limit: int) -> str:
    """Return reply text as one line of plain text within a limit ("" if only whitespace)."""
    return _truncate(" ".join(plain(text).split()), limit)


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _field_text(field: Field) -> str:
    """Return a field as mrkdwn: its name in bold over its value (either left out if blank)."""
    name = f"*{_inline(field.name.strip())}*" if field.name.strip() else ""
    value = mrkdwn(field.value) if field.value.strip() else ""
    return "\n".join(part for part in (name, value) if part)


def _field_blocks(fields: Sequence[Field]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    inline: list[dict[str, Any]] = []

    def close_inline() -> None:
        if inline:
            blocks.append({"type": "section", "fields": list(inline)})
            inline.clear()

    for f in fields:
        body = _field_text(f)
        if not body.strip():
            continue  # nothing to show
        if f.inline and len(body) <= MAX_FIELD_TEXT:
            if sum(len(i["text"]) for i in inline) + len(body) > MAX_MESSAGE_TEXT:
                close_inline()  # a section a message can hold
            inline.append({"type": "mrkdwn", "text": body})
            if len(inline) == MAX_FIELDS:
                close_inline()
            continue
        close_inline()
        blocks.extend(_sections(body))
    close_inline()
    return blocks


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def button_element(button: Button, index: int) -> dict[str, Any]:
    """Return a Block Kit button; its action_id is the core's action (plus `#n` if repeated).

    Its label is one line of plain text (the action's name if the label is blank).
    """
    label = _label(button.label, MAX_BUTTON_LABEL) or _label(button.action, MAX_BUTTON_LABEL)
    element: dict[str, Any] = {
        "type": "button",
        "text": _plain(label or "•"),
        "action_id": button.action if index == 0 else f"{button.action}#{index}",
    }
    if button.value:
        element["value"] = button.value[:MAX_BUTTON_VALUE]
    return element


def _actions(buttons: Sequence[Button]) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    elements = []
    for b in buttons:
        elements.append(button_element(b, seen.get(b.action, 0)))
        seen[b.action] = seen.get(b.action, 0) + 1
    return [
        {"type": "actions", "elements": elements[i : i + MAX_ACTIONS]}
        for i in range(0, len(elements), MAX_ACTIONS)
    ]


def fallback_text(reply: Reply) -> str:
    """Return the notification text of a reply (shown where blocks are not)."""
    source = reply.title or reply.text or (reply.fields[0].name if reply.fields else "")
    return escape(_truncate(" ".join(plain(source).split()), MAX_FALLBACK)) or _NOTHING


def _header(title: str | None) -> list[dict[str, Any]]:
    """Return the header block of a title (none for a blank one)."""
    text = _label(title or "", MAX_HEADER)
    return [{"type": "header", "text": _plain(text)}] if text else []


def _body_blocks(reply: Reply) -> list[dict[str, Any]]:
    blocks = _header(reply.title)
    if reply.text.strip():
        text = mrkdwn(reply.text)
        if reply.is_error:
            text = ":warning: " + text
        blocks.extend(_sections(text))
    blocks.extend(_field_blocks(reply.fields))
    return blocks


def _tail_blocks(reply: Reply) -> list[dict[str, Any]]:
    blocks = _actions(reply.buttons)
    elements = [
        {"type": "mrkdwn", "text": piece}
        for piece in chunk_mrkdwn(mrkdwn(reply.footer or ""))
        if piece.strip()
    ]
    # A footer is a line or two; a longer one continues in further blocks, each within what
    # a message may hold.
    groups: list[list[dict[str, Any]]] = []
    size = 0
    for element in elements:
        if (
            not groups
            or len(groups[-1]) == MAX_CONTEXT_ELEMENTS
            or (size + len(element["text"]) > MAX_MESSAGE_TEXT)
        ):
            groups.append([])
            size = 0
        groups[-1].append(element)
        size += len(element["text"])
    blocks.extend({"type": "context", "elements": group} for group in groups)
    return blocks


def render_message(reply: Reply) -> list[SlackMessage]:
    """Return a reply as one Slack message, or several when it is too long for one.

    The buttons and the footer go with the last message; every message keeps
    within the limits of a section's text, a message's blocks and the text a
    message's blocks may hold in all, and no block has empty or only-whitespace
    text (a reply with nothing to show shows its notification text).
    """
    reply = spell_reply(reply, spell_command)
    body = _body_blocks(reply)
    tail = _tail_blocks(reply)
    text = fallback_text(reply)
    if not body and not tail:
        body = [_section(text)]
    return [SlackMessage(text, tuple(blocks)) for blocks in share_out(body, tail)]


def render_summary(reply: Reply, link: str | None) -> SlackMessage:
    """Return a short form of a reply for the channel, pointing to the full one in a thread."""
    reply = spell_reply(reply, spell_command)
    blocks = _header(reply.title)
    first = reply.text.strip().split("\n\n", 1)[0]
    short = mrkdwn(first)
    if short.strip():
        if len(short) > _SUMMARY_CHARS or len(first) < len(reply.text.strip()):
            short = chunk_mrkdwn(short, _SUMMARY_CHARS)[0].rstrip() + " …"
        blocks.append(_section(short))
    where = f"<{escape(link)}|in the question's thread>" if link else "in the question's thread"
    blocks.extend(_actions(reply.buttons))
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"The full text is {where}."}]}
    )
    return SlackMessage(fallback_text(reply), tuple(blocks))


def input_block_id(input_id: str, part: int) -> str:
    """Return the block id of one part of a form input (Slack inputs hold 3,000 characters)."""
    return input_id if part == 0 else f"{input_id}#{part + 1}"


def render_modal(form: Form, intro: str, context: FormContext) -> dict[str, Any]:
    """Return a modal view for a form; an input longer than Slack allows spans several boxes."""
    form = spell_reply(Reply(form=form), spell_command).form or form
    blocks = _sections(mrkdwn(intro))
    for spec in form.inputs:
        parts = max(1, -(-spec.max_length // MAX_INPUT))
        for part in range(parts):
            element: dict[str, Any] = {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": spec.multiline,
                "max_length": min(MAX_INPUT, spec.max_length - part * MAX_INPUT),
            }
            if spec.placeholder.strip() and part == 0:
                element["placeholder"] = _plain(_truncate(spec.placeholder.strip(), 150))
            name = spec.label.strip() or spec.id.strip() or "Answer"
            label = name if part == 0 else f"{name} (continued)"
            blocks.append(
                {
                    "type": "input",
                    "block_id": input_block_id(spec.id, part),
                    "optional": part > 0 or not spec.required,
                    "label": {"type": "plain_text", "text": _truncate(label, MAX_INPUT_LABEL)},
                    "element": element,
                }
            )
    return {
        "type": "modal",
        "callback_id": form.form_id,
        "title": _plain(_label(form.title, MAX_VIEW_TITLE) or _NOTHING),
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": context.encode(),
        "blocks": blocks[:MAX_MODAL_BLOCKS],
    }


def modal_errors(reply: Reply, block_id: str) -> dict[str, str]:
    """Return a refused submission's message as Slack's `errors`, shown under one input."""
    return {block_id: _truncate(plain(reply.text), 1000)}


def reaction_name(emoji: str) -> str | None:
    """Return the Slack name of a reaction emoji, or None if it has none we know."""
    return _REACTIONS.get(emoji)
