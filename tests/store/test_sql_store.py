"""The store on a real SQLite file: idempotency, group commit, leaderboards."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.model import AnswerSource, ChannelRef, GroupSettings, MemberRef, RoundStatus
from bot.records import (
    AnswerChange,
    AnswerWrite,
    MemberStats,
    ReviewRating,
    RoundResult,
    ScoreEntry,
    VoteReaction,
    WithdrawOutcome,
)
from bot.store.migrations import MIGRATIONS, SCORE_HOUR
from bot.store.postgres import numbered
from bot.store.sql_store import SqlStore
from bot.store.sqlite import open_sqlite
from tests.store.conftest import store_on

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)
UP = VoteReaction("👍")
RECORDED = AnswerChange.RECORDED


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The same store on a real SQLite file and on a real PostgreSQL server."""
    async with store_on(request.param, tmp_path, T0) as s:
        yield s


async def open_round(store: SqlStore) -> int:
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    round_ = await store.claim_round(group.id, date(2026, 11, 30), "q1", T0)
    assert round_ is not None
    await store.round_posted(round_.id, "m1", "t1", T0, T0 + timedelta(hours=8))
    return round_.id


async def test_migrations_run_once(store: SqlStore) -> None:
    assert await store.migrate() == []
    row = await store.db.fetchrow("SELECT MAX(version) AS v FROM schema_migrations")
    assert row is not None and row["v"] == MIGRATIONS[-1][0]


async def test_sqlite_pragmas_hold(tmp_path: Path) -> None:
    store = SqlStore(await open_sqlite(tmp_path / "p.sqlite3"), ManualClock(T0))
    row = await store.db.fetchrow("PRAGMA journal_mode")
    assert row is not None and row[0] == "wal"
    row = await store.db.fetchrow("PRAGMA foreign_keys")
    assert row is not None and row[0] == 1
    row = await store.db.fetchrow("PRAGMA synchronous")
    assert row is not None and row[0] == 2  # FULL
    await store.close()


async def test_one_group_per_channel_and_one_round_per_day(store: SqlStore) -> None:
    channel = ChannelRef("t", "w", "c")
    group = await store.create_group(channel, GroupSettings())
    assert group is not None
    assert await store.create_group(channel, GroupSettings()) is None
    assert await store.claim_round(group.id, date(2026, 12, 1), "q1", T0) is not None
    assert await store.claim_round(group.id, date(2026, 12, 1), "q2", T0) is None


async def test_concurrent_answers_share_transactions_and_all_are_stored(store: SqlStore) -> None:
    round_id = await open_round(store)
    members = [await store.member_id(MemberRef("t", f"u{i}", f"U{i}")) for i in range(300)]
    results = await asyncio.gather(
        *(
            store.save_answer(AnswerWrite(round_id, m, f"answer {m}", AnswerSource.THREAD, T0))
            for m in members
        )
    )
    assert all(r is not None and not r.late and r.change is RECORDED for r in results)
    assert len(await store.round_answers(round_id)) == 300
    again = await store.save_answer(
        AnswerWrite(round_id, members[0], "edited", AnswerSource.PRIVATE, T0)
    )
    assert again is not None and again.change is AnswerChange.REPLACED


async def test_the_same_message_delivered_again_is_not_an_edit(store: SqlStore) -> None:
    round_id = await open_round(store)
    m = await store.member_id(MemberRef("t", "u", "U"))
    write = AnswerWrite(round_id, m, "bias and variance", AnswerSource.THREAD, T0, "msg1")
    first = await store.save_answer(write)
    again = await store.save_answer(write)  # a retry, maybe on another replica
    assert first is not None and again is not None
    assert (again.answer_id, again.change) == (first.answer_id, RECORDED)
    edited = await store.save_answer(
        AnswerWrite(round_id, m, "bias, variance and noise", AnswerSource.THREAD, T0, "msg1")
    )
    assert edited is not None and edited.change is AnswerChange.EDITED
    added = await store.save_answer(
        AnswerWrite(round_id, m, "bias, variance and noise", AnswerSource.THREAD, T0, "msg2")
    )
    assert added is not None and added.change is AnswerChange.ADDED  # another message: a part
    [answer] = await store.round_answers(round_id)
    assert answer.text == "bias, variance and noise\nbias, variance and noise"


