"""The command table, the same on every platform, and the parsing of what members type."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import process

from bot.command_refs import mention, usage_mark
from bot.markup import user_text

__all__ = [
    "COMMANDS",
    "GROUP_SUMMARIES",
    "PERIOD_NAME",
    "TIME_NAME",
    "Command",
    "Param",
    "ParsedCommand",
    "SubcommandNeeded",
    "UsageError",
    "find_command",
    "group_commands",
    "is_repeatable",
    "parse_command",
]


@dataclass(frozen=True, slots=True)
class Param:
    """An argument of a command.

    A parameter with `choices` (fixed, or named `dynamic` ones such as the bank's
    categories) may be given in any position; one with a `pattern` takes, in any
    position, a word of that shape (a regular expression, matched whole and
    case-insensitively) that is none of the choices, the use-case checking what
    it names; one with `rest` takes the rest of the line as free text. One with
    `word` may also be typed after its name (`/review remind on`), its name alone
    giving its last choice (`/review remind` shows the state).
    """

    name: str
    help: str
    choices: tuple[str, ...] = ()
    dynamic: str | None = None
    required: bool = False
    rest: bool = False
    pattern: str = ""
    word: bool = False


@dataclass(frozen=True, slots=True)
class Command:
    """A command: its full name (`studybot setup`), help, arguments, who may use it."""

    name: str
    summary: str
    params: tuple[Param, ...] = ()
    admin: bool = False
    # Running it twice does no more than once (it shows, or sets what is set already): a
    # platform need not record each request to tell a replay from a new one.
    repeatable: bool = False

    @property
    def placeholders(self) -> str:
        """Return the parameters as the core's table writes them: `[category] [easy|hard]`."""
        parts = []
        for p in self.params:
            named = p.choices and len(p.choices) <= 4 and not p.word  # a word: typed by name
            label = "|".join(p.choices) if named else p.name
            parts.append(f"<{label}>" if p.required else f"[{label}]")
        return " ".join(parts)

    @property
    def usage(self) -> str:
        """Return how the command is written, as reply text each platform spells its own way.

        On the console it reads `/practice [category] [easy|medium|hard]`.
        """
        return usage_mark(self.name, self.placeholders)


# The shape of a leaderboard period's name (`last`, `2026-W49`, `W49`, `2026-11`);
# bot.periods says which period it names, if any.
PERIOD_NAME = r"last|(\d{4}-?)?w\d{1,2}|\d{4}-\d{1,2}"
# A leaderboard page (`page=2`, or `2` alone); bot.periods checks the number.
PAGE_NAME = r"(page=)?\d{1,6}"
# A leaderboard's category (`category=nlp`; a bare `nlp` is one of the bank's); the
# use-case checks the bank has it.
CATEGORY_NAME = r"category=\S*"
# A time of day (`18:30`); the use-case checks it is one.
TIME_NAME = r"\d{1,2}:\d{2}"

