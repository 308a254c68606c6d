"""Every command a reply names is one the member can type on the platform the reply is shown on.

Every reply of the core that names commands (help on each topic, the subcommand
list, settings, the parser's errors and usage lines, the hints of
`bot.messages`) is rendered by each platform's renderer, and every `/word` it
shows is checked against what that platform registers: for Slack the slash
commands of `deploy/slack-manifest.yaml` (and the subcommand words the Slack
adapter maps), for Discord the application commands of
`adapters.discord.commands`, for the console the core's table. Each command
reference is then followed through the platform's own way in (Slack's
`invocation`, Discord's `CommandTable.resolve`, the console's `command_line`)
to the core's parser, which must take it as the command the reply meant.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.console.translate import command_line
from adapters.console.translate import render as console_render
from adapters.console.translate import spell_command as console_spelling
from adapters.discord.commands import CommandTable
from adapters.discord.commands import spell_command as discord_spelling
from adapters.discord.render import render as discord_render
from adapters.slack.commands import spell_command as slack_spelling
from adapters.slack.events import invocation
from adapters.slack.render import escape, render_message
from bot import help_messages, messages, reminder_messages
from bot.command_refs import CommandRef, Spelling, references
from bot.commands import (
    COMMANDS,
    SubcommandNeeded,
    UsageError,
    find_command,
    group_commands,
    parse_command,
)
from bot.content.bank import QuestionBank
from bot.grading import grade
from bot.model import ChannelRef, Group, GroupSettings, MemberRef, Round, RoundStatus
from bot.practice import HOLD_BACK
from bot.replies import Reply
from bot.scoring import ScoringRules
from tests.conftest import REPO

MANIFEST = REPO / "deploy" / "slack-manifest.yaml"
# A `/word` in shown text: not part of a path, a URL or a time zone (`Europe/Paris`).
MENTION = re.compile(r"(?<![\w/.:&;-])/([a-z][a-z0-9-]*)(?:[ \t]+([a-z][a-z0-9_-]*(?::\S*)?))?")
PLACEHOLDER = re.compile(r"^[\[<][^\]>]*[\]>]$")
ACTOR = MemberRef("test", "u1", "Alice", can_manage=True)
PLACE = ChannelRef("test", "w1", "c1")


def categories(kind: str) -> tuple[str, ...]:
    return ("nlp", "evaluation", "algorithms") if kind == "categories" else ()


# --- What the core says -------------------------------------------------------------------


def _usage_errors() -> Iterator[Reply]:
    """Every kind of error the parser gives, for every command it can give it for."""
    lines = [("frobnicate", ""), ("leaderbord", ""), ("studybot", "explode")]
    for command in COMMANDS:
        top, _, sub = command.name.partition(" ")
        head = f"{sub} " if sub else ""
        lines += [(top, head + "zzz"), (top, head + "a b c d e f")]
        if any(p.required for p in command.params):
            lines.append((top, head.strip()))
    for name, args in lines:
        try:
            parse_command(name, args, categories)
        except SubcommandNeeded:
            raise
        except UsageError as exc:
            yield messages.error(str(exc))


def core_replies(bank: QuestionBank) -> Iterator[tuple[str, Reply]]:
    """Every reply of the core that names commands, with a label saying which it is."""
    rules = ScoringRules()
    for topic in ("commands", "admin", "scoring"):
        yield f"help {topic}", help_messages.help_reply(topic, COMMANDS, rules, HOLD_BACK)
    yield "studybot alone", help_messages.subcommands_reply("studybot")
    blocked = GroupSettings(blocked="I may not post here.", admins=("u2",))
    group = Group(1, PLACE, blocked)
    yield (
        "settings",
        help_messages.settings_reply(group, bank.categories, "Settings", date(2026, 11, 30)),
    )
    for i, reply in enumerate(_usage_errors()):
        yield f"usage error {i}", reply
    question = bank.questions[0]
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    round_ = Round(1, 1, date(2026, 11, 30), question.id, RoundStatus.OPEN, now)
    for reads in (True, False):
        yield f"round card {reads}", messages.round_card(question, round_, now, "UTC", reads)
    for due in (True, False):
        yield f"practice card {due}", messages.practice_card(question, due)
    coverage = grade(question.answer, question.key_points, question.prompt)
    later = now + timedelta(days=3)
    yield "practice result", messages.practice_result(question, coverage, later, "UTC")
    yield "posting stopped", messages.posting_stopped("c1", "I may not post here.")
    yield "thread unreadable", messages.thread_unreadable()
    yield "no practice question", messages.no_practice_question()
    yield "not set up", messages.not_set_up()
    for command in COMMANDS:
        if command.admin:
            yield f"admins only {command.name}", messages.admins_only(command.name)
    for kind in ("answer", "practice-answer"):
        yield f"form {kind}", messages.answer_form(1, kind)
    yield "reminder", reminder_messages.reminder(question, 1, later, now, "UTC", 3)
    for on in (True, False):
        yield f"remind {on}", reminder_messages.reminders_set(on, True)


def texts_of(reply: Reply) -> list[str]:
    """Return every text of a reply in the core's words (references unspelled)."""
    parts = [reply.text, reply.title or "", reply.footer or ""]
    parts += [t for f in reply.fields for t in (f.name, f.value)]
    if reply.form is not None:
        parts += [reply.form.title, *(i.label for i in reply.form.inputs)]
    return parts