async def test_same_member_twice_in_one_batch_keeps_the_last(store: SqlStore) -> None:
    round_id = await open_round(store)
    m = await store.member_id(MemberRef("t", "u", "U"))
    first, second = await asyncio.gather(
        store.save_answer(AnswerWrite(round_id, m, "one", AnswerSource.PRIVATE, T0)),
        store.save_answer(AnswerWrite(round_id, m, "two", AnswerSource.PRIVATE, T0)),
    )
    assert first is not None and second is not None and first.answer_id == second.answer_id
    assert (first.change, second.change) == (RECORDED, AnswerChange.REPLACED)
    [answer] = await store.round_answers(round_id)
    assert answer.text == "two"


async def test_answers_after_the_reveal_claim_are_late_and_scored_ones_locked(
    store: SqlStore,
) -> None:
    round_id = await open_round(store)
    on_time = await store.member_id(MemberRef("t", "a", "A"))
    late = await store.member_id(MemberRef("t", "b", "B"))
    saved = await store.save_answer(AnswerWrite(round_id, on_time, "x", AnswerSource.THREAD, T0))
    assert saved is not None
    claimed = await store.claim_reveal(round_id, T0, T0 + LEASE)
    assert claimed is not None and claimed.status is RoundStatus.REVEALING
    assert await store.claim_reveal(round_id, T0, T0 + LEASE) is None  # only once
    got = await store.save_answer(AnswerWrite(round_id, late, "y", AnswerSource.THREAD, T0))
    assert got is not None and got.late
    assert (
        await store.save_answer(AnswerWrite(round_id, on_time, "change", AnswerSource.THREAD, T0))
        is None
    )


async def test_leaderboard_ties_go_to_the_earliest(store: SqlStore) -> None:
    round_id = await open_round(store)
    ids = [await store.member_id(MemberRef("t", f"u{i}", f"U{i}")) for i in range(4)]
    claimed = await store.claim_reveal(round_id, T0, T0 + LEASE)
    assert claimed is not None
    pts = [20, 30, 30, 10]
    scores = []
    for i, m in enumerate(ids):
        a = await store.save_answer(AnswerWrite(round_id, m, "x", AnswerSource.THREAD, T0))
        assert a is not None
        scores.append(
            ScoreEntry(
                a.answer_id, m, 0.5, (True, False), pts[i], ("all",), T0 + timedelta(minutes=10 - i)
            )
        )
    stats = tuple(MemberStats(m, 1, 1, 1, 1, 0.5) for m in ids)
    assert await store.save_round_result(RoundResult(round_id, tuple(scores), stats))
    top = await store.top_scores(1, "all", 10)
    assert [(s.rank, s.display_name, s.points) for s in top] == [
        (1, "U2", 30),
        (2, "U1", 30),
        (3, "U0", 20),
        (4, "U3", 10),
    ]
    for s in top:
        mine = await store.standing_of(1, "all", s.member_id)
        assert mine is not None and mine.rank == s.rank
    assert await store.standing_of(1, "w2026-49", ids[0]) is None


