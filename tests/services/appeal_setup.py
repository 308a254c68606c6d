"""What the appeal and regrade tests share: members, answers, a real reveal, a full recount."""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import AnswerSource, Group, MemberRef, Round, RoundStatus
from bot.private_notes import PrivateNotes
from bot.records import AnswerWrite, MemberStats, StreakBridge
from bot.replies import Reply
from bot.rounds import RoundPolicy, RoundService
from bot.scoring import ScoringRules, next_stats, periods_of, round_points
from bot.streak_guard import bridged
from tests.services.conftest import NOW, FakeChat
from tests.services.memory_store import MemoryStore

RULES = ScoringRules()
DORA = MemberRef("t", "dora", "Dora")
FAY = MemberRef("t", "fay", "Fay")
CAL = MemberRef("t", "cal", "Cal")
DAY = date(2026, 12, 1)  # NOW's date in Berlin
WEEK = "w2026-49"
GOOD = "every example validates once, so the estimate has lower variance"  # points 1 and 2
ONE = "With k-fold the estimate has lower variance than one split."  # point 2 only: 17 points
NOT_ONE = "variance"  # a lone term: not a real attempt, no points


class NoJobs:
    """A scheduler a reveal never needs."""

    def arm_group(self, group: Group) -> None:
        """Arm nothing."""

    def arm_reveal(self, round_id: int, at: datetime) -> None:
        """Arm nothing."""

    def arm_retry(self, round_id: int, at: datetime) -> None:
        """Arm nothing."""


async def revealed(
    store: MemoryStore,
    bank: QuestionBank,
    clock: ManualClock,
    group: Group,
    answers: dict[MemberRef, str],
    day: date = DAY,
) -> Round:
    """Return the k-fold round of `day`, answered while open and revealed now."""
    round_ = store.add_round(group, RoundStatus.OPEN, f"t{day.day}", local_date=day)
    for member, text in answers.items():
        member_id = await store.member_id(member)
        write = AnswerWrite(round_.id, member_id, text, AnswerSource.PRIVATE, clock.now())
        assert await store.save_answer(write) is not None
    chat = FakeChat()
    notes = PrivateNotes(store, chat, clock)
    rounds = RoundService(store, bank, chat, clock, NoJobs(), RULES, RoundPolicy(), notes)
    assert await rounds.reveal(round_.id)
    return store.rounds[round_.id]


async def points_of(store: MemoryStore, round_: Round, member: MemberRef) -> int | None:
    """Return a member's points in a round."""
    answer = await store.member_answer(round_.id, await store.member_id(member))
    assert answer is not None
    return answer.points


def button(reply: Reply, action: str) -> str:
    """Return the value of a reply's button with this action."""
    return next(b.value for b in reply.buttons if b.action == action)


def assert_recounted(store: MemoryStore) -> None:
    """Fail unless every stored point, stat and total equals a recount from the answers.

    A round a freeze or an away day bridged (as stored) carries the streak over it,
    unless the member answered it with a real attempt after all.
    """
    scored = sorted(
        (store.rounds[r].group_id, m, store.rounds[r].reveal_seq or 0, r, a)
        for (r, m), a in store.answers.items()
        if not a.late and a.points is not None and store.rounds[r].reveal_seq is not None
    )
    attempted = {(g, m, seq) for g, m, seq, _, a in scored if store.attempt_of[a.answer_id]}
    events = sorted(
        [(g, m, seq, 0, r, a) for g, m, seq, r, a in scored]
        + [(g, m, seq, 1, 0, b) for (g, m, seq), b in store.bridges.items()]
    )
    points: dict[int, int] = {}
    stats: dict[tuple[int, int], MemberStats] = {}
    totals: dict[tuple[int, str, int], tuple[int, datetime]] = {}
    for g, m, seq, _, r, a in events:
        if isinstance(a, StreakBridge):
            after = bridged(stats.get((g, m)), seq, a.kind)
            if after is not None and (g, m, seq) not in attempted:
                stats[(g, m)] = after
            continue
        points[a.answer_id] = 0
        if not store.attempt_of[a.answer_id]:
            continue
        stats[(g, m)] = next_stats(stats.get((g, m)), m, seq, a.coverage or 0.0)
        votes = store.votes_on(a.answer_id)
        earned = round_points(a.coverage or 0.0, stats[(g, m)].streak, RULES, votes).total
        points[a.answer_id] = earned
        for period in periods_of(store.rounds[r].local_date, store.round_categories.get(r)):
            before = totals.get((g, period, m), (0, NOW))[0]
            totals[(g, period, m)] = (before + earned, a.submitted_at)
    assert {a.answer_id: a.points for *_, a in scored} == points
    assert store.stats == stats
    assert store.totals == totals