COMMANDS: tuple[Command, ...] = (
    Command(
        "answer",
        "Answer the open question privately (a form opens if you give no text)",
        (Param("text", "your answer", rest=True),),
    ),
    Command(
        "practice",
        "Get a practice question only you see",
        (
            Param("category", "a category of the bank", dynamic="categories"),
            Param("difficulty", "easy, medium or hard", choices=("easy", "medium", "hard")),
        ),
    ),
    Command(
        "practice answer",
        "Answer your practice question and see your coverage",
        (Param("text", "your answer", required=True, rest=True),),
    ),
    Command("practice reveal", "Show the answer of your practice question"),
    Command(
        "review",
        "Your practice questions due for review, the longest due first",
        (
            Param(
                "remind",
                "on or off: a daily private note when reviews are due (status: show it)",
                choices=("on", "off", "status"),
                word=True,
            ),
            Param("at", "the note's local time, HH:MM (default 09:00)", pattern=TIME_NAME),
        ),
    ),
    Command("hint", "A hint for your practice question, or for the open question", repeatable=True),
    Command(
        "leaderboard",
        "The group's leaderboard, for you alone (public: for the channel)",
        (
            Param("period", "week, month or all time", choices=("week", "month", "all")),
            Param(
                "when",
                "last, or a week or month by name, e.g. 2026-W49 or 2026-11",
                pattern=PERIOD_NAME,
            ),
            Param("share", "public: post it in the channel", choices=("public",)),
            Param("page", "which ten, e.g. page=2", pattern=PAGE_NAME),
            Param(
                "category",
                "one category's points only, e.g. category=nlp",
                dynamic="categories",
                pattern=CATEGORY_NAME,
            ),
            Param("chart", "chart: with a chart of their points per week", choices=("chart",)),
        ),
        repeatable=True,  # a replayed `public` posts the same board again, nothing more
    ),
    Command("stats", "Your points, rank, streak and coverage", repeatable=True),
    Command(
        "away",
        "Days you'll be away: your streak waits for you (no text: your away days)",
        (Param("days", "a date or a range, e.g. 2026-12-20..2026-12-27, or off", rest=True),),
    ),
    Command(
        "appeal",
        "Ask the admins to look again at your grade of the latest revealed question",
        (Param("note", "what the grader missed (optional)", rest=True),),
    ),
    Command(
        "remind",
        "Turn your private reminders before a reveal on or off",
        # Not repeatable: a late replay of `off` must not undo an `on` sent after it.
        (Param("choice", "on or off", choices=("on", "off")),),
    ),
    Command(
        "help",
        "What the commands do, and how scoring works",
        (Param("topic", "commands, scoring or admin", choices=("commands", "scoring", "admin")),),
        repeatable=True,
    ),
    Command(
        "studybot setup",
        "Start daily questions in this channel (optional settings)",
        (Param("settings", "key=value settings, e.g. time=09:00 tz=Europe/Berlin", rest=True),),
        admin=True,
    ),
    Command(
        "studybot settings",
        "Show or change this channel's settings",
        (Param("changes", "key=value changes, e.g. days=mon-fri reveal=18:00", rest=True),),
        admin=True,
    ),
    Command("studybot pause", "Stop posting daily questions here", admin=True),
    Command("studybot resume", "Start posting daily questions again", admin=True),
    Command("studybot skip", "Skip the next scheduled question", admin=True),
    Command("studybot post-now", "Post today's question now", admin=True),
    Command("studybot reveal", "Reveal the open question's answer now", admin=True),
    Command("studybot appeals", "Appeals waiting for a decision", admin=True),
    Command(
        "studybot regrade",
        "Change the grade of a member's answer of the last 14 days",
        (
            Param(
                "answer",
                "the member and the question's date, e.g. @alice 2026-12-01",
                required=True,
                rest=True,
            ),
        ),
        admin=True,
    ),
    Command(
        "studybot question-stats",
        "Per revealed question: answer rate, average coverage, the key point most missed",
        (Param("days", "the days to look back, 1 to 365 (default 30)", rest=True),),
        admin=True,
    ),
)

# What a group of commands without a bare command of its name (`studybot`) is for, for
# platforms that describe a group apart from its subcommands (a Discord slash command).
GROUP_SUMMARIES: Mapping[str, str] = {
    "studybot": "Admin commands for this channel's daily questions",
}

_BY_NAME = {c.name: c for c in COMMANDS}


def _subcommands_by_top() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for command in COMMANDS:
        top, _, sub = command.name.partition(" ")
        if sub:
            found.setdefault(top, []).append(sub)
    return {top: tuple(subs) for top, subs in found.items()}


_SUBCOMMANDS = _subcommands_by_top()


class UsageError(ValueError):
    """What someone gave the bot cannot be used; the message says why.

    A member's command (its arguments), or a command line's (a database URL, a
    missing file): a chat command answers it as an error, `studybot` exits with 2.
    """


class SubcommandNeeded(UsageError):
    """A group of commands (`/studybot`) was given without a subcommand: list them instead."""

    def __init__(self, group: str) -> None:
        super().__init__(f"{mention(group)} needs a subcommand.")
        self.group = group


def group_commands(group: str) -> tuple[Command, ...]:
    """Return the commands of a group (`studybot`: `studybot setup`, ...), in the table's order."""
    return tuple(c for c in COMMANDS if c.name.startswith(group + " "))


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    """A command with its arguments, checked."""

    command: Command
    args: Mapping[str, str]


def _suggest(word: str, options: Iterable[str]) -> str:
    match = process.extractOne(word, list(options), score_cutoff=60)
    return f" Did you mean {mention(match[0])}?" if match else ""


def _quoted(word: str) -> str:
    """Return a word a member typed, quoted and made inert, for an error message."""
    return f"'{user_text(word, limit=40)}'"