async def test_ranks_match_a_brute_force_ranking_after_many_reveals(store: SqlStore) -> None:
    import random

    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    ids = [await store.member_id(MemberRef("t", f"u{i}", f"U{i}")) for i in range(60)]
    rng = random.Random(3)
    for day in range(1, 9):
        round_ = await store.claim_round(group.id, date(2026, 12, day), "q", T0)
        assert round_ is not None
        await store.round_posted(round_.id, f"m{day}", f"t{day}", T0, T0)
        scores = []
        for m in rng.sample(ids, 25):
            # Hour boundaries and exact ties: ranks count whole hours from score_hour_counts.
            at = T0 + timedelta(days=day, seconds=rng.choice([0, 1, 1800, 3599, 3600, 3601, 7300]))
            saved = await store.save_answer(AnswerWrite(round_.id, m, "x", AnswerSource.THREAD, at))
            assert saved is not None
            scores.append(
                ScoreEntry(saved.answer_id, m, 0.5, (True,), rng.choice([10, 20, 30]), ("all",), at)
            )
        assert await store.claim_reveal(round_.id, T0, T0 + LEASE) is not None
        assert await store.save_round_result(RoundResult(round_.id, tuple(scores), ()))
    rows = await store.db.fetch(
        "SELECT member_id, points, achieved_at FROM score_totals WHERE period = 'all'"
    )
    expected = sorted(rows, key=lambda r: (-r["points"], r["achieved_at"], r["member_id"]))
    for rank, row in enumerate(expected, 1):
        mine = await store.standing_of(group.id, "all", row["member_id"])
        assert mine is not None and (mine.rank, mine.points) == (rank, row["points"])
    top = await store.top_scores(group.id, "all", 10)
    assert [s.member_id for s in top] == [r["member_id"] for r in expected[:10]]
    await assert_counts_match_totals(store)


async def test_migration_4_counts_the_hours_of_existing_scores(store: SqlStore) -> None:
    round_id = await open_round(store)
    ids = [await store.member_id(MemberRef("t", f"u{i}", f"U{i}")) for i in range(5)]
    assert await store.claim_reveal(round_id, T0, T0 + LEASE) is not None
    scores = []
    for i, m in enumerate(ids):
        at = T0 + timedelta(minutes=50 * i)  # four distinct hours, two members in one
        a = await store.save_answer(AnswerWrite(round_id, m, "x", AnswerSource.THREAD, at))
        assert a is not None
        scores.append(ScoreEntry(a.answer_id, m, 0.5, (True,), 10, ("all", "w2026-49"), at))
    assert await store.save_round_result(RoundResult(round_id, tuple(scores), ()))
    # As a database written before migration 4 would be: no hour counts at all.
    await store.db.execute("DROP TABLE score_hour_counts")
    await store.db.execute("DELETE FROM schema_migrations WHERE version = 4")
    assert await store.migrate() == [4]
    await assert_counts_match_totals(store)
    ranks = [await store.standing_of(1, "w2026-49", m) for m in ids]
    assert [r.rank for r in ranks if r is not None] == [1, 2, 3, 4, 5]


