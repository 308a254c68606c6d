"""Naming a leaderboard's period: `last`, `2026-W49`, `W49`, `2026-11`, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from bot.command_refs import spell
from bot.commands import parse_command
from bot.periods import (
    BoardPeriod,
    PeriodError,
    board_period,
    category_name,
    in_category,
    page_number,
    page_value,
    period_days,
    split_page_value,
    split_value,
)

TODAY = date(2026, 12, 9)  # a Wednesday of week 2026-W50


def _console(text: str) -> str:
    return spell(text, lambda ref: ref.typed)


@pytest.mark.parametrize(
    ("period", "when", "key", "title", "value"),
    [
        (None, None, "w2026-50", "this week", "week"),
        ("month", None, "m2026-12", "this month", "month"),
        ("all", None, "all", "all time", "all"),
        ("week", "last", "w2026-49", "week 2026-W49 (30 Nov – 6 Dec 2026, final)", "week 2026-W49"),
        (None, "LAST", "w2026-49", "week 2026-W49 (30 Nov – 6 Dec 2026, final)", "week 2026-W49"),
        ("month", "last", "m2026-11", "November 2026 (final)", "month 2026-11"),
        (
            "week",
            "2026-W49",
            "w2026-49",
            "week 2026-W49 (30 Nov – 6 Dec 2026, final)",
            "week 2026-W49",
        ),
        (
            "week",
            "2026w01",
            "w2026-01",
            "week 2026-W01 (29 Dec 2025 – 4 Jan 2026, final)",
            "week 2026-W01",
        ),
        (None, "w49", "w2026-49", "week 2026-W49 (30 Nov – 6 Dec 2026, final)", "week 2026-W49"),
        (None, "W51", "w2025-51", "week 2025-W51 (15 Dec – 21 Dec 2025, final)", "week 2025-W51"),
        (
            None,
            "2020-W53",
            "w2020-53",
            "week 2020-W53 (28 Dec 2020 – 3 Jan 2021, final)",
            "week 2020-W53",
        ),
        (None, "2026-11", "m2026-11", "November 2026 (final)", "month 2026-11"),
        ("month", "2025-2", "m2025-02", "February 2025 (final)", "month 2025-02"),
        # the current period by name is the current board
        ("week", "2026-W50", "w2026-50", "this week", "week"),
        (None, "w50", "w2026-50", "this week", "week"),
        ("month", "2026-12", "m2026-12", "this month", "month"),
    ],
)
def test_a_named_period_is_its_board(
    period: str | None, when: str | None, key: str, title: str, value: str
) -> None:
    board = board_period(period, when, TODAY)
    assert (board.key, board.title, board.value) == (key, title, value)
    assert board.closed is (title.endswith("final)"))
    assert split_value(board.value)[0] == board.period
    again = board_period(*split_value(board.value)[:2], TODAY)  # the Share button names it again
    assert again == board


def test_last_is_relative_to_the_local_date() -> None:
    assert board_period("week", "last", date(2026, 12, 7)).key == "w2026-49"  # a Monday
    assert board_period("week", "last", date(2026, 12, 6)).key == "w2026-48"  # the Sunday before
    assert board_period("month", "last", date(2026, 1, 1)).key == "m2025-12"
    assert board_period("week", "last", date(2027, 1, 4)).key == "w2026-53"  # 2026 has 53 weeks


@pytest.mark.parametrize(
    ("period", "when", "says"),
    [
        ("week", "2026-W54", "2026 has no week 54: its weeks are W01 to W53."),
        ("week", "2025-W53", "2025 has no week 53: its weeks are W01 to W52."),
        ("week", "2026-W00", "2026 has no week 0: its weeks are W01 to W53."),
        ("month", "2026-13", "There is no month 13: months are 01 to 12."),
        ("month", "2026-00", "There is no month 0: months are 01 to 12."),
        ("week", "2026-W51", "Week 2026-W51 has not begun: it starts on Mon 14 Dec."),
        (None, "2027-W01", "Week 2027-W01 has not begun: it starts on Mon 4 Jan."),
        ("month", "2027-01", "January 2027 has not begun: it starts on Fri 1 Jan."),
        ("week", "0000-W01", "There is no week in the year 0000."),
        (
            "all",
            "last",
            "All time has no past: try /leaderboard week last or /leaderboard month last.",
        ),
        ("all", "2026-11", "All time has no past periods: try /leaderboard month 2026-11."),
        ("week", "2026-11", "'2026-11' is a month, not a week: try /leaderboard month 2026-11."),
        ("month", "2026-W49", "'2026-W49' is a week, not a month: try /leaderboard week 2026-W49."),
        (
            "week",
            "yesterday",
            "I don't know the period 'yesterday': try last, a week such as "
            "2026-W49, or a month such as 2026-11.",
        ),
        (
            "week",
            "*bold* @everyone",
            "I don't know the period '\\*bold\\* @\u200beveryone': try "
            "last, a week such as 2026-W49, or a month such as 2026-11.",
        ),
        ("fortnight", None, "There is no leaderboard 'fortnight': try week, month or all."),
    ],
)
def test_what_names_no_board_is_said_clearly(period: str | None, when: str, says: str) -> None:
    with pytest.raises(PeriodError) as refused:
        board_period(period, when, TODAY)
    assert _console(str(refused.value)) == says


@pytest.mark.parametrize(
    "word", ["last", "Last", "2026-W49", "2026w49", "w7", "W52", "2026-11", "2026-1"]
)
def test_the_command_table_takes_a_period_name_in_any_position(word: str) -> None:
    assert dict(parse_command("leaderboard", f"{word} month public").args) == {
        "period": "month",
        "when": word,
        "share": "public",
    }
    assert dict(parse_command("leaderboard", f"public {word}").args) == {
        "when": word,
        "share": "public",
    }


def test_a_word_of_no_period_shape_is_refused_by_the_parser() -> None:
    for line in ("week yesterday", "week 2026-W49 2026-11", "2026/11", "w", "2026-W123"):
        with pytest.raises(ValueError, match=r"I don't know|Too many"):
            parse_command("leaderboard", line)


def test_a_board_period_is_a_plain_value() -> None:
    assert BoardPeriod("week", "w2026-50", "this week", "week") == board_period(None, None, TODAY)


@pytest.mark.parametrize(
    ("key", "days"),
    [
        ("w2026-49", ("2026-11-30", "2026-12-06")),
        ("w2026-53", ("2026-12-28", "2027-01-03")),
        ("w2027-01", ("2027-01-04", "2027-01-10")),
        ("m2026-12", ("2026-12-01", "2026-12-31")),
        ("m2028-02", ("2028-02-01", "2028-02-29")),
        ("all", None),
    ],
)
def test_a_board_key_names_its_local_days(key: str, days: tuple[str, str] | None) -> None:
    assert period_days(key) == days


def test_page_numbers_and_the_paging_buttons_values() -> None:
    assert [page_number(w) for w in (None, "", "2", "page=3", "PAGE=12")] == [1, 1, 2, 3, 12]
    with pytest.raises(PeriodError, match="Pages start at 1"):
        page_number("page=0")
    with pytest.raises(PeriodError, match="is not a page"):
        page_number("page=-1")
    past = board_period("week", "last", TODAY)
    assert page_value(past, 2) == "week 2026-W49 page=2"
    assert split_page_value(page_value(past, 2)) == ("week", "2026-W49", None, "2")
    now = board_period("all", None, TODAY)
    assert split_page_value(page_value(now, 5)) == ("all", None, None, "5")
    assert parse_command("leaderboard", "week last page=2").args["page"] == "page=2"
    assert parse_command("leaderboard", "7 all").args == {"page": "7", "period": "all"}


def test_a_category_board_is_named_again_with_its_period_and_page() -> None:
    past = in_category(board_period("week", "last", TODAY), "nlp", "NLP")
    assert (past.key, past.title, past.value, past.category) == (
        "w2026-49/nlp",
        "NLP · week 2026-W49 (30 Nov – 6 Dec 2026, final)",
        "week 2026-W49 category=nlp",
        "nlp",
    )
    assert split_value(past.value) == ("week", "2026-W49", "category=nlp")
    assert split_page_value(page_value(past, 3)) == ("week", "2026-W49", "category=nlp", "3")
    now = in_category(board_period("all", None, TODAY), "ml-fundamentals", "ML")
    assert (now.key, now.value) == ("all/ml-fundamentals", "all category=ml-fundamentals")
    assert split_page_value(page_value(now, 2)) == ("all", None, "category=ml-fundamentals", "2")
    assert split_value("") == ("", None, None)
    assert [category_name(w) for w in ("category=NLP", " nlp ", "CATEGORY=data", "category=")] == [
        "nlp",
        "nlp",
        "data",
        "",
    ]
    for args in (
        "month 2026-11 category=ml-fundamentals",
        "category=ml-fundamentals 2026-11 month",
    ):
        parsed = parse_command("leaderboard", args).args
        assert parsed == {
            "period": "month",
            "when": "2026-11",
            "category": "category=ml-fundamentals",
        }
    parsed = parse_command("leaderboard", "all nlp page=2", lambda kind: ("nlp", "evaluation"))
    assert parsed.args == {"period": "all", "category": "nlp", "page": "page=2"}
