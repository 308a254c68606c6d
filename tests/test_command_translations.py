"""The command table's translations: complete, short enough, and command syntax left as is."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest

from bot.command_translations import LANGUAGES, group_summaries, param_helps, summaries
from bot.commands import COMMANDS, GROUP_SUMMARIES, Command, Param

MAX_DESCRIPTION = 100  # Discord's limit on a description and on each of its localizations

_SETTING = re.compile(r"[\w-]+=[\w:/+-]+")  # key=value, time=09:00, tz=Europe/Berlin
_COMMAND_NAME = re.compile(r"(?<!\S)/[\w-]+")  # /studybot


def _syntax(english: str, choices: tuple[str, ...] = ()) -> list[str]:
    """Return what a translation must keep of the English: settings, command names, choices."""
    kept = _SETTING.findall(english) + _COMMAND_NAME.findall(english)
    return kept + [c for c in choices if re.search(rf"\b{re.escape(c)}\b", english)]


def _check(english: str, translations: Mapping[str, str], choices: tuple[str, ...] = ()) -> None:
    assert set(translations) == set(LANGUAGES), f"{english!r}: languages {sorted(translations)}"
    for language, text in translations.items():
        where = f"{language} of {english!r}"
        assert text.strip() and text == text.strip(), f"{where} is empty or padded"
        assert len(text) <= MAX_DESCRIPTION, f"{where} is {len(text)} characters: {text!r}"
        assert text != english, f"{where} is not translated"
        for token in _syntax(english, choices):
            assert re.search(rf"(?<![\w=/-]){re.escape(token)}(?![\w=/-])", text), (
                f"{where} lost {token!r}: {text!r}"
            )


def _params() -> list[tuple[Command, Param]]:
    return [(c, p) for c in COMMANDS for p in c.params]


def _groups_without_bare_command() -> list[str]:
    names = {c.name for c in COMMANDS}
    return sorted({n.split(" ", 1)[0] for n in names if " " in n} - names)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_summary_is_translated(command: Command) -> None:
    _check(command.summary, summaries(command.name))


@pytest.mark.parametrize(
    ("command", "param"), _params(), ids=[f"{c.name}:{p.name}" for c, p in _params()]
)
def test_every_parameter_help_is_translated(command: Command, param: Param) -> None:
    _check(param.help, param_helps(command.name, param.name), param.choices)


def test_every_group_without_a_bare_command_has_a_translated_summary() -> None:
    groups = _groups_without_bare_command()
    assert "studybot" in groups
    for group in groups:
        _check(GROUP_SUMMARIES[group], group_summaries(group))


def test_the_check_catches_a_missing_language_and_lost_syntax() -> None:
    english = "key=value changes, e.g. days=mon-fri reveal=18:00"
    good = dict(param_helps("studybot settings", "changes"))
    _check(english, good)
    with pytest.raises(AssertionError, match="languages"):
        _check(english, {k: v for k, v in good.items() if k != "pt-BR"})
    with pytest.raises(AssertionError, match="lost 'days=mon-fri'"):
        _check(english, {**good, "de": "Änderungen als key=value, z. B. Tage=Mo-Fr reveal=18:00"})
    with pytest.raises(AssertionError, match="lost 'week'"):
        _check(
            "week, month or all time",
            {lang: "semaine, month, all" for lang in LANGUAGES},
            ("week", "month", "all"),
        )
    with pytest.raises(AssertionError, match="characters"):
        _check("Post today's question now", {lang: "x" * 101 for lang in LANGUAGES})
    assert summaries("no such command") == {}