async def assert_counts_match_totals(store: SqlStore) -> None:
    """The count tables the ranks read hold what a recount of score_totals gives."""
    by_points: dict[tuple[str, int], int] = {}
    by_hour: dict[tuple[str, int, int], int] = {}
    for r in await store.db.fetch("SELECT period, points, achieved_at FROM score_totals"):
        by_points[(r["period"], r["points"])] = by_points.get((r["period"], r["points"]), 0) + 1
        key = (r["period"], r["points"], r["achieved_at"] // SCORE_HOUR)
        by_hour[key] = by_hour.get(key, 0) + 1
    kept = await store.db.fetch("SELECT period, points, members FROM score_counts")
    assert {(r["period"], r["points"]): r["members"] for r in kept if r["members"]} == by_points
    kept = await store.db.fetch(
        "SELECT period, points, achieved_hour, members FROM score_hour_counts"
    )
    assert {
        (r["period"], r["points"], r["achieved_hour"]): r["members"] for r in kept if r["members"]
    } == by_hour
    assert all(r["members"] >= 0 for r in kept)


def test_named_parameters_become_numbered_once_each() -> None:
    sql, names = numbered("SELECT :a, :b WHERE x = :a AND y = 'p:q' AND z::text = :c")
    assert sql == "SELECT $1, $2 WHERE x = $1 AND y = 'p:q' AND z::text = $3"
    assert names == ("a", "b", "c")


async def test_practice_attempts_and_reviews(store: SqlStore) -> None:
    from bot.review_schedule import GOOD, next_review

    member = await store.member_id(MemberRef("t", "u", "U"))
    attempt = await store.start_practice(member, None, "q1", T0)
    await store.practice_hinted(attempt.id)
    card = next_review(None, "q1", 0.9, GOOD, T0)
    rated = ReviewRating(attempt.id, member, "q1", 0.9, GOOD, T0, None)
    await store.finish_practice(attempt.id, T0, 0.9, card, member, rated)
    review = await store.review(member, "q1")
    assert review == card and review.attempts == 1 and review.last_review_at == T0
    assert await store.review(member, "q2") is None
    assert list(await store.reviews(member)) == ["q1"]
    latest = await store.latest_practice(member)
    assert latest is not None and latest.hinted and latest.finished
    assert await store.review_rating(attempt.id) == rated
    summary = await store.practice_summary(member, T0 + timedelta(days=3), T0 + timedelta(days=7))
    assert (summary.attempts, summary.answered, summary.due_today, summary.due_week) == (1, 1, 1, 1)
    summary = await store.practice_summary(member, T0 + timedelta(days=2), T0 + timedelta(days=3))
    assert (summary.due_today, summary.due_week) == (0, 1)  # due on T0 + 2 days: not before


async def test_a_rating_changes_the_review_only_while_it_is_the_latest(store: SqlStore) -> None:
    from bot.review_schedule import AGAIN, EASY, GOOD, next_review

    member = await store.member_id(MemberRef("t", "u", "U"))
    attempt = await store.start_practice(member, None, "q1", T0)
    before = next_review(None, "q1", 0.2, AGAIN, T0 - timedelta(days=1))
    card = next_review(before, "q1", 0.5, GOOD, T0)
    rated = ReviewRating(attempt.id, member, "q1", 0.5, GOOD, T0, before)
    await store.finish_practice(attempt.id, T0, 0.5, card, member, rated)
    assert await store.review_rating(attempt.id) == rated  # the card before, as it was
    easy = next_review(before, "q1", 0.5, EASY, T0)
    assert await store.rerate(replace(rated, rating=EASY), easy)
    assert await store.review(member, "q1") == easy
    stored = await store.review_rating(attempt.id)
    assert stored is not None and stored.rating == EASY
    later = T0 + timedelta(days=9)
    second = await store.start_practice(member, None, "q1", later)
    again = next_review(easy, "q1", 0.0, AGAIN, later)
    await store.finish_practice(second.id, later, None, again, member, None)
    assert not await store.rerate(replace(rated, rating=GOOD), card)  # reviewed since
    assert await store.review(member, "q1") == again


async def test_a_file_that_is_not_a_database_is_refused_and_closed(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-database.sqlite3"
    bad.write_bytes(b"this is plain text, not SQLite " * 100)
    threads = threading.active_count()
    with pytest.raises(sqlite3.DatabaseError):
        await open_sqlite(bad)
    for _ in range(100):
        if threading.active_count() <= threads:
            break
        await asyncio.sleep(0.01)
    assert threading.active_count() <= threads, "the connection's thread was left running"


async def test_helpful_votes_one_per_voter_on_open_on_time_answers_of_others(
    store: SqlStore,
) -> None:
    round_id = await open_round(store)
    author, voter, other = [await store.member_id(MemberRef("t", u, u.upper())) for u in "avo"]
    saved = await store.save_answer(
        AnswerWrite(round_id, author, "x", AnswerSource.THREAD, T0, "m1")
    )
    assert saved is not None
    assert await store.set_vote(1, "m1", voter, UP, True, T0)
    assert not await store.set_vote(1, "m1", voter, UP, True, T0)  # once per voter
    assert await store.set_vote(1, "m1", other, UP, True, T0)
    assert not await store.set_vote(1, "m1", author, UP, True, T0)  # not one's own
    assert not await store.set_vote(1, "nope", voter, UP, True, T0)  # no such message
    assert not await store.set_vote(2, "m1", other, UP, True, T0)  # another group's channel
    [answer] = await store.round_answers(round_id)
    assert answer.helpful_votes == 2
    assert await store.set_vote(1, "m1", other, UP, False, T0)
    assert not await store.set_vote(1, "m1", other, UP, False, T0)
    mine = await store.member_answer(round_id, author)
    assert mine is not None and mine.helpful_votes == 1
    assert await store.set_vote(1, "m1", other, UP, True, T0)
    assert await store.clear_votes(1, "m1") == 2  # a moderator cleared the reactions
    assert await store.clear_votes(1, "m1") == 0
    assert await store.set_vote(1, "m1", voter, UP, True, T0)  # voting again is possible
    assert await store.claim_reveal(round_id, T0, T0 + LEASE) is not None
    assert not await store.set_vote(1, "m1", other, UP, True, T0)  # the round is being revealed
    assert not await store.set_vote(1, "m1", voter, UP, False, T0)  # and votes are settled


async def test_a_vote_stays_while_any_of_the_voters_reactions_holds_it(store: SqlStore) -> None:
    round_id = await open_round(store)
    author, voter, other = [await store.member_id(MemberRef("t", u, u.upper())) for u in "avo"]
    await store.save_answer(AnswerWrite(round_id, author, "x", AnswerSource.THREAD, T0, "m1"))
    burst, toned = VoteReaction("👍", burst=True), VoteReaction("👍🏽")

    async def votes() -> int:
        mine = await store.member_answer(round_id, author)
        assert mine is not None
        return mine.helpful_votes

    assert await store.set_vote(1, "m1", voter, UP, True, T0)
    assert not await store.set_vote(1, "m1", voter, burst, True, T0)  # the same vote, held twice
    assert not await store.set_vote(1, "m1", voter, toned, True, T0)  # and three times
    assert await votes() == 1
    assert not await store.set_vote(1, "m1", voter, UP, False, T0)  # the others still hold it
    assert not await store.set_vote(1, "m1", voter, burst, False, T0)
    assert await votes() == 1
    assert await store.set_vote(1, "m1", voter, toned, False, T0)  # the last one: gone
    assert await votes() == 0

    # A moderator clearing one emoji takes back only the votes no other emoji holds.
    assert await store.set_vote(1, "m1", voter, UP, True, T0)
    assert not await store.set_vote(1, "m1", voter, toned, True, T0)
    assert await store.set_vote(1, "m1", other, UP, True, T0)
    assert await store.clear_votes(1, "m1", "👍") == 1  # the other's; the voter's 👍🏽 remains
    assert await votes() == 1
    assert await store.clear_votes(1, "m1") == 1
    assert await votes() == 0


async def test_votes_stay_with_the_message_they_were_given_on(store: SqlStore) -> None:
    round_id = await open_round(store)
    author, voter = [await store.member_id(MemberRef("t", u, u.upper())) for u in "av"]

    async def say(text: str, message_id: str | None) -> int:
        source = AnswerSource.THREAD if message_id else AnswerSource.PRIVATE
        await store.save_answer(AnswerWrite(round_id, author, text, source, T0, message_id))
        mine = await store.member_answer(round_id, author)
        assert mine is not None
        return mine.helpful_votes

    assert await say("first", "m1") == 0
    assert await store.set_vote(1, "m1", voter, UP, True, T0)
    assert await say("first, edited", "m1") == 1  # an edit of the same message keeps it
    assert await say("a second message", "m2") == 1  # another part of the same answer
    assert not await store.set_vote(1, "m2", voter, UP, True, T0)  # a 👍 on part 2: one vote
    assert not await store.set_vote(1, "m1", voter, UP, False, T0)  # m2's 👍 still holds it
    assert await say("given privately instead", None) == 0  # the messages voted on are gone
    row = await store.db.fetchrow("SELECT COUNT(*) AS n FROM vote_reactions")
    assert row is not None and row["n"] == 0


async def test_unfinished_practice_is_replaced_not_piled_up(store: SqlStore) -> None:
    member = await store.member_id(MemberRef("t", "u", "U"))
    for n in range(5):  # asked again and again, never answered
        await store.start_practice(member, None, f"q{n}", T0 + timedelta(minutes=n))
    rows = await store.db.fetch("SELECT question_id FROM practice_attempts")
    assert [r["question_id"] for r in rows] == ["q4"]
    latest = await store.latest_practice(member)
    assert latest is not None and latest.question_id == "q4"
    from bot.review_schedule import EASY, next_review

    done = next_review(None, "q4", 0.9, EASY, T0)
    await store.finish_practice(latest.id, T0, 0.9, done, member)
    await store.start_practice(member, None, "q5", T0)  # the finished one stays: it is history
    rows = await store.db.fetch("SELECT question_id FROM practice_attempts ORDER BY id")
    assert [r["question_id"] for r in rows] == ["q4", "q5"]


async def test_deliveries_are_first_once_until_they_expire(store: SqlStore) -> None:
    hour = timedelta(hours=1)
    assert await store.first_delivery("slack:T1:Ev1", T0, T0 + hour)
    assert not await store.first_delivery("slack:T1:Ev1", T0 + timedelta(minutes=5), T0 + hour)
    other = SqlStore(store.db, ManualClock(T0))  # another replica on the same database
    assert not await other.first_delivery("slack:T1:Ev1", T0 + timedelta(minutes=30), T0 + hour)
    assert await other.first_delivery("slack:T1:Ev2", T0, T0 + hour)
    # Expired: seen as new again, and kept for another while.
    later = T0 + hour
    assert await store.first_delivery("slack:T1:Ev1", later, later + hour)
    assert not await other.first_delivery("slack:T1:Ev1", later, later + hour)
    assert await store.forget_deliveries(later) == 1  # Ev2's record expired; Ev1's was renewed
    assert await store.forget_deliveries(later) == 0
    assert not await store.first_delivery("slack:T1:Ev1", later, later + hour)


async def test_a_withdrawn_answer_takes_its_votes(store: SqlStore) -> None:
    round_id = await open_round(store)
    author, voter = [await store.member_id(MemberRef("t", u, u.upper())) for u in "av"]
    await store.save_answer(AnswerWrite(round_id, author, "x", AnswerSource.THREAD, T0, "m1"))
    assert await store.set_vote(1, "m1", voter, UP, True, T0)
    done = await store.withdraw_part(round_id, author, "m1", T0)
    assert done.outcome is WithdrawOutcome.WITHDRAWN
    row = await store.db.fetchrow("SELECT COUNT(*) AS n FROM votes")
    assert row is not None and row["n"] == 0


async def test_hidden_characters_never_reach_a_stored_name(store: SqlStore) -> None:
    # A NUL made PostgreSQL refuse the member's every event; a U+202E reversed the board.
    nul = await store.member_id(MemberRef("t", "u1", "Nul\x00l"))
    spoof = await store.member_id(MemberRef("t", "u2", "Eve\u202egnp.exe\u200b"))
    rows = await store.db.fetch("SELECT id, display_name FROM members ORDER BY id")
    assert [(r["id"], r["display_name"]) for r in rows] == [(nul, "Null"), (spoof, "Evegnp.exe")]
    fresh = SqlStore(store.db, ManualClock(T0))  # no cache: the same member again
    assert await fresh.member_id(MemberRef("t", "u1", "Nul\x00l")) == nul


async def test_a_member_without_a_name_keeps_the_name_on_record(store: SqlStore) -> None:
    named = await store.member_id(MemberRef("t", "u1", "Ann"))
    assert await store.member_id(MemberRef("t", "u1", "")) == named
    fresh = SqlStore(store.db, ManualClock(T0))  # another replica: nothing cached
    assert await fresh.member_id(MemberRef("t", "u1", "")) == named
    row = await store.db.fetchrow("SELECT display_name FROM members WHERE id = :i", {"i": named})
    assert row is not None and row["display_name"] == "Ann"
    assert await store.member_id(MemberRef("t", "u1", "Ann B.")) == named
    row = await store.db.fetchrow("SELECT display_name FROM members WHERE id = :i", {"i": named})
    assert row is not None and row["display_name"] == "Ann B."


async def test_independent_reads_come_back_in_order_and_a_failure_stops_the_rest(
    store: SqlStore,
) -> None:
    ids = [await store.member_id(MemberRef("t", f"u{i}", f"U{i}")) for i in range(3)]
    rows = await store.each(
        store.db.fetchrow("SELECT display_name AS n FROM members WHERE id = :i", {"i": i})
        for i in ids
    )
    assert [r["n"] for r in rows if r is not None] == ["U0", "U1", "U2"]
    groups, none = await store.together(store.list_groups(), store.get_round(999))
    assert (groups, none) == ([], None)

    async def never() -> None:
        raise AssertionError("not to be read after a failure")

    reads = [store.db.fetch("SELECT * FROM nowhere"), never()]
    if store.db.parallel_reads:  # issued at once, both would run: the failure comes back
        reads.pop().close()
    with pytest.raises(Exception, match="nowhere"):
        await store.each(reads)
    if not store.db.parallel_reads:  # read in turn: what follows a failure never runs
        assert inspect.getcoroutinestate(reads[1]) == inspect.CORO_CLOSED  # nor warns


async def test_sqlite_reads_quick_queries_without_giving_up_the_loop(tmp_path: Path) -> None:
    store = SqlStore(await open_sqlite(tmp_path / "q.sqlite3"), ManualClock(T0))
    await store.migrate()
    member = await store.member_id(MemberRef("t", "u", "U"))
    ticks = 0

    async def other_work() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(other_work())
    try:
        await asyncio.sleep(0)
        before = ticks
        await store.together(
            store.member_stats(1, [member]),
            store.latest_revealed_round(1),
            store.member_history(1, member),
            store.practice_summary(member, T0, T0),
            store.each(store.standing_of(1, p, member) for p in ("w2026-49", "all")),
        )
        assert ticks == before  # seven reads, and the other task never ran in between
    finally:
        other.cancel()
        await store.close()


async def test_the_last_moment_is_the_latest_activity_recorded(store: SqlStore) -> None:
    assert await store.last_moment() is None  # a new database: the console's default start
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    assert await store.last_moment() == T0  # set up on the store's clock
    round_ = await store.claim_round(group.id, date(2026, 12, 1), "q1", T0)
    assert round_ is not None
    posted = T0 + timedelta(days=1, hours=3)
    await store.round_posted(round_.id, "m1", "t1", posted, posted + timedelta(hours=8))
    assert await store.last_moment() == posted


async def test_a_transaction_that_need_not_be_durable_commits_and_leaves_durability_on(
    store: SqlStore,
) -> None:
    async with store.db.transaction(durable=False) as tx:
        await tx.execute("INSERT INTO deliveries (delivery_key, expires_at) VALUES ('k', 1)", None)
    row = await store.db.fetchrow("SELECT COUNT(*) AS n FROM deliveries WHERE delivery_key = 'k'")
    assert row is not None and row["n"] == 1
    if store.db.dialect == "sqlite":
        async with store.db.transaction() as tx:
            [mode] = await tx.fetch("PRAGMA synchronous")
        assert mode[0] == 2  # FULL again for every other write
    else:
        async with store.db.transaction() as tx:
            setting = await tx.fetchrow("SHOW synchronous_commit")
        assert setting is not None and setting[0] == "on"
