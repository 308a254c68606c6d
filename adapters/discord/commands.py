"""Discord application commands built from the core's command table (`bot.commands.COMMANDS`).

Commands sharing a first word become one slash command with subcommands
(`/studybot setup`); a command that is also the bare name of such a group
(`/practice` beside `/practice answer`) becomes its `new` subcommand, since
Discord cannot invoke a command that has subcommands. Parameters with fixed
choices become choices, dynamic ones (categories) autocomplete, and free text
a string option. Admin-only groups carry Manage Channels as their default
member permission; the core checks again. Every description carries its
translations (`bot.command_translations`) as `description_localizations`,
keyed by Discord's locale codes.

`spell_command` writes a command the core names in a reply as members use it
here: `/practice new`, `/help topic:scoring`, `/studybot settings changes:...`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import command_translations
from bot.command_refs import CommandRef
from bot.commands import COMMANDS, GROUP_SUMMARIES, Command, Param, UsageError, parse_command

__all__ = [
    "BARE_SUBCOMMAND",
    "LOCALE_CODES",
    "MANAGE_CHANNELS",
    "CommandCall",
    "CommandTable",
    "spell_command",
    "suggestions",
]

BARE_SUBCOMMAND = "new"
MANAGE_CHANNELS = 1 << 4
_SUB_COMMAND = 1
_STRING = 3
_GUILD_CONTEXT = 0
_GUILD_INSTALL = 0
_MAX_CHOICES = 25
_DESCRIPTION = 100

LOCALE_CODES: Mapping[str, tuple[str, ...]] = {
    "fr": ("fr",),
    "de": ("de",),
    "es": ("es-ES", "es-419"),
    "pt-BR": ("pt-BR",),
}
"""The Discord locale codes each language of the translations (a BCP 47 tag) is shown in."""


@dataclass(frozen=True, slots=True)
class CommandCall:
    """A slash command invocation mapped back to the core: its command and the rebuilt line."""

    command: Command
    args: str


def _describe(text: str) -> str:
    return text if len(text) <= _DESCRIPTION else text[: _DESCRIPTION - 1] + "…"


def _localized(texts: Mapping[str, str]) -> dict[str, str]:
    return {
        locale: _describe(text)
        for language, text in texts.items()
        for locale in LOCALE_CODES.get(language, ())
    }


def _option(command: Command, param: Param) -> dict[str, Any]:
    option: dict[str, Any] = {
        "type": _STRING,
        "name": param.name,
        "description": _describe(param.help),
        "description_localizations": _localized(
            command_translations.param_helps(command.name, param.name)
        ),
        "required": param.required,
    }
    if param.choices:
        option["choices"] = [{"name": c, "value": c} for c in param.choices[:_MAX_CHOICES]]
    elif param.dynamic:
        option["autocomplete"] = True
    return option


def _options(command: Command) -> list[dict[str, Any]]:
    ordered = sorted(command.params, key=lambda p: not p.required)  # Discord: required first
    return [_option(command, p) for p in ordered]


def _described(command: Command) -> dict[str, Any]:
    return {
        "description": _describe(command.summary),
        "description_localizations": _localized(command_translations.summaries(command.name)),
    }


def _split(name: str) -> tuple[str, str | None]:
    top, _, sub = name.partition(" ")
    return top, sub or None


class CommandTable:
    """The slash commands of a command table, and the way back from an interaction."""

    def __init__(self, commands: Sequence[Command] = COMMANDS) -> None:
        self._groups: dict[str, dict[str | None, Command]] = {}
        for command in commands:
            top, sub = _split(command.name)
            self._groups.setdefault(top, {})[sub] = command

    def command(self, name: str) -> Command | None:
        """Return the core command of a full name (`answer`, `studybot setup`), or None."""
        top, sub = _split(name)
        return self._groups.get(top, {}).get(sub)

    def payloads(self) -> list[dict[str, Any]]:
        """Return the application commands to register (one bulk overwrite)."""
        return [self._payload(top, members) for top, members in self._groups.items()]

    def _payload(self, top: str, members: Mapping[str | None, Command]) -> dict[str, Any]:
        admin = all(c.admin for c in members.values())
        payload: dict[str, Any] = {
            "type": 1,
            "name": top,
            "contexts": [_GUILD_CONTEXT],
            "integration_types": [_GUILD_INSTALL],
            "default_member_permissions": str(MANAGE_CHANNELS) if admin else None,
        }
        bare = members.get(None)
        subs = {k: v for k, v in members.items() if k is not None}
        if not subs and bare is not None:
            payload.update(_described(bare))
            payload["options"] = _options(bare)
            return payload
        options = []
        if bare is not None:
            options.append(
                {
                    "type": _SUB_COMMAND,
                    "name": BARE_SUBCOMMAND,
                    **_described(bare),
                    "options": _options(bare),
                }
            )
        for sub, command in subs.items():
            options.append(
                {
                    "type": _SUB_COMMAND,
                    "name": sub,
                    **_described(command),
                    "options": _options(command),
                }
            )
        if bare is not None:
            payload.update(_described(bare))
        else:
            summary = GROUP_SUMMARIES.get(top, f"/{top}: " + ", ".join(subs))
            payload["description"] = _describe(summary)
            payload["description_localizations"] = _localized(
                command_translations.group_summaries(top)
            )
        payload["options"] = options
        return payload

    def _command(self, data: Mapping[str, Any]) -> tuple[Command, list[Mapping[str, Any]]] | None:
        members = self._groups.get(str(data.get("name", "")))
        if members is None:
            return None
        options: list[Mapping[str, Any]] = list(data.get("options") or [])
        if options and options[0].get("type") == _SUB_COMMAND:
            name = str(options[0].get("name"))
            command = members.get(None if name == BARE_SUBCOMMAND else name)
            if command is None:
                return None
            return command, list(options[0].get("options") or [])
        command = members.get(None)
        return (command, options) if command is not None else None

    def resolve(self, data: Mapping[str, Any]) -> CommandCall | None:
        """Return the core command an application-command interaction's data names, or None."""
        found = self._command(data)
        if found is None:
            return None
        command, options = found
        given = {str(o.get("name")): str(o.get("value", "")) for o in options}
        parts = [given[p.name].strip() for p in command.params if given.get(p.name, "").strip()]
        return CommandCall(command, " ".join(parts))

    def focused(self, data: Mapping[str, Any]) -> tuple[Param, str] | None:
        """Return the parameter an autocomplete interaction asks about, and what is typed so far."""
        found = self._command(data)
        if found is None:
            return None
        command, options = found
        for option in options:
            if option.get("focused"):
                param = next((p for p in command.params if p.name == option.get("name")), None)
                return (param, str(option.get("value", ""))) if param is not None else None
        return None


