from __future__ import annotations

from datetime import date

import pytest

from bot.records import MemberStats
from bot.scoring import (
    HELPFUL,
    ScoringRules,
    current_streak,
    is_helpful,
    next_stats,
    period_key,
    periods_of,
    round_points,
)


def test_points_parts() -> None:
    rules = ScoringRules()
    assert round_points(1.0, 1, rules).total == 30
    assert round_points(0.5, 1, rules).total == 20
    assert round_points(0.0, 3, rules).streak == 4
    assert round_points(0.0, 50, rules).streak == rules.streak_bonus_cap


def test_the_streak_bonus_is_2_a_round_beyond_the_first_and_at_most_10() -> None:
    # The README: "a streak bonus of 2 per consecutive answered round beyond the first
    # (at most 10)"; 2 more votes' worth each, "at most 10".
    bonuses = [round_points(0.0, streak, ScoringRules()).streak for streak in range(1, 9)]
    assert bonuses == [0, 2, 4, 6, 8, 10, 10, 10]
    assert round_points(0.0, 365, ScoringRules()).streak == 10


def test_helpful_votes_are_2_points_each_and_at_most_10() -> None:
    helpful = [round_points(0.0, 1, ScoringRules(), votes).helpful for votes in range(8)]
    assert helpful == [0, 2, 4, 6, 8, 10, 10, 10]
    assert round_points(0.0, 1, ScoringRules(), 100).helpful == 10
    assert round_points(1.0, 365, ScoringRules(), 100).total == 10 + 20 + 10 + 10


def test_a_thumbs_up_in_any_skin_tone_or_emoji_style_is_a_helpful_vote() -> None:
    for vote in (HELPFUL, f" {HELPFUL} ", f"{HELPFUL}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}"):
        assert is_helpful(vote)
    assert is_helpful(f"{HELPFUL}\N{VARIATION SELECTOR-16}")
    for other in ("\N{THUMBS DOWN SIGN}", f"\N{EMOJI MODIFIER FITZPATRICK TYPE-4}{HELPFUL}x", ""):
        assert not is_helpful(other)
    assert not is_helpful(f"\N{EMOJI MODIFIER FITZPATRICK TYPE-4}{HELPFUL}")
    assert not is_helpful(f"\N{VARIATION SELECTOR-16}{HELPFUL}")


def test_streaks_count_consecutive_revealed_rounds() -> None:
    s = next_stats(None, 7, 1, 0.5)
    s = next_stats(s, 7, 2, 1.0)
    assert (s.streak, s.best_streak, s.rounds_answered, s.coverage_sum) == (2, 2, 2, 1.5)
    s = next_stats(s, 7, 5, 0.0)  # missed rounds 3 and 4
    assert (s.streak, s.best_streak) == (1, 2)
    assert current_streak(s, 5) == 1 and current_streak(s, 6) == 0
    assert current_streak(None, 3) == 0
    assert current_streak(MemberStats(1), 0) == 0


def test_period_keys_use_iso_weeks_across_the_new_year() -> None:
    assert period_key("week", date(2026, 12, 31)) == "w2026-53"
    assert period_key("week", date(2027, 1, 4)) == "w2027-01"
    assert period_key("week", date(2021, 1, 1)) == "w2020-53"
    assert periods_of(date(2026, 11, 30)) == ("w2026-49", "m2026-11", "all")


def test_an_unknown_period_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="unknown period 'year'"):
        period_key("year", date(2026, 11, 30))
