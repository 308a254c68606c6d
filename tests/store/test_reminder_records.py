"""Reminders in the store, on SQLite and PostgreSQL: who is reminded, claims, leases, choices."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.model import AnswerSource, ChannelRef, GroupSettings, MemberRef
from bot.records import AnswerWrite, AwayRange, MemberStats, RoundResult, ScoreEntry
from bot.store import migrations
from bot.store.sql_store import SqlStore
from tests.store.conftest import store_on

MONDAY = date(2026, 11, 30)
T0 = datetime.fromisoformat("2026-11-30T09:00+00:00")
DAY = timedelta(days=1)
LEASE = timedelta(minutes=10)
SINCE = timedelta(days=14)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The same store on a real SQLite file and on a real PostgreSQL server."""
    async with store_on(request.param, tmp_path, T0) as s:
        yield s


async def _round(store: SqlStore, group_id: int, day: date, posted: datetime) -> int:
    """Return a round of `day` posted at `posted`, revealed 8 hours later."""
    round_ = await store.claim_round(group_id, day, "q1", posted)
    assert round_ is not None
    assert await store.round_posted(
        round_.id, f"m{round_.id}", f"t{round_.id}", posted, posted + 8 * (DAY / 24)
    )
    return round_.id


async def _answer(store: SqlStore, round_id: int, member_id: int, at: datetime) -> int:
    saved = await store.save_answer(
        AnswerWrite(round_id, member_id, "an answer", AnswerSource.PRIVATE, at)
    )
    assert saved is not None
    return saved.answer_id


async def _reveal(
    store: SqlStore, round_id: int, at: datetime, answers: dict[int, tuple[int, bool, int]]
) -> None:
    """Reveal a round: per member, (answer id, whether a real attempt, streak after it)."""
    claimed = await store.claim_reveal(round_id, at, at + LEASE)
    assert claimed is not None and claimed.reveal_seq is not None
    scores = tuple(
        ScoreEntry(a, m, 0.5, (True,), 20 if real else 0, ("all",), at, real)
        for m, (a, real, _) in answers.items()
    )
    stats = tuple(
        MemberStats(m, streak, streak, claimed.reveal_seq, streak, 0.5)
        for m, (_, real, streak) in answers.items()
        if real
    )
    assert await store.save_round_result(RoundResult(round_id, scores, stats))


async def test_the_recipients_are_the_active_members_who_have_not_answered_today(
    store: SqlStore,
) -> None:
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    other = await store.create_group(ChannelRef("t", "w", "elsewhere"), GroupSettings())
    assert group is not None and other is not None
    ids = {n: await store.member_id(MemberRef("t", n, n.title())) for n in "abcdefg"}
    a, b, c, d, e, f, g = ids.values()
    old = await _round(store, group.id, MONDAY - 20 * DAY, T0 - 20 * DAY)
    await _reveal(
        store, old, T0 - 20 * DAY, {c: (await _answer(store, old, c, T0 - 20 * DAY), True, 1)}
    )
    monday = await _round(store, group.id, MONDAY, T0)
    answered = {m: await _answer(store, monday, m, T0) for m in (a, b, d, e, f)}
    await _reveal(
        store,
        monday,
        T0 + DAY / 3,
        {
            a: (answered[a], True, 3),  # answered the latest round: a streak of 3 at risk
            b: (answered[b], False, 0),  # no real attempt (a list of terms, say)
            d: (answered[d], True, 1),  # will answer today
            e: (answered[e], True, 2),  # turned reminders off
            f: (answered[f], True, 1),  # reminded already
        },
    )
    elsewhere = await _round(store, other.id, MONDAY, T0)
    await _reveal(
        store, elsewhere, T0 + DAY / 3, {g: (await _answer(store, elsewhere, g, T0), True, 1)}
    )
    tuesday = await _round(store, group.id, MONDAY + DAY, T0 + DAY)
    await _answer(store, tuesday, d, T0 + DAY)
    await store.set_reminders(e, False)
    assert await store.mark_reminded(tuesday, f, T0 + DAY)
    now = T0 + DAY + DAY / 4
    found = await store.reminder_recipients(tuesday, group.id, now - SINCE, now)
    assert [(r.member_id, r.member, r.streak) for r in found] == [(a, MemberRef("t", "a", "A"), 3)]
    # The streak counts only while it is unbroken: a round revealed since without the member.
    wednesday = await _round(store, group.id, MONDAY + 2 * DAY, T0 + 2 * DAY)
    await _reveal(
        store, tuesday, T0 + 2 * DAY, {d: (await _answer(store, tuesday, d, now), True, 2)}
    )
    later = await store.reminder_recipients(wednesday, group.id, now - SINCE, now)
    assert [(r.member_id, r.streak) for r in later] == [(a, 0), (d, 2), (f, 0)]