# --- What each platform shows and registers -----------------------------------------------


def console_shown(reply: Reply) -> str:
    return console_render(reply, "general", "Alice")


def slack_shown(reply: Reply) -> str:
    shown: list[str] = []
    for message in render_message(reply):
        shown.append(message.text)
        for block in message.blocks:
            if isinstance(block.get("text"), dict):
                shown.append(block["text"]["text"])
            shown += [f["text"] for f in block.get("fields", [])]
            elements = block.get("elements", [])
            shown += [e["text"] for e in elements if isinstance(e.get("text"), str)]
    return "\n".join(shown)


def discord_shown(reply: Reply) -> str:
    shown: list[str] = []
    for part in discord_render(reply):
        shown.append(part.content or "")
        for embed in part.embeds:
            shown += [embed.title or "", embed.description or "", embed.footer.text or ""]
            shown += [t for f in embed.fields for t in (f.name or "", f.value or "")]
    return "\n".join(shown)


def _manifest_commands() -> set[str]:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return {c["command"].lstrip("/") for c in data["features"]["slash_commands"]}


def _discord_commands() -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in CommandTable().payloads()}


def _subcommands(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in payload.get("options", []) if o["type"] == 1}


def _words(text: str) -> str:
    """Return the words of a usage line without its placeholders."""
    return " ".join(w for w in text.split() if not PLACEHOLDER.match(w))


def _reaches_core(name: str, args: str, ref: CommandRef) -> None:
    """Check that a command line as a platform hands it to the core is the command `ref` means."""
    if ref.name not in {c.name for c in COMMANDS}:  # a group named alone: it lists its commands
        with pytest.raises(SubcommandNeeded):
            find_command(name, args)
        return
    if ref.usage or not ref.args:  # the command itself, not a line to run as it stands
        command, rest = find_command(name, _words(args))
        assert command.name == ref.name and not rest, (name, args)
    else:
        assert parse_command(name, args, categories).command.name == ref.name, (name, args)


def check_console(ref: CommandRef, spelled: str) -> None:
    name, args = command_line(spelled)
    _reaches_core(name, args, ref)


def check_slack(ref: CommandRef, spelled: str) -> None:
    top, _, text = spelled.removeprefix("/").partition(" ")
    assert top in _manifest_commands(), f"/{top} is not a slash command of the Slack app"
    called = invocation(f"/{top}", escape(text), ACTOR, PLACE)  # Slack sends `<` as `&lt;`
    _reaches_core(called.command, called.args, ref)


def _discord_options(words: list[str]) -> list[tuple[str, str]]:
    """Return the `name:value` options of a Discord command line (values may hold spaces)."""
    options: list[tuple[str, str]] = []
    for word in words:
        found = re.fullmatch(r"([a-z_]+):(.*)", word)
        if found:
            options.append((found.group(1), found.group(2)))
        else:
            assert options, f"{word!r} is not an option"
            options[-1] = (options[-1][0], f"{options[-1][1]} {word}")
    return options


def check_discord(ref: CommandRef, spelled: str) -> None:
    top, *words = spelled.removeprefix("/").split()
    registered = _discord_commands()
    assert top in registered, f"/{top} is not an application command"
    payload: dict[str, Any] = registered[top]
    data: dict[str, Any] = {"name": top}
    subs = _subcommands(payload)
    target: dict[str, Any] = data
    if subs:
        if ref.name not in {c.name for c in COMMANDS}:  # a group named alone
            assert not words and group_commands(top)
            return
        assert words and words[0] in subs, f"/{top} needs one of {sorted(subs)}: {spelled}"
        payload = subs[words[0]]
        target = {"type": 1, "name": words.pop(0)}
        data["options"] = [target]
    declared = {o["name"]: o for o in payload.get("options", [])}
    if ref.usage:
        for word in words:
            assert PLACEHOLDER.match(word) and word[1:-1] in declared, (spelled, word)
            assert declared[word[1:-1]]["required"] == word.startswith("<"), (spelled, word)
        return
    given = _discord_options(words)
    for option, value in given:
        assert option in declared, f"{option} is not an option of {spelled}"
        choices = [c["value"] for c in declared[option].get("choices", [])]
        assert not choices or value in choices, (spelled, value)
    target["options"] = [{"type": 3, "name": o, "value": v} for o, v in given]
    call = CommandTable().resolve(data)
    assert call is not None and call.command.name == ref.name, spelled
    if given:  # a line to run as it stands (else it names the command)
        assert parse_command(call.command.name, call.args, categories).command == call.command