def _option_words(command: Command, args: str) -> list[str]:
    """Return a command's arguments as Discord shows options (`topic:scoring`).

    A word that names its option already (`page=2`) is shown as that option (`page:2`).
    """
    try:
        given = parse_command(command.name, args).args
    except UsageError:
        return [args]
    return [
        f"{p.name}:{given[p.name].removeprefix(f'{p.name}=')}"
        for p in command.params
        if p.name in given
    ]


def _index(commands: Sequence[Command]) -> tuple[dict[str, int], dict[str, Command]]:
    """Return how many commands share each top-level name, and each command by its name."""
    sizes: dict[str, int] = {}
    for command in commands:
        top = _split(command.name)[0]
        sizes[top] = sizes.get(top, 0) + 1
    return sizes, {c.name: c for c in commands}


# The bot's own table, indexed once: every reply spells its command references with it.
_DEFAULT_INDEX = _index(COMMANDS)


def spell_command(ref: CommandRef, commands: Sequence[Command] = COMMANDS) -> str:
    """Return a command as members use it on Discord, its arguments as options.

    A command that is also the bare name of a group is its `new` subcommand
    (`/practice new`); a usage line names the options, the required ones first
    (`/practice answer <text>`); a group named alone stays `/studybot`.
    """
    top, sub = _split(ref.name)
    group_sizes, by_name = _DEFAULT_INDEX if commands is COMMANDS else _index(commands)
    command = by_name.get(ref.name)
    words = [f"/{top}"]
    if sub is not None:
        words.append(sub)
    elif command is not None and group_sizes[top] > 1:
        words.append(BARE_SUBCOMMAND)
    if command is None:
        words.append(ref.args)
    elif ref.usage:
        ordered = sorted(command.params, key=lambda p: not p.required)
        words.extend(f"<{p.name}>" if p.required else f"[{p.name}]" for p in ordered)
    elif ref.args:
        words.extend(_option_words(command, ref.args))
    return " ".join(w for w in words if w)


def suggestions(
    typed: str, options: Iterable[str], label: Callable[[str], str] = lambda o: o
) -> list[str]:
    """Return up to 25 options matching what a member typed: prefixes first, then substrings.

    An option matches by its value or by its `label` (what the member sees: `NLP`).
    """
    needle = typed.strip().lower()
    listed = list(options)

    def names(o: str) -> tuple[str, str]:
        return o.lower(), label(o).lower()

    starts = [o for o in listed if any(n.startswith(needle) for n in names(o))]
    contains = [o for o in listed if any(needle in n for n in names(o)) and o not in starts]
    return (starts + contains)[:_MAX_CHOICES]