def find_command(name: str, args: str) -> tuple[Command, str]:
    """Return the command named by `name` (and a subcommand word of `args`), and its rest."""
    name = name.strip().lstrip("/").lower()
    subcommands = _SUBCOMMANDS.get(name, ())
    word, _, rest = args.strip().partition(" ")
    if subcommands and word.lower() in subcommands:
        return _BY_NAME[f"{name} {word.lower()}"], rest.strip()
    if name in _BY_NAME:
        return _BY_NAME[name], args.strip()
    if subcommands:
        if not word:
            raise SubcommandNeeded(name)
        listed = ", ".join(mention(f"{name} {sub}") for sub in subcommands)
        raise UsageError(f"{_quoted(word)} is not a subcommand of {mention(name)}. Try: {listed}.")
    tops = sorted({c.name.split(" ", 1)[0] for c in COMMANDS})
    raise UsageError(
        f"There is no command called {_quoted(name)}.{_suggest(name, tops)} Commands: "
        + ", ".join(mention(t) for t in tops)
        + f". {mention('help')} explains them."
    )


def is_repeatable(name: str, args: str) -> bool:
    """Tell whether running a command twice does no more than once (unknown: it may not)."""
    try:
        command, _ = find_command(name, args)
    except UsageError:
        return False
    return command.repeatable


def parse_command(
    name: str, args: str, dynamic: Callable[[str], Iterable[str]] = lambda _: ()
) -> ParsedCommand:
    """Parse a command and its arguments, or raise UsageError saying what is wrong."""
    command, rest = find_command(name, args)
    values: dict[str, str] = {}
    free = [p for p in command.params if p.rest]
    if free:
        if rest:
            values[free[0].name] = rest
    else:
        tokens = rest.split()
        while tokens:
            named = _named(command, tokens, values)
            values.update(named or _place_token(command, tokens.pop(0), values, dynamic))
    for p in command.params:
        if p.required and p.name not in values:
            raise UsageError(f"{mention(command.name)} needs {p.help}. Usage: {command.usage}")
    return ParsedCommand(command, values)


def _named(command: Command, tokens: list[str], taken: Mapping[str, str]) -> dict[str, str]:
    """Take a `word` parameter typed after its name (`remind on`) off `tokens`, if one is."""
    param = next(
        (
            p
            for p in command.params
            if p.word and p.name not in taken and p.name == tokens[0].lower()
        ),
        None,
    )
    if param is None:
        return {}
    tokens.pop(0)
    if tokens and tokens[0].lower() in param.choices:
        return {param.name: tokens.pop(0).lower()}
    if tokens and not any(p.pattern and re.fullmatch(p.pattern, tokens[0]) for p in command.params):
        raise UsageError(
            f"{param.name} takes {', '.join(param.choices)}, not {_quoted(tokens[0])}. "
            f"Usage: {command.usage}"
        )
    return {param.name: param.choices[-1]}


def _options(param: Param, dynamic: Callable[[str], Iterable[str]]) -> tuple[str, ...]:
    if param.choices:
        return param.choices
    return tuple(dynamic(param.dynamic)) if param.dynamic else ()


def _place_token(
    command: Command,
    token: str,
    taken: Mapping[str, str],
    dynamic: Callable[[str], Iterable[str]],
) -> dict[str, str]:
    lowered = token.lower()
    open_params = [p for p in command.params if p.name not in taken]
    for p in open_params:
        if lowered in _options(p, dynamic):
            return {p.name: lowered}
    for p in open_params:
        if p.pattern and re.fullmatch(p.pattern, token, re.IGNORECASE):
            return {p.name: token}
    if not command.params:
        raise UsageError(f"{mention(command.name)} takes no arguments. Usage: {command.usage}")
    if not open_params:
        raise UsageError(f"Too many arguments: {_quoted(token)}. Usage: {command.usage}")
    hints = []
    for p in open_params:
        options = _options(p, dynamic)
        if options:
            hints.append(f"{p.name}: {', '.join(options)}")
        elif p.pattern:
            hints.append(f"{p.name}: {p.help}")
    listed = (" Choices — " + "; ".join(hints) + ".") if hints else ""
    raise UsageError(f"I don't know {_quoted(token)} here. Usage: {command.usage}.{listed}")