def mention_console(top: str, following: str | None) -> None:
    assert top in {c.name.split(" ", 1)[0] for c in COMMANDS}, f"/{top} is not a command"


def mention_slack(top: str, following: str | None) -> None:
    assert top in _manifest_commands(), f"/{top} is not a slash command of the Slack app"


def mention_discord(top: str, following: str | None) -> None:
    registered = _discord_commands()
    assert top in registered, f"/{top} is not an application command"
    subs = _subcommands(registered[top])
    if "new" in subs:  # the group has a command of its own name: which one is meant?
        assert following in subs, f"/{top} {following or ''}: Discord needs one of {sorted(subs)}"
    elif not subs and following and ":" in following:
        options = {o["name"] for o in registered[top].get("options", [])}
        assert following.split(":", 1)[0] in options, f"/{top} {following}"


@dataclass(frozen=True)
class Platform:
    name: str
    shown: Callable[[Reply], str]
    spelling: Spelling
    check_reference: Callable[[CommandRef, str], None]
    check_mention: Callable[[str, str | None], None]


PLATFORMS = [
    Platform("console", console_shown, console_spelling, check_console, mention_console),
    Platform("slack", slack_shown, slack_spelling, check_slack, mention_slack),
    Platform("discord", discord_shown, discord_spelling, check_discord, mention_discord),
]


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_every_command_a_reply_shows_is_registered_on_its_platform(
    platform: Platform, fixture_bank: QuestionBank
) -> None:
    mentions = 0
    for label, reply in core_replies(fixture_bank):
        shown = platform.shown(reply)
        for found in MENTION.finditer(shown):
            mentions += 1
            try:
                platform.check_mention(found.group(1), found.group(2))
            except AssertionError as exc:
                raise AssertionError(f"{platform.name}, {label}: {exc}\n{shown}") from exc
    assert mentions > 50


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_every_command_reference_reaches_the_command_it_names(
    platform: Platform, fixture_bank: QuestionBank
) -> None:
    refs = [
        (label, ref)
        for label, reply in core_replies(fixture_bank)
        for text in texts_of(reply)
        for ref in references(text)
    ]
    assert {ref.name for _, ref in refs} >= {c.name for c in COMMANDS}
    for label, ref in refs:
        spelled = platform.spelling(ref)
        try:
            platform.check_reference(ref, spelled)
        except (AssertionError, UsageError) as exc:
            raise AssertionError(f"{platform.name}, {label}: {spelled!r}: {exc}") from exc


def test_help_names_commands_as_each_platform_registers_them() -> None:
    help_text = help_messages.help_reply("commands", COMMANDS, ScoringRules(), HOLD_BACK)
    assert "`/studybot help scoring` explains points" in slack_shown(help_text)
    assert "`/help topic:scoring` explains points" in discord_shown(help_text)
    assert "`/help scoring` explains points" in console_shown(help_text)
    assert "`/practice new [category] [difficulty]`" in discord_shown(help_text)
    hint = messages.no_practice_question()
    assert "Get one with /practice new." in discord_shown(hint)
    assert "Get one with /practice." in slack_shown(hint)


# --- No command named in plain words ------------------------------------------------------

_TOPS = sorted({c.name.split(" ", 1)[0] for c in COMMANDS})
_RAW = re.compile(r"(?<![\w/.:&;-])/(" + "|".join(_TOPS) + r")\b")


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _raw_mentions(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in docs:
            continue
        text = node.value
        if isinstance(text, str) and _RAW.search(text):
            yield f"{path.relative_to(REPO)}:{node.lineno}: {text.strip()[:80]}"


def test_the_core_names_no_command_in_plain_words() -> None:
    """A `/command` written into the core's text would read wrong on some platform."""
    found = [m for path in sorted((REPO / "bot").rglob("*.py")) for m in _raw_mentions(path)]
    assert found == []
