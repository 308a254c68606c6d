"""Naming a command in a reply without naming a platform: a marked reference each renderer spells.

The core writes `mention("help", "scoring")` into reply text. The text then
holds the command as the core's table writes it (`/help scoring`) between
invisible markers that also carry the command's name; the markers are control
characters, which user text never keeps (`bot.markup.user_text` drops them),
so no member can forge one. Each adapter's renderer calls `spell_reply` (or
`spell`) with its platform's spelling, which turns every reference into the
command as that platform registers it: `/help scoring` on the console,
`/studybot help scoring` on Slack, `/help topic:scoring` on Discord.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.replies import Button, Field, Form, FormInput, Reply

__all__ = ["CommandRef", "Spelling", "mention", "references", "spell", "spell_reply", "usage_mark"]

_OPEN = "\x0e"
_USAGE = "\x1d"  # after the name: the reference is a usage line (`[category] [difficulty]`)
_SEP = "\x1f"  # between the name and the text as the core's table writes it
_CLOSE = "\x0f"
_REFERENCE = re.compile(f"{_OPEN}([^{_OPEN}{_CLOSE}{_SEP}]*){_SEP}([^{_OPEN}{_CLOSE}]*){_CLOSE}")


@dataclass(frozen=True, slots=True)
class CommandRef:
    """A command named in a reply: its full name in the core's table, and what follows it.

    `args` are written as on the console (`scoring`, `time=08:30 tz=UTC`); in a
    usage line (`usage`) they are the parameters' placeholders (`[category]
    [easy|medium|hard]`), which a platform may write its own way.
    """

    name: str
    args: str = ""
    usage: bool = False

    @property
    def typed(self) -> str:
        """Return the reference as the core's table (and the console) writes it."""
        return f"/{self.name} {self.args}".rstrip()


Spelling = Callable[[CommandRef], str]
"""A platform's way to write a command reference, as members type it there."""


def _mark(ref: CommandRef) -> str:
    return f"{_OPEN}{ref.name}{_USAGE if ref.usage else ''}{_SEP}{ref.typed}{_CLOSE}"


def mention(name: str, args: str = "") -> str:
    """Return reply text naming the core command `name` (with `args`), for renderers to spell."""
    return _mark(CommandRef(name, args.strip()))


def usage_mark(name: str, placeholders: str) -> str:
    """Return reply text showing how command `name` is written, its parameters as placeholders."""
    return _mark(CommandRef(name, placeholders.strip(), usage=True))


def _ref(match: re.Match[str]) -> CommandRef:
    head, typed = match.group(1), match.group(2)
    usage = head.endswith(_USAGE)
    name = head.removesuffix(_USAGE)
    args = typed.removeprefix(f"/{name}").strip()
    return CommandRef(name, args, usage)


def references(text: str) -> list[CommandRef]:
    """Return the command references in reply text, in order."""
    return [_ref(m) for m in _REFERENCE.finditer(text)]


def spell(text: str, spelling: Spelling) -> str:
    """Return reply text with every command reference written by `spelling`; the rest is kept."""
    if _OPEN not in text:
        return text
    return _REFERENCE.sub(lambda m: spelling(_ref(m)), text)


def _spell_form(form: Form, spelling: Spelling) -> Form:
    inputs = tuple(
        FormInput(
            i.id,
            spell(i.label, spelling),
            i.max_length,
            i.multiline,
            spell(i.placeholder, spelling),
            i.required,
        )
        for i in form.inputs
    )
    return replace(form, title=spell(form.title, spelling), inputs=inputs)


def spell_reply(reply: Reply, spelling: Spelling) -> Reply:
    """Return a reply with the command references of all its text written by `spelling`."""

    def s(text: str) -> str:
        return spell(text, spelling)

    return replace(
        reply,
        text=s(reply.text),
        title=s(reply.title) if reply.title is not None else None,
        fields=tuple(Field(s(f.name), s(f.value), f.inline) for f in reply.fields),
        buttons=tuple(Button(b.action, s(b.label), b.value) for b in reply.buttons),
        form=_spell_form(reply.form, spelling) if reply.form is not None else None,
        footer=s(reply.footer) if reply.footer is not None else None,
    )
