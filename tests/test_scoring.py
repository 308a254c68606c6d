from __future__ import annotations

from datetime import date

from bot.scoring import (
    ScoringRules,
    current_streak,
    next_stats,
    period_key,
    periods_of,
    round_points,
)
from bot.store.records import MemberStats


def test_points_parts() -> None:
    rules = ScoringRules()
    assert round_points(1.0, 1, rules).total == 30
    assert round_points(0.5, 1, rules).total == 20
    assert round_points(0.0, 3, rules).streak == 4
    assert round_points(0.0, 50, rules).streak == rules.streak_bonus_cap


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