async def test_a_reminder_is_claimed_by_one_process_and_taken_over_when_its_lease_runs_out(
    store: SqlStore,
) -> None:
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    round_id = await _round(store, group.id, MONDAY, T0)
    at = T0 + 6 * (DAY / 24)  # two hours before the reveal
    await store.plan_reminder(round_id, at)
    await store.plan_reminder(round_id, at + DAY)  # a plan made already stands
    assert await store.reminders_ahead(T0) == [(round_id, at)]
    assert await store.reminders_to_send(T0, include_own=False) == []
    assert not await store.claim_reminder(round_id, T0, T0 + LEASE)  # not yet
    other = SqlStore(store.db, ManualClock(T0), owner="other")
    assert await other.reminders_to_send(at, include_own=False) == [round_id]
    assert await other.claim_reminder(round_id, at, at + LEASE)
    assert not await store.claim_reminder(round_id, at, at + LEASE)
    assert await store.reminders_to_send(at, include_own=False) == []
    assert await other.reminders_to_send(at, include_own=True) == [round_id]  # at other's start
    assert await store.reminders_ahead(T0) == []
    ran_out = at + LEASE
    assert await store.reminders_to_send(ran_out, include_own=False) == [round_id]
    assert await store.claim_reminder(round_id, ran_out, ran_out + LEASE)
    await store.reminder_done(round_id, 3)
    assert await store.reminders_to_send(ran_out + DAY / 24, include_own=True) == []
    assert not await other.claim_reminder(round_id, ran_out + LEASE, ran_out + 2 * LEASE)
    row = await store.db.fetchrow(
        "SELECT status, sent FROM round_reminders WHERE round_id = :r", {"r": round_id}
    )
    assert row is not None and (row["status"], row["sent"]) == ("sent", 3)


async def test_no_reminder_is_claimed_after_the_reveal_nor_of_a_revealed_round(
    store: SqlStore,
) -> None:
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    first = await _round(store, group.id, MONDAY, T0)
    second = await _round(store, group.id, MONDAY + DAY, T0 + DAY)
    await store.plan_reminder(first, T0 + DAY / 4)
    await store.plan_reminder(second, T0 + DAY + DAY / 4)
    reveal = T0 + DAY / 3  # the first round's reveal time
    assert await store.reminders_to_send(reveal, include_own=True) == []
    assert not await store.claim_reminder(first, reveal, reveal + LEASE)
    await _reveal(store, second, T0 + DAY + DAY / 8, {})
    second_time = T0 + DAY + DAY / 4
    assert await store.reminders_to_send(second_time, include_own=True) == []
    assert not await store.claim_reminder(second, second_time, second_time + LEASE)
    # the early reveal closed the second round's reminder: no row waits as due forever
    rows = await store.db.fetch(
        "SELECT round_id, status FROM round_reminders ORDER BY round_id", {}
    )
    assert [(r["round_id"], r["status"]) for r in rows] == [(first, "due"), (second, "skipped")]


async def test_a_member_is_reminded_of_a_round_once_and_a_failure_is_kept(store: SqlStore) -> None:
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    round_id = await _round(store, group.id, MONDAY, T0)
    member = await store.member_id(MemberRef("t", "a", "A"))
    assert await store.mark_reminded(round_id, member, T0)
    assert not await store.mark_reminded(round_id, member, T0 + LEASE)
    await store.reminder_failed(round_id, member, "Forbidden: " + "x" * 600)
    row = await store.db.fetchrow(
        "SELECT error FROM member_reminders WHERE member_id = :m", {"m": member}
    )
    assert row is not None and len(row["error"]) == 500


