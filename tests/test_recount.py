"""bot.recount: a member's points, stats and totals after one grade changes (examples, Hypothesis).

The reference is the reveal's own rule, applied a reveal at a time: an answer
that is no real attempt earns nothing and leaves the streak alone; a real
attempt moves the stats on (`next_stats`) and earns `round_points` on the new
streak with its helpful votes; its points count on each of its periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.records import MemberStats
from bot.recount import GradeChange, Recount, ScoredAnswer, Total, recount
from bot.scoring import ScoringRules, next_stats, periods_of, round_points

RULES = ScoringRules()
MEMBER = 7
START = date(2026, 11, 23)  # a Monday


def answer(
    answer_id: int,
    seq: int,
    coverage: float,
    attempt: bool = True,
    votes: int = 0,
    day: date | None = None,
) -> ScoredAnswer:
    """Return an answer to the reveal number `seq`, given on its day (by default START + seq)."""
    on = day or START + timedelta(days=seq)
    return ScoredAnswer(
        answer_id,
        seq,
        periods_of(on),
        datetime.combine(on, time(9), UTC),
        coverage,
        attempt,
        votes,
    )


def revealed_one_at_a_time(answers: Sequence[ScoredAnswer]) -> Recount:
    """Return what the reveals wrote for these answers, revealed in order, one at a time."""
    stats: MemberStats | None = None
    points: dict[int, int] = {}
    totals: dict[str, Total] = {}
    for a in sorted(answers, key=lambda a: a.seq):
        points[a.answer_id] = 0
        if not a.attempt:
            continue
        stats = next_stats(stats, MEMBER, a.seq, a.coverage)
        earned = round_points(a.coverage, stats.streak, RULES, a.helpful_votes).total
        points[a.answer_id] = earned
        for period in a.periods:
            before = totals[period].points if period in totals else 0
            totals[period] = Total(before + earned, a.achieved_at)
    return Recount(points, stats or MemberStats(MEMBER), totals)


def unchanged(a: ScoredAnswer) -> GradeChange:
    """Return the change that gives an answer the grade it has."""
    return GradeChange(a.answer_id, a.coverage, a.attempt)


coverages = st.sampled_from([0.0, 1 / 3, 2 / 3, 1.0]) | st.floats(0.0, 1.0)


@st.composite
def histories(draw: st.DrawFn) -> list[ScoredAnswer]:
    """Return a member's scored answers, in any order: gaps in reveals and days, votes."""
    seq, day = 0, START
    answers = []
    for answer_id in range(1, draw(st.integers(1, 12)) + 1):
        seq += draw(st.integers(1, 3))
        day += timedelta(days=draw(st.integers(1, 9)))
        answers.append(
            answer(
                answer_id,
                seq,
                draw(coverages),
                draw(st.booleans()),
                draw(st.integers(0, 7)),
                day,
            )
        )
    return draw(st.permutations(answers))


# -- examples ----------------------------------------------------------------------


def test_crediting_a_non_attempt_grows_the_streak_bonus_of_the_rounds_after_it() -> None:
    answers = [answer(1, 1, 0.0, attempt=False), answer(2, 2, 0.5), answer(3, 3, 0.5)]
    before = recount(answers, unchanged(answers[0]), MEMBER, RULES)
    assert before.points == {1: 0, 2: 20, 3: 22}
    after = recount(answers, GradeChange(1, 0.5, attempt=True), MEMBER, RULES)
    assert after.points == {1: 20, 2: 22, 3: 24}
    assert after.stats == MemberStats(MEMBER, 3, 3, 3, 3, 1.5)
    assert after.totals["all"] == Total(66, answers[2].achieved_at)


def test_a_changed_grade_never_takes_the_attempt_away() -> None:
    answers = [answer(1, 1, 1.0), answer(2, 2, 1.0)]
    after = recount(answers, GradeChange(1, 0.0, attempt=False), MEMBER, RULES)
    assert after.points == {1: 10, 2: 32}  # still answered: 10, and the streak holds
    assert after.stats == MemberStats(MEMBER, 2, 2, 2, 2, 1.0)


def test_without_a_real_attempt_there_are_no_stats_and_no_totals() -> None:
    answers = [answer(1, 1, 0.0, attempt=False, votes=3)]
    after = recount(answers, unchanged(answers[0]), MEMBER, RULES)
    assert after == Recount({1: 0}, MemberStats(MEMBER), {})


def test_each_leaderboard_counts_the_points_of_its_own_period() -> None:
    # Sunday 29 November and Monday 30 November: one week each, one month, all time.
    answers = [answer(1, 1, 1.0, day=date(2026, 11, 29)), answer(2, 2, 1.0, day=date(2026, 11, 30))]
    after = recount(answers, unchanged(answers[0]), MEMBER, RULES)
    sunday, monday = answers[0].achieved_at, answers[1].achieved_at
    assert after.totals == {
        "w2026-48": Total(30, sunday),
        "w2026-49": Total(32, monday),
        "m2026-11": Total(62, monday),
        "all": Total(62, monday),
    }


