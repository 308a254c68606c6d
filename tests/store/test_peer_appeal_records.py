"""Peer appeals in the store, on SQLite and PostgreSQL: which wait, and passing one on once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.model import AnswerSource, ChannelRef, GroupSettings, MemberRef
from bot.records import AnswerWrite
from bot.store.sql_store import SqlStore
from tests.store.conftest import store_on

T0 = datetime.fromisoformat("2026-11-30T09:00+00:00")
HOUR = timedelta(hours=1)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The same store on a real SQLite file and on a real PostgreSQL server."""
    async with store_on(request.param, tmp_path, T0) as s:
        yield s


async def _appeals(store: SqlStore, members: str) -> list[int]:
    """Return an appeal of each member's answer to one round, in order, an hour apart."""
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    round_ = await store.claim_round(group.id, date(2026, 11, 30), "q1", T0)
    assert round_ is not None
    assert await store.round_posted(round_.id, "m", "t", T0, T0 + 8 * HOUR)
    ids = []
    for n, name in enumerate(members):
        member = await store.member_id(MemberRef("t", name, name.upper()))
        write = AnswerWrite(round_.id, member, "an answer", AnswerSource.PRIVATE, T0)
        saved = await store.save_answer(write)
        assert saved is not None
        appeal = await store.open_appeal(saved.answer_id, group.id, "", T0 + n * HOUR)
        assert appeal is not None
        ids.append(appeal.id)
    return ids


async def test_only_open_peer_appeals_not_passed_on_wait_and_one_is_passed_once(
    store: SqlStore,
) -> None:
    by_peers, by_admins, decided = await _appeals(store, "abc")
    judge = await store.member_id(MemberRef("t", "j", "J"))
    for appeal_id in (by_peers, decided):
        await store.add_judges(appeal_id, [judge])
    assert await store.keep_grade(decided, judge, "settled", T0 + 3 * HOUR) is not None
    assert [a.id for a in await store.waiting_peer_appeals()] == [by_peers]
    assert not await store.pass_to_admins(decided, T0 + 30 * HOUR)
    passes = await asyncio.gather(
        *(store.pass_to_admins(by_peers, T0 + 30 * HOUR) for _ in range(4))
    )
    assert sorted(passes) == [False, False, False, True]
    assert await store.waiting_peer_appeals() == []
    # the judges may still settle it: it stays open
    appeal = await store.appeal(by_peers)
    assert appeal is not None and appeal.status.value == "open"
    assert [a.id for a in await store.open_appeals(appeal.group_id)] == [by_peers, by_admins]