async def test_reminders_are_on_until_a_member_turns_them_off(store: SqlStore) -> None:
    member = await store.member_id(MemberRef("t", "a", "A"))
    assert await store.reminders_on(member)
    await store.set_reminders(member, False)
    assert not await store.reminders_on(member)
    await store.set_reminders(member, True)
    assert await store.reminders_on(member)


async def test_members_away_or_with_closed_dms_are_left_out_and_a_freeze_keeps_a_streak_safe(
    store: SqlStore,
) -> None:
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    ids = {n: await store.member_id(MemberRef("t", n, n.title())) for n in "abcd"}
    a, b, c, d = ids.values()
    monday = await _round(store, group.id, MONDAY, T0)
    answered = {m: await _answer(store, monday, m, T0) for m in ids.values()}
    await _reveal(store, monday, T0 + DAY / 3, {m: (answered[m], True, 2) for m in ids.values()})
    await store.db.execute(
        "UPDATE member_stats SET freezes = 1 WHERE member_id = :m", {"m": d}
    )  # a freeze would keep d's streak over a missed round
    tuesday = await _round(store, group.id, MONDAY + DAY, T0 + DAY)
    now = T0 + DAY + DAY / 4
    await store.add_away(group.id, b, AwayRange(MONDAY + DAY, MONDAY + 2 * DAY))
    await store.add_away(group.id, a, AwayRange(MONDAY + 2 * DAY, MONDAY + 3 * DAY))  # later
    await store.mark_private_closed("t", "c", now - DAY, now + DAY)
    found = await store.reminder_recipients(tuesday, group.id, now - SINCE, now)
    assert [(r.member_id, r.streak) for r in found] == [(a, 2), (d, 0)]
    after = now + 2 * DAY  # c may be tried again
    again = await store.reminder_recipients(tuesday, group.id, after - SINCE, after)
    assert [r.member_id for r in again] == [a, c, d]


async def test_open_rounds_without_a_plan_are_found_and_a_skipped_one_is_never_sent(
    store: SqlStore,
) -> None:
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    planned = await _round(store, group.id, MONDAY, T0)
    skipped = await _round(store, group.id, MONDAY + DAY, T0 + DAY)
    unplanned = await _round(store, group.id, MONDAY + 2 * DAY, T0 + 2 * DAY)
    reveal = T0 + 2 * DAY + DAY / 3
    await store.plan_reminder(planned, T0 + DAY / 4)
    await store.plan_reminder(skipped, T0 + DAY + DAY / 3, skipped=True)
    now = T0 + 2 * DAY
    assert await store.unplanned_reminders(now) == [(unplanned, group.id, now, reveal)]
    assert await store.unplanned_reminders(reveal) == []  # revealed by then
    later = T0 + DAY + DAY / 3 - LEASE
    assert await store.reminders_to_send(later, include_own=True) == []
    assert not await store.claim_reminder(skipped, later, later + LEASE)
    assert await store.reminders_ahead(T0) == [(planned, T0 + DAY / 4)]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_the_upgrade_closes_reminders_left_due_by_earlier_early_reveals(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = migrations.MIGRATIONS
    async with store_on(database, tmp_path, T0, migrated=False, file="u.sqlite3") as store:
        monkeypatch.setattr(migrations, "MIGRATIONS", [m for m in everything if m[0] <= 20])
        assert (await store.migrate())[-1] == 20
        group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
        assert group is not None
        revealed = await _round(store, group.id, MONDAY, T0)
        still_open = await _round(store, group.id, MONDAY + DAY, T0 + DAY)
        for round_id in (revealed, still_open):
            await store.plan_reminder(round_id, T0 + 2 * DAY)
        await _reveal(store, revealed, T0 + DAY / 8, {})
        # as a version-20 reveal left it
        await store.db.execute("UPDATE round_reminders SET status = 'due'", {})
        monkeypatch.setattr(migrations, "MIGRATIONS", everything)
        assert 21 in await store.migrate()
        rows = await store.db.fetch(
            "SELECT round_id, status FROM round_reminders ORDER BY round_id", {}
        )
        assert [(r["round_id"], r["status"]) for r in rows] == [
            (revealed, "skipped"),
            (still_open, "due"),
        ]
