"""The only place console lines become core events and replies become terminal text.

Commands are typed as the core's table writes them (`/help scoring`); Slack's
form of help, `/studybot help scoring`, is taken too, since members who know
the bot from Slack type it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.command_refs import CommandRef, spell_reply
from bot.markup import plain_text
from bot.replies import Form, Reply, Visibility

__all__ = [
    "MetaCommand",
    "command_line",
    "form_prompt",
    "parse_duration",
    "parse_meta",
    "parse_moment",
    "render",
    "spell_command",
    "without_comment",
]

_HOST = "studybot"  # `/studybot help ...` is `/help ...`
_HELP = "help"

# A comment: a whole line from `#`, or `#` after two or more spaces to the end of the line.
_COMMENT = re.compile(r"^\s*#.*$|\s{2,}#(?:\s.*)?$")
_DURATION = re.compile(r"(\d+)\s*([dhms])", re.IGNORECASE)
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


@dataclass(frozen=True, slots=True)
class MetaCommand:
    """A console-only command: `:as NAME`, `:advance 1d`, ..."""

    name: str
    arg: str


def without_comment(line: str) -> str:
    """Return a console line without its comment (`# ...` alone, or after two spaces)."""
    return _COMMENT.sub("", line, count=1)


def parse_meta(line: str) -> MetaCommand:
    """Split a `:name arg` line."""
    name, _, arg = line[1:].strip().partition(" ")
    return MetaCommand(name.lower(), arg.strip())


def command_line(line: str) -> tuple[str, str]:
    """Return the command a `/...` line names and its arguments (`/studybot help x` is `help`)."""
    name, _, args = line.strip().removeprefix("/").partition(" ")
    word, _, rest = args.strip().partition(" ")
    if name.lower() == _HOST and word.lower() == _HELP:
        return _HELP, rest.strip()
    return name, args


def spell_command(ref: CommandRef) -> str:
    """Return a command as the console takes it: as the core's table writes it (`/help scoring`)."""
    return ref.typed


def parse_duration(text: str) -> timedelta:
    """Parse `1d`, `2h30m`, `45m` or `10s` into a duration."""
    compact = text.replace(" ", "")
    parts = _DURATION.findall(compact)
    if not parts or "".join(n + u for n, u in parts).lower() != compact.lower():
        raise ValueError(f"'{text}' is not a duration; try 1d, 2h30m or 45m")
    delta = timedelta()
    for number, unit in parts:
        delta += timedelta(**{_UNITS[unit.lower()]: int(number)})
    return delta


def parse_moment(text: str) -> datetime:
    """Parse an ISO date-time; without an offset it is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a date-time; try 2026-12-01T09:00") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def render(reply: Reply, channel: str, member: str, place: str | None = None) -> str:
    """Return a reply as terminal text."""
    reply = spell_reply(reply, spell_command)
    if reply.visibility is Visibility.PRIVATE:
        head = f"[only {member} sees this]"
    else:
        head = f"[#{channel}{' › ' + place if place else ''}]"
    lines: list[str] = []
    if reply.reaction and reply.visibility is Visibility.PRIVATE and not reply.is_error:
        head += f" {reply.reaction}"
    if reply.title:
        lines.append(f"== {reply.title} ==")
    if reply.text:
        prefix = "! " if reply.is_error else ""
        lines.append(prefix + plain_text(reply.text))
    for field in reply.fields:
        lines.append(f"-- {plain_text(field.name)} --")
        lines.append(plain_text(field.value))
    if reply.form is not None:
        lines.append(form_prompt(reply.form, 0))
    if reply.buttons:
        lines.append(
            "  ".join(f"[{b.label}]" for b in reply.buttons) + "   (:press <button> to use one)"
        )
    if reply.footer:
        lines.append(f"({plain_text(reply.footer)})")
    body = "\n".join(lines)
    return f"{head}\n{_indent(body)}"


def form_prompt(form: Form, step: int) -> str:
    """Return what asks for a form's input number `step` on the next line."""
    field = form.inputs[step] if form.inputs else None
    empty = ", an empty line to leave it out" if field and not field.required else ""
    if len(form.inputs) <= 1:
        return f"(form '{form.title}': type your answer on the next line{empty}, or :cancel)"
    return (
        f"(form '{form.title}', {step + 1} of {len(form.inputs)}: type "
        f"{field.label if field else ''} on the next line{empty}, or :cancel)"
    )


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else "" for line in text.splitlines())
