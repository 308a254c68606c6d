"""How the core's commands are named on Slack.

One slash command per top-level name of the core's table (`/practice` carries
`answer` and `reveal` as subcommand words, as the core parses them), except
`help`: the manifest registers no `/help` (a workspace may have its own), so
help is `/studybot help [topic]`.
"""

from __future__ import annotations

from bot.command_refs import CommandRef

__all__ = ["ADMIN_COMMAND", "HELP", "spell_command"]

ADMIN_COMMAND = "studybot"
HELP = "help"


def spell_command(ref: CommandRef) -> str:
    """Return a command as members type it on Slack: `/studybot help scoring`, `/practice`."""
    name = f"{ADMIN_COMMAND} {ref.name}" if ref.name.split(" ", 1)[0] == HELP else ref.name
    return f"/{name} {ref.args}".rstrip()