def test_helpful_votes_keep_their_points() -> None:
    answers = [answer(1, 1, 0.0, votes=2), answer(2, 2, 0.0, votes=9)]
    after = recount(answers, GradeChange(1, 1.0, attempt=True), MEMBER, RULES)
    assert after.points == {1: 10 + 20 + 4, 2: 10 + 2 + 10}  # the votes' points are capped at 10


# -- properties ------------------------------------------------------------------


@given(histories(), st.data())
def test_no_change_gives_what_the_reveals_gave(
    answers: list[ScoredAnswer], data: st.DataObject
) -> None:
    kept = data.draw(st.sampled_from(answers))
    assert recount(answers, unchanged(kept), MEMBER, RULES) == revealed_one_at_a_time(answers)


@given(histories(), st.data(), coverages, st.booleans())
def test_a_change_recounts_as_if_the_reveal_had_graded_it_so(
    answers: list[ScoredAnswer],
    data: st.DataObject,
    coverage: float,
    attempt: bool,
) -> None:
    changed = data.draw(st.sampled_from(answers))
    regraded = [
        replace(a, coverage=coverage, attempt=attempt or a.attempt) if a is changed else a
        for a in answers
    ]
    after = recount(answers, GradeChange(changed.answer_id, coverage, attempt), MEMBER, RULES)
    assert after == revealed_one_at_a_time(regraded)


@given(histories(), st.data(), coverages)
def test_an_attempt_is_never_taken_away(
    answers: list[ScoredAnswer], data: st.DataObject, coverage: float
) -> None:
    changed = data.draw(st.sampled_from(answers))
    before = recount(answers, unchanged(changed), MEMBER, RULES)
    after = recount(answers, GradeChange(changed.answer_id, coverage, False), MEMBER, RULES)
    assert after.stats.rounds_answered == before.stats.rounds_answered
    assert after.stats.streak == before.stats.streak
    assert (after.points[changed.answer_id] > 0) == changed.attempt
    assert all(after.points[a] == p for a, p in before.points.items() if a != changed.answer_id)


@given(histories(), st.data(), coverages)
def test_crediting_a_non_attempt_only_adds_points(
    answers: list[ScoredAnswer], data: st.DataObject, coverage: float
) -> None:
    changed = data.draw(st.sampled_from(answers))
    before = recount(answers, unchanged(changed), MEMBER, RULES)
    after = recount(answers, GradeChange(changed.answer_id, coverage, True), MEMBER, RULES)
    if changed.attempt:
        return
    assert after.stats.rounds_answered == before.stats.rounds_answered + 1
    assert after.stats.best_streak >= before.stats.best_streak
    assert after.points[changed.answer_id] >= RULES.participation
    # The rounds after it in a run of real attempts gain the streak bonus it adds.
    run = 0
    by_seq = {a.seq: a for a in answers}
    while (nxt := by_seq.get(changed.seq + run + 1)) is not None and nxt.attempt:
        run += 1
        gain = after.points[nxt.answer_id] - before.points[nxt.answer_id]
        assert 0 <= gain <= RULES.streak_bonus_cap
        if before.points[nxt.answer_id] - _bonus_free(nxt) < RULES.streak_bonus_cap:
            assert gain > 0
    assert all(after.points[a] >= p for a, p in before.points.items())


def _bonus_free(a: ScoredAnswer) -> int:
    """Return an attempt's points without any streak bonus."""
    return round_points(a.coverage, 1, RULES, a.helpful_votes).total


@given(histories(), st.data(), coverages, st.booleans())
def test_totals_sum_the_points_reached_when_the_last_points_came(
    answers: list[ScoredAnswer], data: st.DataObject, coverage: float, attempt: bool
) -> None:
    changed = data.draw(st.sampled_from(answers))
    after = recount(answers, GradeChange(changed.answer_id, coverage, attempt), MEMBER, RULES)
    periods = {p for a in answers for p in a.periods}
    for period in periods:
        earning = [
            a
            for a in sorted(answers, key=lambda a: a.seq)
            if period in a.periods and after.points[a.answer_id] > 0
        ]
        if not earning:
            assert period not in after.totals
            continue
        assert after.totals[period] == Total(
            sum(after.points[a.answer_id] for a in earning), earning[-1].achieved_at
        )
    assert set(after.totals) <= periods
    assert set(after.points) == {a.answer_id for a in answers}


@given(histories(), st.data())
def test_helpful_votes_are_kept_on_every_real_attempt(
    answers: list[ScoredAnswer], data: st.DataObject
) -> None:
    kept = data.draw(st.sampled_from(answers))
    silent = [replace(a, helpful_votes=0) for a in answers]
    with_votes = recount(answers, unchanged(kept), MEMBER, RULES).points
    without = recount(silent, unchanged(kept), MEMBER, RULES).points
    for a in answers:
        bonus = min(RULES.helpful_cap, RULES.helpful_vote * a.helpful_votes) if a.attempt else 0
        assert with_votes[a.answer_id] - without[a.answer_id] == bonus
