"""The weekly recap's figures: who is named, how ties are broken, what counts as hardest."""

from __future__ import annotations

from datetime import date

from bot.markup import user_name
from bot.recap_figures import recap_figures, week_start
from bot.recap_messages import recap_card
from bot.records import RecapAnswer, Standing

MONDAY = date(2026, 12, 7)
BEFORE = date(2026, 11, 30)


def answer(
    round_id: int, day: date, member: int, name: str, coverage: float, votes: int = 0
) -> RecapAnswer:
    return RecapAnswer(round_id, day, f"q{round_id}", f"m{round_id}", member, name, coverage, votes)


def test_week_start_reads_a_leaderboard_key() -> None:
    assert week_start("w2026-50") == MONDAY
    assert week_start("w2026-53") == date(2026, 12, 28)
    assert week_start("w2027-01") == date(2027, 1, 4)


def test_most_improved_is_the_largest_rise_among_members_of_both_weeks_ties_by_name() -> None:
    before = [
        answer(1, BEFORE, 1, "zed", 0.2),
        answer(1, BEFORE, 2, "Amy", 0.5),
        answer(1, BEFORE, 3, "Cy", 0.9),
    ]
    week = [
        answer(2, MONDAY, 1, "zed", 0.6),  # +0.4
        answer(2, MONDAY, 2, "Amy", 0.9),  # +0.4: the same rise, first by name
        answer(2, MONDAY, 3, "Cy", 0.1),  # fell: never named
        answer(2, MONDAY, 4, "New", 1.0),  # not in the week before
    ]
    recap = recap_figures(MONDAY, [], week, before)
    assert recap.improved is not None
    assert (recap.improved.name, recap.improved.before) == ("Amy", 0.5)
    assert recap.members == 4


def test_nobody_is_most_improved_or_most_helpful_without_a_rise_or_a_vote() -> None:
    before = [answer(1, BEFORE, 1, "Ann", 0.8)]
    week = [answer(2, MONDAY, 1, "Ann", 0.8), answer(2, MONDAY, 2, "Bo", 0.1)]
    recap = recap_figures(MONDAY, [], week, before)
    assert recap.improved is None and recap.helpful is None


def test_most_helpful_sums_votes_over_the_week_ties_by_name_then_id() -> None:
    week = [
        answer(2, MONDAY, 5, "Bo", 0.5, votes=1),
        answer(3, date(2026, 12, 9), 5, "Bo", 0.5, votes=2),
        answer(3, date(2026, 12, 9), 4, "Bo", 0.5, votes=3),  # another Bo, a smaller id
        answer(3, date(2026, 12, 9), 6, "Al", 0.5, votes=2),
    ]
    helpful = recap_figures(MONDAY, [], week, []).helpful
    assert helpful is not None and (helpful.name, helpful.figure) == ("Bo", 3)
    # Three members with 3 votes each, two called Bo and one bo: the name (any case), then id.
    tied = [*week[:3], answer(4, MONDAY, 1, "bo", 0.1, votes=3)]
    helpful = recap_figures(MONDAY, [], tied, []).helpful
    assert helpful is not None and (helpful.name, helpful.figure) == ("bo", 3)


def test_the_hardest_question_needs_two_answers_and_ties_go_to_the_earlier_day() -> None:
    week = [
        answer(2, MONDAY, 1, "A", 0.0),  # one answer only: not counted
        answer(3, date(2026, 12, 9), 1, "A", 0.2),
        answer(3, date(2026, 12, 9), 2, "B", 0.4),
        answer(4, date(2026, 12, 8), 1, "A", 0.3),
        answer(4, date(2026, 12, 8), 2, "B", 0.3),
    ]
    hardest = recap_figures(MONDAY, [], week, []).hardest
    assert hardest is not None
    assert (hardest.round_id, hardest.local_date, hardest.answers) == (4, date(2026, 12, 8), 2)
    assert recap_figures(MONDAY, [], week[:1], []).hardest is None


def test_the_card_shows_names_inert_and_no_one_for_doing_badly() -> None:
    sly = "**@everyone** <@123>"
    week = [
        answer(2, MONDAY, 1, sly, 0.9, votes=2),
        answer(2, MONDAY, 2, "Last Place", 0.0),
    ]
    top = [Standing(1, 1, sly, 40), Standing(2, 2, "Last Place", 10)]
    card = recap_card(3, "w2026-50", recap_figures(MONDAY, top, week, []), None)
    shown = "\n".join(f.value for f in card.fields)
    assert sly not in shown and user_name(sly) in shown
    assert "@everyone" not in shown.replace("@\u200beveryone", "")
    assert card.key == "recap-3-w2026-50" and card.title is not None and "2026-W50" in card.title
    assert [f.name for f in card.fields] == ["Top three", "Most helpful"]


def test_the_recap_button_names_its_groups_week_only() -> None:
    from bot.recap_messages import recap_board_week

    assert recap_board_week("3-w2026-49", 3) == "2026-W49"
    assert recap_board_week("3-w2026-49", 4) is None  # another group's recap
    assert recap_board_week("3-2026-49x", 3) is None
    assert recap_board_week("", 3) is None
