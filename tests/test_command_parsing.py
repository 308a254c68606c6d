"""Parsing what members type into commands, and what they are told when it cannot be used."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.command_refs import spell
from bot.commands import (
    COMMANDS,
    Command,
    Param,
    SubcommandNeeded,
    UsageError,
    find_command,
    group_commands,
    parse_command,
)

TOPS = (
    "/answer, /appeal, /away, /help, /hint, /leaderboard, /practice, /remind, /review, /stats, "
    "/studybot"
)


def categories(kind: str) -> Iterable[str]:
    return ("nlp", "evaluation") if kind == "categories" else ()


def _refused(name: str, args: str) -> str:
    """Return the message a member sees for a command that cannot be used (as typed)."""
    with pytest.raises(UsageError) as caught:
        parse_command(name, args, categories)
    return spell(str(caught.value), lambda ref: ref.typed)


@pytest.mark.parametrize(
    ("name", "args", "says"),
    [
        (
            "pratice",
            "",
            f"There is no command called 'pratice'. Did you mean /practice? Commands: {TOPS}. "
            "/help explains them.",
        ),
        (
            "ldr",
            "",
            f"There is no command called 'ldr'. Did you mean /leaderboard? Commands: {TOPS}. "
            "/help explains them.",
        ),
        (
            "Xhint",
            "",
            f"There is no command called 'xhint'. Did you mean /hint? Commands: {TOPS}. "
            "/help explains them.",
        ),
        (
            "x" * 80,
            "",
            f"There is no command called '{'x' * 39}…'. Commands: {TOPS}. /help explains them.",
        ),
        (
            "practice",
            "z" * 80,
            f"I don't know '{'z' * 39}…' here. Usage: /practice [category] [easy|medium|hard]. "
            "Choices — category: nlp, evaluation; difficulty: easy, medium, hard.",
        ),
        (
            "zzzzqq",
            "",
            f"There is no command called 'zzzzqq'. Commands: {TOPS}. /help explains them.",
        ),
        (
            "studybot",
            "bogus now",
            "'bogus' is not a subcommand of /studybot. Try: /studybot setup, /studybot settings, "
            "/studybot pause, /studybot resume, /studybot skip, /studybot post-now, "
            "/studybot reveal, /studybot appeals, /studybot regrade, /studybot question-stats.",
        ),
        ("stats", "x", "/stats takes no arguments. Usage: /stats"),
        ("hint", "x y", "/hint takes no arguments. Usage: /hint"),
        (
            "practice",
            "nlp hard extra",
            "Too many arguments: 'extra'. Usage: /practice [category] [easy|medium|hard]",
        ),
        (
            "leaderboard",
            "public public",
            "I don't know 'public' here. Usage: /leaderboard [week|month|all] [when] [public] "
            "[page] [category] [chart]. Choices — period: week, month, all; when: last, or a "
            "week or month by name, e.g. 2026-W49 or 2026-11; page: which ten, e.g. page=2; "
            "category: nlp, evaluation; chart: chart.",
        ),
        (
            "leaderboard",
            "nope",
            "I don't know 'nope' here. Usage: /leaderboard [week|month|all] [when] [public] "
            "[page] [category] [chart]. Choices — period: week, month, all; when: last, or a "
            "week or month by name, e.g. 2026-W49 or 2026-11; share: public; page: which ten, "
            "e.g. page=2; category: nlp, evaluation; chart: chart.",
        ),
        (
            "practice",
            "astro",
            "I don't know 'astro' here. Usage: /practice [category] [easy|medium|hard]. "
            "Choices — category: nlp, evaluation; difficulty: easy, medium, hard.",
        ),
        (
            "practice answer",
            "",
            "/practice answer needs your answer. Usage: /practice answer <text>",
        ),
        (
            "practice",
            "answer",
            "/practice answer needs your answer. Usage: /practice answer <text>",
        ),
    ],
)
def test_what_cannot_be_used_is_said_with_what_would_work(name: str, args: str, says: str) -> None:
    assert _refused(name, args) == says


def test_a_word_where_no_choice_is_left_gets_the_usage_alone() -> None:
    with pytest.raises(UsageError) as caught:
        parse_command("practice", "hard zzz")  # a bank without categories
    assert spell(str(caught.value), lambda ref: ref.typed) == (
        "I don't know 'zzz' here. Usage: /practice [category] [easy|medium|hard]."
    )


def test_a_group_without_a_subcommand_asks_for_one() -> None:
    with pytest.raises(SubcommandNeeded) as caught:
        parse_command("/studybot", "   ")
    assert caught.value.group == "studybot"
    assert spell(str(caught.value), lambda ref: ref.typed) == "/studybot needs a subcommand."


def test_names_and_subcommands_are_read_in_any_case_with_or_without_a_slash() -> None:
    command, rest = find_command(" /Studybot ", "  SETTINGS   time=09:00  ")
    assert (command.name, rest) == ("studybot settings", "time=09:00")
    command, rest = find_command("PRACTICE", " Reveal ")
    assert (command.name, rest) == ("practice reveal", "")
    command, rest = find_command("practice", " nlp hard ")
    assert (command.name, rest) == ("practice", "nlp hard")


def test_arguments_fill_the_parameters_their_words_belong_to() -> None:
    parsed = parse_command("leaderboard", "Public MONTH")
    assert dict(parsed.args) == {"share": "public", "period": "month"}
    parsed = parse_command("leaderboard", "week last chart page=2")
    assert dict(parsed.args) == {
        "period": "week",
        "when": "last",
        "chart": "chart",
        "page": "page=2",
    }
    assert dict(parse_command("leaderboard", "").args) == {}
    assert dict(parse_command("practice", "Evaluation", categories).args) == {
        "category": "evaluation"
    }
    assert dict(parse_command("help", "admin").args) == {"topic": "admin"}
    assert dict(parse_command("answer", "").args) == {}  # the form opens
    parsed = parse_command("practice answer", "  a  b ")
    assert (parsed.command.name, dict(parsed.args)) == ("practice answer", {"text": "a  b"})


@pytest.mark.parametrize(
    ("args", "given"),
    [
        ("", {}),  # plain /review: the reviews due
        ("remind", {"remind": "status"}),
        ("remind on 18:30", {"remind": "on", "at": "18:30"}),
        ("Remind OFF", {"remind": "off"}),
        ("remind 18:30", {"remind": "status", "at": "18:30"}),  # the use-case refuses the time
        ("on 08:00", {"remind": "on", "at": "08:00"}),  # as Discord's options arrive
    ],
)
def test_a_word_parameter_is_read_after_its_name(args: str, given: dict[str, str]) -> None:
    assert dict(parse_command("review", args).args) == given


def test_a_word_parameter_with_a_word_that_is_none_of_its_choices_is_refused() -> None:
    assert _refused("review", "remind maybe") == (
        "remind takes on, off, status, not 'maybe'. Usage: /review [remind] [at]"
    )
    assert _refused("review", "remind on 18:30 later").startswith("Too many arguments: 'later'")


def test_only_a_dynamic_parameter_asks_for_its_choices() -> None:
    asked: list[str] = []

    def dynamic(kind: str) -> Iterable[str]:
        asked.append(kind)
        return categories(kind)

    parse_command("leaderboard", "week", dynamic)
    assert asked == []
    parse_command("practice", "nlp", dynamic)
    assert asked == ["categories"]


def test_usage_lines_show_choices_and_what_is_required() -> None:
    placeholders = {c.name: c.placeholders for c in COMMANDS}
    assert placeholders["practice"] == "[category] [easy|medium|hard]"
    assert placeholders["practice answer"] == "<text>"
    assert (
        placeholders["leaderboard"] == "[week|month|all] [when] [public] [page] [category] [chart]"
    )
    assert placeholders["stats"] == ""
    assert placeholders["review"] == "[remind] [at]"  # a word parameter: typed by its name
    many = Command("pick", "", (Param("size", "", choices=("a", "b", "c", "d", "e")),))
    assert many.placeholders == "[size]"  # more than four choices: the name
    four = Command("pick", "", (Param("size", "", choices=("a", "b", "c", "d"), required=True),))
    assert four.placeholders == "<a|b|c|d>"


def test_a_group_lists_its_subcommands_in_the_table_order() -> None:
    assert [c.name for c in group_commands("studybot")] == [
        "studybot setup",
        "studybot settings",
        "studybot pause",
        "studybot resume",
        "studybot skip",
        "studybot post-now",
        "studybot reveal",
        "studybot appeals",
        "studybot regrade",
        "studybot question-stats",
    ]
    assert [c.name for c in group_commands("practice")] == ["practice answer", "practice reveal"]
    assert all(c.admin for c in group_commands("studybot"))
    assert not any(c.admin for c in COMMANDS if not c.name.startswith("studybot "))


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_free_text_is_kept_as_typed_less_the_outer_spaces(text: str) -> None:
    parsed = parse_command("answer", text)
    word = text.strip()
    assert dict(parsed.args) == ({"text": word} if word else {})


def test_the_groups_of_subcommands_are_the_first_words_of_the_table() -> None:
    from bot.commands import _subcommands_by_top  # run once at import, so called here

    assert _subcommands_by_top() == {
        "practice": ("answer", "reveal"),
        "studybot": (
            "setup",
            "settings",
            "pause",
            "resume",
            "skip",
            "post-now",
            "reveal",
            "appeals",
            "regrade",
            "question-stats",
        ),
    }
