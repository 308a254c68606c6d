from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.command_refs import CommandRef, references, spell
from bot.commands import COMMANDS, UsageError, parse_command
from bot.markup import answer_body, plain_text, user_name, user_text, visible_name


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
    for c in COMMANDS:  # a reference each platform spells; the console's reads as before
        assert references(c.usage) == [CommandRef(c.name, c.placeholders, usage=True)]
        assert spell(c.usage, lambda ref: ref.typed).startswith(f"/{c.name}")
    practice = spell(COMMANDS[1].usage, lambda ref: ref.typed)
    assert practice == "/practice [category] [easy|medium|hard]"


def test_errors() -> None:
    with pytest.raises(UsageError) as raised:
        parse_command("pratice", "", categories)
    assert "Did you mean /practice?" in spell(str(raised.value), lambda ref: ref.typed)
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


def test_names_lose_hidden_characters_and_keep_what_a_reader_sees() -> None:
    assert visible_name("Eve\u202egnp.exe") == "Evegnp.exe"  # no right-to-left override
    assert visible_name("Zed\u200b\u200c\ufeff\u2066x\u2069") == "Zedx"  # zero-width, isolates
    assert visible_name("Nul\x00l") == "Null"
    assert visible_name("line\u2028two\u2029three") == "line two three"
    assert visible_name("👩\u200d💻 Dev") == "👩\u200d💻 Dev"  # an emoji's joiner stays
    assert visible_name("a\u200db") == "ab"  # elsewhere it goes
    assert visible_name('Zoë "Z" O\'Neil') == 'Zoë "Z" O\'Neil'
    assert user_name("\u202e\u200b") == "someone"


def test_an_answer_keeps_its_lines_and_loses_control_characters() -> None:
    assert answer_body("  first\n\tsecond\x00\x07  ") == "first\n\tsecond"


def test_only_commands_that_show_are_repeatable_and_no_admin_command_is() -> None:
    from bot.commands import COMMANDS, is_repeatable

    assert {c.name for c in COMMANDS if c.repeatable} == {"hint", "leaderboard", "stats", "help"}
    assert not any(c.repeatable for c in COMMANDS if c.admin)
    assert is_repeatable("leaderboard", "week public")
    assert not is_repeatable("practice", "nlp")
    assert not is_repeatable("studybot", "")  # a subcommand is needed: not known, so guarded
    assert not is_repeatable("nonsense", "")


_ZWSP = "\u200b"
# Text as members type it: any characters but the controls user_text drops, and no
# zero-width space (user_text inserts that one to break mentions).
_typed = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters=_ZWSP).filter(
        lambda c: not (c < " " and c not in "\t\n") and c != "\x7f"
    ),
    max_size=80,
)
_QUICK = settings(max_examples=200, deadline=None)


def _shown(markdown: str) -> str:
    """What a reader sees of user text: its escapes read, mention breakers removed."""
    return plain_text(markdown).replace(_ZWSP, "")


@_QUICK
@given(_typed)
def test_user_text_keeps_all_the_text_a_member_typed(text: str) -> None:
    assert _shown(user_text(text)) == text


@_QUICK
@given(_typed, st.integers(2, 100))
def test_user_text_keeps_within_its_limit_and_whole_text_when_it_fits(
    text: str, limit: int
) -> None:
    shown = _shown(user_text(text, limit=limit))
    assert len(shown) <= limit
    if len(text) <= limit:
        assert shown == text
    else:
        assert shown.endswith("…") and text.startswith(shown[:-1])


@_QUICK
@given(_typed, st.lists(st.sampled_from("\x00\x07\x1b\x7f\x0b"), min_size=1), st.data())
def test_user_text_drops_control_characters_and_nothing_else(
    text: str, controls: list[str], data: st.DataObject
) -> None:
    mixed = text
    for control in controls:
        at = data.draw(st.integers(0, len(mixed)))
        mixed = mixed[:at] + control + mixed[at:]
    assert user_text(mixed) == user_text(text)


def test_user_text_cuts_a_long_text_to_its_limit_with_an_ellipsis() -> None:
    assert user_text("a" * 100, limit=10) == "a" * 9 + "…"
    assert user_text("a" * 10, limit=10) == "a" * 10  # exactly at the limit: kept whole
    assert user_text("hello world and more", limit=7) == "hello…"  # no space before the …
    assert user_text("  indented text goes on", limit=8) == "  inden…"  # leading space kept


def test_mentions_are_broken_by_a_zero_width_space_only() -> None:
    assert user_text("@everyone") == "@" + _ZWSP + "everyone"
    assert user_text("<@123") == "<" + _ZWSP + "@123"


def test_an_emoji_joiner_stays_only_between_two_symbols() -> None:
    assert visible_name("👩\u200d💻") == "👩\u200d💻"  # the joiner just before the last character
    assert visible_name("\u200d😀😀") == "😀😀"  # first: nothing before it
    assert visible_name("😀😀\u200d") == "😀😀"  # last: nothing after it
    assert visible_name("a\u200d😀") == "a😀"  # a letter before it
    assert visible_name("😀\u200da") == "😀a"  # a letter after it
