"""Laws of the scoring rules, checked over many cases (Hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.records import MemberStats
from bot.scoring import ScoringRules, current_streak, next_stats, round_points

coverages = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
streaks = st.integers(min_value=0, max_value=1000)
votes = st.integers(min_value=0, max_value=1000)


@given(coverages, coverages, streaks, votes)
def test_points_never_fall_as_coverage_rises(a: float, b: float, streak: int, n: int) -> None:
    low, high = sorted((a, b))
    rules = ScoringRules()
    assert round_points(low, streak, rules, n).total <= round_points(high, streak, rules, n).total


@given(coverages, streaks, votes)
def test_points_are_capped_part_by_part(coverage: float, streak: int, n: int) -> None:
    points = round_points(coverage, streak, ScoringRules(), n)
    assert points.participation == 10
    assert 0 <= points.coverage <= 20
    assert 0 <= points.streak <= 10
    assert 0 <= points.helpful <= 10
    assert points.total == points.participation + points.coverage + points.streak + points.helpful
    assert points.total <= 50


@given(streaks, streaks, votes, votes)
def test_a_longer_streak_or_more_votes_never_earn_less(s1: int, s2: int, v1: int, v2: int) -> None:
    rules = ScoringRules()
    (s_low, s_high), (v_low, v_high) = sorted((s1, s2)), sorted((v1, v2))
    assert (
        round_points(0.5, s_low, rules, v_low).total
        <= round_points(0.5, s_high, rules, v_high).total
    )


@given(st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=40))
def test_a_streak_never_exceeds_the_rounds_answered(gaps: list[int]) -> None:
    stats: MemberStats | None = None
    seq = 0
    for answered, gap in enumerate(gaps, start=1):
        seq += gap
        stats = next_stats(stats, 7, seq, 0.5)
        assert stats.member_id == 7
        assert stats.rounds_answered == answered
        assert 1 <= stats.streak <= stats.best_streak <= stats.rounds_answered
        assert stats.last_seq == seq
        assert current_streak(stats, seq) == stats.streak
        assert current_streak(stats, seq + 1) == 0
    # the streak is the run of consecutive rounds at the end
    assert stats is not None
    assert stats.streak == 1 + len(list(_trailing_ones(gaps[1:])))
    assert stats.coverage_sum == 0.5 * len(gaps)


def _trailing_ones(gaps: list[int]) -> list[int]:
    run: list[int] = []
    for gap in reversed(gaps):
        if gap != 1:
            break
        run.append(gap)
    return run
