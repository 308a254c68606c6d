"""Answers in parts on SQLite and PostgreSQL: batches, deletions, closed notes, the upgrade."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.model import AnswerSource, MemberRef
from bot.records import AnswerChange, AnswerWrite, WithdrawOutcome
from bot.store import migrations
from bot.store.postgres import open_postgres
from bot.store.sql_store import SqlStore
from tests.postgres import POSTGRES_URL, postgres_schema
from tests.store.conftest import store_on
from tests.store.test_sql_store import LEASE, T0, UP, open_round, store

__all__ = ["store"]  # the fixture, on both databases

THREAD = AnswerSource.THREAD


@pytest.fixture(params=["sqlite", "postgresql"])
async def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """A store on an empty database of each kind, not migrated yet."""
    async with store_on(request.param, tmp_path, T0, migrated=False, file="u.sqlite3") as s:
        yield s


async def test_messages_in_one_batch_become_parts_in_the_order_they_came(
    store: SqlStore,
) -> None:
    round_id = await open_round(store)
    m = await store.member_id(MemberRef("t", "u", "U"))
    first, second, edit = await asyncio.gather(
        store.save_answer(AnswerWrite(round_id, m, "bias is one", THREAD, T0, "m1")),
        store.save_answer(AnswerWrite(round_id, m, "variance is two", THREAD, T0, "m2")),
        store.save_answer(AnswerWrite(round_id, m, "bias is error", THREAD, T0, "m1")),
    )
    assert first is not None and second is not None and edit is not None
    changes = (first.change, second.change, edit.change)
    assert changes == (AnswerChange.RECORDED, AnswerChange.ADDED, AnswerChange.EDITED)
    assert edit.parts == 2
    mine = await store.member_answer(round_id, m)
    assert mine is not None and mine.text == "bias is error\nvariance is two"
    third = await store.save_answer(AnswerWrite(round_id, m, "and noise", THREAD, T0, "m3"))
    assert third is not None and (third.change, third.parts) == (AnswerChange.ADDED, 3)
    rows = await store.db.fetch(
        "SELECT message_id FROM answer_parts WHERE answer_id = :a ORDER BY position",
        {"a": first.answer_id},
    )
    assert [r["message_id"] for r in rows] == ["m1", "m2", "m3"]


async def test_a_whole_answer_over_the_limit_changes_nothing(store: SqlStore) -> None:
    round_id = await open_round(store)
    m = await store.member_id(MemberRef("t", "u", "U"))
    text = "x" * 30
    await store.save_answer(AnswerWrite(round_id, m, text, THREAD, T0, "m1", max_chars=50))
    refused = await store.save_answer(
        AnswerWrite(round_id, m, text, THREAD, T0, "m2", max_chars=50)
    )
    assert refused is not None and refused.change is AnswerChange.TOO_LONG
    assert refused.chars == 61
    mine = await store.member_answer(round_id, m)
    assert mine is not None and mine.text == text


async def test_deleting_a_part_takes_only_it_and_its_reactions(store: SqlStore) -> None:
    round_id = await open_round(store)
    author, voter = [await store.member_id(MemberRef("t", u, u.upper())) for u in "av"]
    for text, message in (("one", "m1"), ("two", "m2"), ("three", "m3")):
        await store.save_answer(AnswerWrite(round_id, author, text, THREAD, T0, message))
    assert await store.set_vote(1, "m2", voter, UP, True, T0)
    assert (await store.withdraw_part(round_id, author, "nope", T0)).outcome is (
        WithdrawOutcome.NOT_A_PART
    )
    done = await store.withdraw_part(round_id, author, "m2", T0)
    assert (done.outcome, done.parts_left) == (WithdrawOutcome.PART_REMOVED, 2)
    mine = await store.member_answer(round_id, author)
    assert mine is not None and (mine.text, mine.helpful_votes) == ("one\nthree", 0)
    added = await store.save_answer(AnswerWrite(round_id, author, "four", THREAD, T0, "m4"))
    assert added is not None and (added.change, added.parts) == (AnswerChange.ADDED, 3)
    for message in ("m1", "m3"):
        await store.withdraw_part(round_id, author, message, T0)
    assert await store.claim_reveal(round_id, T0, T0 + LEASE) is not None
    closed = await store.withdraw_part(round_id, author, "m4", T0)
    assert closed.outcome is WithdrawOutcome.CLOSED
    mine = await store.member_answer(round_id, author)
    assert mine is not None and mine.text == "four"


async def test_the_last_part_deleted_withdraws_the_answer(store: SqlStore) -> None:
    round_id = await open_round(store)
    author = await store.member_id(MemberRef("t", "a", "A"))
    await store.save_answer(AnswerWrite(round_id, author, "one", THREAD, T0, "m1"))
    done = await store.withdraw_part(round_id, author, "m1", T0)
    assert done.outcome is WithdrawOutcome.WITHDRAWN
    assert await store.member_answer(round_id, author) is None
    row = await store.db.fetchrow("SELECT COUNT(*) AS n FROM answer_parts")
    assert row is not None and row["n"] == 0


async def test_answers_closed_is_told_once_per_round_whichever_replica_asks(
    store: SqlStore,
) -> None:
    round_id = await open_round(store)
    member = await store.member_id(MemberRef("t", "a", "A"))
    assert await store.told_closed(round_id, member)
    assert not await store.told_closed(round_id, member)
    other = SqlStore(store.db, ManualClock(T0))  # another replica, or after a restart
    assert not await other.told_closed(round_id, member)


async def test_the_upgrade_makes_each_existing_answer_one_part_and_keeps_its_votes(
    unmigrated: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = unmigrated
    everything = migrations.MIGRATIONS
    monkeypatch.setattr(migrations, "MIGRATIONS", everything[:7])
    assert await store.migrate() == [1, 2, 3, 4, 5, 6, 7]
    round_id = await open_round(store)
    author, voter = [await store.member_id(MemberRef("t", u, u.upper())) for u in "av"]
    # As a version-7 database holds them: the answer names its one message.
    await store.db.execute(
        "INSERT INTO answers (id, round_id, member_id, text, source, message_id,"
        " submitted_at, late) VALUES (1, :r, :m, 'bias and variance', 'thread', 'm1', 0, 0)",
        {"r": round_id, "m": author},
    )
    await store.db.execute(
        "INSERT INTO votes (answer_id, voter_id, voted_at) VALUES (1, :v, 0)", {"v": voter}
    )
    await store.db.execute(
        "INSERT INTO vote_reactions (answer_id, voter_id, emoji, burst) VALUES (1, :v, '👍', 0)",
        {"v": voter},
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", everything)
    assert await store.migrate() == [8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22]
    mine = await store.member_answer(round_id, author)
    assert mine is not None and (mine.text, mine.helpful_votes) == ("bias and variance", 1)
    added = await store.save_answer(AnswerWrite(round_id, author, "and noise", THREAD, T0, "m2"))
    assert added is not None and (added.change, added.parts) == (AnswerChange.ADDED, 2)
    mine = await store.member_answer(round_id, author)
    assert mine is not None and mine.text == "bias and variance\nand noise"
    assert await store.set_vote(1, "m1", voter, UP, False, T0)  # the old reaction held it


async def test_two_replicas_adding_parts_at_once_keep_both() -> None:
    # Each replica's batch claims (locks) the answer before reading its parts.
    async with postgres_schema() as schema:
        one = SqlStore(await open_postgres(POSTGRES_URL, schema=schema), ManualClock(T0))
        two = SqlStore(await open_postgres(POSTGRES_URL, schema=schema), ManualClock(T0))
        try:
            await one.migrate()
            round_id = await open_round(one)
            m = await one.member_id(MemberRef("t", "u", "U"))
            for n in range(0, 20, 2):
                saved = await asyncio.gather(
                    one.save_answer(AnswerWrite(round_id, m, f"p{n}", THREAD, T0, f"m{n}")),
                    two.save_answer(AnswerWrite(round_id, m, f"p{n + 1}", THREAD, T0, f"m{n + 1}")),
                )
                assert all(s is not None for s in saved)
            mine = await one.member_answer(round_id, m)
            assert mine is not None and sorted(mine.text.split("\n")) == sorted(
                f"p{n}" for n in range(20)
            )
            rows = await one.db.fetch("SELECT COUNT(*) AS n FROM answer_parts")
            assert rows[0]["n"] == 20
        finally:
            await one.close()
            await two.close()
