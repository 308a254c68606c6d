"""bot.streak_guard: freezes earned and spent, away days, and the recount over bridges.

The live rule is a reveal at a time: members who answered move on with
`next_stats`; the others go through `cover_missed` (an away day, else a freeze,
else the streak breaks). A recount from the answers and the stored bridges must
land where the reveals did (Hypothesis plays many groups' histories).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.records import BridgeKind, MemberStats, StreakBridge
from bot.recount import GradeChange, ScoredAnswer, recount
from bot.scoring import ScoringRules, current_streak, next_stats, periods_of, round_points
from bot.streak_guard import MAX_FREEZES, bridged, cover_missed, freezes_after

RULES = ScoringRules()
START = date(2026, 11, 23)


def test_a_freeze_is_earned_at_each_multiple_of_seven_and_at_most_two_are_held() -> None:
    assert [freezes_after(0, s) for s in range(1, 8)] == [0, 0, 0, 0, 0, 0, 1]
    assert freezes_after(1, 14) == 2
    assert freezes_after(2, 21) == 2
    assert freezes_after(1, 15) == 1


def test_answering_seven_rounds_in_a_row_earns_a_freeze() -> None:
    stats = None
    for seq in range(1, 8):
        stats = next_stats(stats, 1, seq, 0.5)
    assert stats is not None and (stats.streak, stats.freezes) == (7, 1)


def test_a_bridge_keeps_a_live_streak_and_a_freeze_is_spent() -> None:
    live = MemberStats(1, streak=12, best_streak=12, last_seq=4, freezes=2)
    assert bridged(live, 5, BridgeKind.FREEZE) == MemberStats(
        1, streak=12, best_streak=12, last_seq=5, freezes=1, freezes_used=1
    )
    assert bridged(live, 5, BridgeKind.AWAY) == MemberStats(
        1, streak=12, best_streak=12, last_seq=5, freezes=2
    )
    assert bridged(live, 6, BridgeKind.AWAY) is None  # round 5 broke it already
    assert bridged(MemberStats(1, streak=3, last_seq=4), 5, BridgeKind.FREEZE) is None
    assert bridged(MemberStats(1, last_seq=4), 5, BridgeKind.AWAY) is None  # no streak
    assert bridged(None, 5, BridgeKind.AWAY) is None


def test_cover_missed_prefers_an_away_day_and_skips_those_who_answered() -> None:
    frozen = MemberStats(1, streak=7, best_streak=7, last_seq=9, freezes=1)
    away = MemberStats(2, streak=3, best_streak=3, last_seq=9, freezes=1)
    answered = MemberStats(3, streak=8, best_streak=8, last_seq=9, freezes=1)
    broke = MemberStats(4, streak=5, best_streak=5, last_seq=9)
    missed = cover_missed(10, [frozen, away, answered, broke], away={2, 5}, attempted={3})
    assert missed.bridges == (
        StreakBridge(2, 10, BridgeKind.AWAY),
        StreakBridge(5, 10, BridgeKind.AWAY),  # no streak now, but a recount may revive one
        StreakBridge(1, 10, BridgeKind.FREEZE),
    )
    assert [(s.member_id, s.last_seq, s.freezes) for s in missed.stats] == [(1, 10, 0), (2, 10, 1)]
    assert [s.member_id for s in missed.frozen()] == [1]
    assert current_streak(broke, 10) == 0


# Per round, per member: None (missed), "away" (missed, away that day), or a coverage
# (answered), with `attempt` False for an answer that is no real attempt.
Move = tuple[str, float, bool]
moves = st.one_of(
    st.just(("miss", 0.0, False)),
    st.just(("away", 0.0, False)),
    st.tuples(st.just("answer"), st.sampled_from([0.0, 0.5, 1.0]), st.booleans()),
)
MEMBERS = (1, 2, 3)
histories = st.lists(st.tuples(moves, moves, moves), min_size=1, max_size=40)


@dataclass
class Live:
    """What the reveals wrote, a round at a time."""

    stats: dict[int, MemberStats] = field(default_factory=dict)
    points: dict[int, int] = field(default_factory=dict)
    answers: dict[int, list[ScoredAnswer]] = field(default_factory=dict)
    bridges: list[StreakBridge] = field(default_factory=list)


def reveal_all(history: list[tuple[Move, Move, Move]]) -> Live:
    """Reveal each round in turn by the live rule; return what was written."""
    live = Live()
    for seq, round_moves in enumerate(history, start=1):
        day = START + timedelta(days=seq)
        attempted: set[int] = set()
        for member, (kind, coverage, attempt) in zip(MEMBERS, round_moves, strict=True):
            if kind != "answer":
                continue
            answer_id = seq * 10 + member
            at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            scored = ScoredAnswer(answer_id, seq, periods_of(day), at, coverage, attempt, 0)
            live.answers.setdefault(member, []).append(scored)
            live.points[answer_id] = 0
            if attempt:
                attempted.add(member)
                live.stats[member] = next_stats(live.stats.get(member), member, seq, coverage)
                earned = round_points(coverage, live.stats[member].streak, RULES)
                live.points[answer_id] = earned.total
        away = {m for m, (kind, _, _) in zip(MEMBERS, round_moves, strict=True) if kind == "away"}
        open_streaks = [s for s in live.stats.values() if s.last_seq == seq - 1 and s.streak > 0]
        missed = cover_missed(seq, open_streaks, away, attempted)
        live.stats.update({s.member_id: s for s in missed.stats})
        live.bridges.extend(missed.bridges)
        assert all(0 <= s.freezes <= MAX_FREEZES for s in live.stats.values())
    return live


@given(histories)
def test_a_recount_over_the_stored_bridges_lands_where_the_reveals_did(
    history: list[tuple[Move, Move, Move]],
) -> None:
    live = reveal_all(history)
    for member, answers in live.answers.items():
        first = answers[0]
        unchanged = GradeChange(first.answer_id, first.coverage, first.attempt)
        bridges = [b for b in live.bridges if b.member_id == member]
        result = recount(answers, unchanged, member, RULES, bridges)
        assert {a.answer_id: result.points[a.answer_id] for a in answers} == {
            a.answer_id: live.points[a.answer_id] for a in answers
        }
        if member in live.stats:
            assert result.stats == live.stats[member]


@given(histories, st.data())
def test_a_regrade_to_a_real_attempt_keeps_freezes_in_bounds_and_streaks_no_shorter(
    history: list[tuple[Move, Move, Move]], data: st.DataObject
) -> None:
    live = reveal_all(history)
    for member, answers in live.answers.items():
        target = data.draw(st.sampled_from(answers))
        change = GradeChange(target.answer_id, 1.0, True)
        bridges = [b for b in live.bridges if b.member_id == member]
        result = recount(answers, change, member, RULES, bridges)
        assert 0 <= result.stats.freezes <= MAX_FREEZES
        before = live.stats.get(member)
        if before is not None:
            assert result.stats.best_streak >= before.best_streak
            assert result.stats.freezes_used <= before.freezes_used
