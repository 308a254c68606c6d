from __future__ import annotations

import pytest

from bot.commands import COMMANDS, UsageError, parse_command
from bot.markup import plain_text, user_name, user_text


def categories(kind: str) -> tuple[str, ...]:
    return ("nlp", "evaluation") if kind == "categories" else ()


def test_choices_in_any_order_and_free_text() -> None:
    parsed = parse_command("practice", "HARD nlp", categories)
    assert parsed.command.name == "practice"
    assert dict(parsed.args) == {"difficulty": "hard", "category": "nlp"}
    parsed = parse_command("/studybot", "settings time=09:00 tz=UTC", categories)
    assert parsed.command.name == "studybot settings"
    assert parsed.args == {"changes": "time=09:00 tz=UTC"}
    assert parse_command("answer", "  it is   spaced ", categories).args == {
        "text": "it is   spaced"
    }


def test_every_command_has_a_usage_line() -> None:
    assert all(c.usage.startswith("/") for c in COMMANDS)


def test_errors() -> None:
    with pytest.raises(UsageError, match="Did you mean /practice"):
        parse_command("pratice", "", categories)
    with pytest.raises(UsageError, match="needs your answer"):
        parse_command("practice", "answer", categories)


def test_user_text_is_inert() -> None:
    text = user_text("@everyone look *here* <@&42> <!channel> @Here")
    assert "@everyone" not in text and "@Here" not in text
    assert "<@" not in text and "<!" not in text
    assert r"\*here\*" in text
    assert plain_text(user_text("a *b* _c_")) == "a *b* _c_"
    assert user_name("  two\nlines  ") == "two lines"
    assert len(user_name("x" * 500)) <= 64
