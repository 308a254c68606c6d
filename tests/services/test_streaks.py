"""Streak freezes and away days on the in-memory store: a reveal's bridges, the note, `/away`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import AnswerSource, Group, MemberRef, RoundStatus
from bot.private_notes import PrivateNotes
from bot.records import AnswerWrite, AwayRange, BridgeKind, MemberStats, StreakBridge
from bot.rounds import RoundPolicy, RoundService
from bot.scoring import ScoringRules
from bot.streaks import AwayService, StreakService
from tests.services.conftest import ANN, BEN, NOW, PrivateChat
from tests.services.memory_store import MemoryStore

CID = MemberRef("t", "cid", "Cid")
TODAY = date(2026, 12, 1)  # NOW's date in Berlin
TEXT = "every example validates once, so the estimate has lower variance"


class NoJobs:
    """A scheduler nothing is armed on in these tests."""

    def arm_group(self, group: Group) -> None:
        """Arm nothing."""

    def arm_reveal(self, round_id: int, at: object) -> None:
        """Arm nothing."""

    def arm_retry(self, round_id: int, at: object) -> None:
        """Arm nothing."""


async def with_stats(store: MemoryStore, group: Group, member: MemberRef, **stats: int) -> int:
    """Record a member with these running totals in the group; return their id."""
    member_id = await store.member_id(member)
    store.stats[(group.id, member_id)] = MemberStats(member_id, **stats)
    return member_id


@pytest.fixture
def rounds(
    store: MemoryStore, fixture_bank: QuestionBank, dms: PrivateChat, clock: ManualClock
) -> RoundService:
    """Return the round service on the fakes, telling members privately through `dms`."""
    notes = PrivateNotes(store, dms, clock)
    return RoundService(
        store, fixture_bank, dms, clock, NoJobs(), ScoringRules(), RoundPolicy(), notes
    )


async def test_a_reveal_spends_a_freeze_tells_the_member_and_keeps_the_streak(
    rounds: RoundService, store: MemoryStore, dms: PrivateChat, group: Group, clock: ManualClock
) -> None:
    for seq in range(1, 5):
        store.add_round(group, RoundStatus.REVEALED, reveal_seq=seq)
    open_round = store.add_round(group, RoundStatus.OPEN, local_date=TODAY)
    ann = await with_stats(store, group, ANN, streak=12, best_streak=12, last_seq=4, freezes=2)
    ben = await with_stats(store, group, BEN, streak=3, best_streak=5, last_seq=4)
    cid = await store.member_id(CID)
    await store.save_answer(AnswerWrite(open_round.id, cid, TEXT, AnswerSource.THREAD, NOW, "m1"))
    assert await rounds.reveal(open_round.id)
    assert store.stats[(group.id, ann)] == MemberStats(
        ann, streak=12, best_streak=12, last_seq=5, freezes=1, freezes_used=1
    )
    assert store.stats[(group.id, ben)].last_seq == 4  # no freeze: broken
    assert store.stats[(group.id, cid)].streak == 1
    assert list(store.bridges.values()) == [StreakBridge(ann, 5, BridgeKind.FREEZE)]
    [note] = dms.to("ann")
    assert note.text == (
        "You missed the question of Tue 01 Dec; a streak freeze kept your streak of 12 rounds. "
        "Freezes left: 1."
    )
    assert dms.to("ben") == [] and dms.to("cid") == []


async def test_an_away_day_bridges_without_a_freeze_or_a_note_and_is_stored_streak_or_not(
    store: MemoryStore, dms: PrivateChat, group: Group, clock: ManualClock
) -> None:
    ann = await with_stats(store, group, ANN, streak=4, best_streak=4, last_seq=9, freezes=1)
    ben = await store.member_id(BEN)  # no streak at all, away too
    for member_id in (ann, ben):
        await store.add_away(group.id, member_id, AwayRange(TODAY, TODAY + timedelta(days=2)))
    round_ = store.add_round(group, RoundStatus.REVEALING, local_date=TODAY, reveal_seq=10)
    kept = await StreakService(store, PrivateNotes(store, dms, clock)).missed(
        group, round_, attempted=set()
    )
    assert [(s.member_id, s.last_seq, s.freezes) for s in kept.stats] == [(ann, 10, 1)]
    assert kept.bridges == (
        StreakBridge(ann, 10, BridgeKind.AWAY),
        StreakBridge(ben, 10, BridgeKind.AWAY),
    )
    await StreakService(store, PrivateNotes(store, dms, clock)).tell(group, kept)
    assert dms.private == []


async def test_a_member_with_closed_dms_keeps_the_streak_all_the_same(
    store: MemoryStore, dms: PrivateChat, group: Group, clock: ManualClock
) -> None:
    await with_stats(store, group, ANN, streak=7, best_streak=7, last_seq=1, freezes=1)
    dms.closed.add("ann")
    round_ = store.add_round(group, RoundStatus.REVEALING, local_date=TODAY, reveal_seq=2)
    streaks = StreakService(store, PrivateNotes(store, dms, clock))
    kept = await streaks.missed(group, round_, attempted=set())
    await streaks.tell(group, kept)  # logged, not raised
    assert [s.freezes_used for s in kept.stats] == [1]


@pytest.fixture
def away(store: MemoryStore, clock: ManualClock) -> AwayService:
    """Return `/away` on the in-memory store and the manual clock (Tuesday 1 December)."""
    return AwayService(store, clock)


async def test_away_sets_lists_and_cancels_days_after_today(
    away: AwayService, store: MemoryStore, group: Group
) -> None:
    reply = await away.away(group, ANN, "")
    assert reply.text.startswith("You have no away days coming.")
    reply = await away.away(group, ANN, "2026-12-01..2026-12-05")
    assert not reply.is_error and "You're away 2026-12-01 to 2026-12-05 (5 days)" in reply.text
    reply = await away.away(group, ANN, "2026-12-24")
    assert "You're away 2026-12-24 (1 day)" in reply.text
    reply = await away.away(group, ANN, "")
    assert "- 2026-12-01 to 2026-12-05\n- 2026-12-24\n" in reply.text
    ann = await store.member_id(ANN)
    assert await store.away_members(group.id, date(2026, 12, 3)) == frozenset({ann})
    reply = await away.away(group, ANN, "off")
    assert reply.text == "Your away days after today are cancelled. Welcome back!"
    assert await store.away_ranges(group.id, ann) == [AwayRange(TODAY, TODAY)]
    reply = await away.away(group, ANN, "off")
    assert reply.text == "You have no away days after today to cancel."


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-12-09..2026-12-08", "ends (2026-12-08) before it starts (2026-12-09)"),
        ("2026-11-30", "2026-11-30 is in the past (today is 2026-12-01 here)"),
        ("tomorrow", 'couldn\'t read "tomorrow" as a date'),
        ("2026-12-03", "already away 2026-12-02 to 2026-12-04, which overlaps"),
        ("2026-12-05..2026-12-19", "That is 15 days"),
        ("2026-12-10..2026-12-21", "That would make 15 away days from 2026-12-02 to 2026-12-21"),
    ],
)
async def test_away_refuses_bad_input_and_changes_nothing(
    away: AwayService, store: MemoryStore, group: Group, text: str, says: str
) -> None:
    await away.away(group, ANN, "2026-12-02..2026-12-04")
    before = {key: list(ranges) for key, ranges in store.away.items()}
    reply = await away.away(group, ANN, text)
    assert reply.is_error and says in reply.text, reply.text
    assert store.away == before
