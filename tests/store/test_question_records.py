"""Rounds' figures and problem reports: the same on SQLite, PostgreSQL and the in-memory twin.

Rounds are claimed, posted, answered and revealed through the store's own
calls and the real RoundService, then counted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import AnswerSource, ChannelRef, GroupSettings, MemberRef, RoundStatus
from bot.private_notes import PrivateNotes
from bot.records import AnswerWrite
from bot.rounds import RoundPolicy, RoundService
from bot.scoring import ScoringRules
from bot.store.sql_store import SqlStore
from bot.store.urls import open_database
from tests.postgres import postgres_schema, schema_url
from tests.services.appeal_setup import GOOD, NOT_ONE, ONE, NoJobs
from tests.services.conftest import NOW, FakeChat
from tests.services.memory_store import MemoryStore

ANN, BEN, CAL = (MemberRef("t", n, n.title()) for n in ("ann", "ben", "cal"))


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """The in-memory store, and the SQL store on SQLite and PostgreSQL."""
    clock = ManualClock(NOW)
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "sqlite":
        sql = SqlStore(await open_database(f"sqlite:///{tmp_path / 'bot.sqlite3'}"), clock)
        await sql.migrate()
        yield sql
        await sql.close()
        return
    async with postgres_schema() as schema:
        sql = SqlStore(await open_database(schema_url(schema)), clock)
        await sql.migrate()
        yield sql
        await sql.close()


async def play(
    store: Any, bank: QuestionBank, group_id: int, day: date, answers: dict[MemberRef, str]
) -> int:
    """Claim, post and answer the group's round of `day`, reveal it; return its id."""
    clock = ManualClock(NOW)
    at = datetime.combine(day, NOW.timetz())
    round_ = await store.claim_round(group_id, day, "evaluation-kfold", at, RoundStatus.POSTING)
    assert round_ is not None
    assert await store.round_posted(round_.id, f"m{round_.id}", f"t{round_.id}", at, at)
    for member, text in answers.items():
        write = AnswerWrite(
            round_.id, await store.member_id(member), text, AnswerSource.PRIVATE, at
        )
        assert await store.save_answer(write) is not None
    chat = FakeChat()
    notes = PrivateNotes(store, chat, clock)
    rounds = RoundService(store, bank, chat, clock, NoJobs(), ScoringRules(), RoundPolicy(), notes)
    assert await rounds.reveal(round_.id)
    return int(round_.id)


async def grade_late_answers(store: Any) -> None:
    """Store a full grade on every late answer."""
    if isinstance(store, MemoryStore):
        for key, answer in store.answers.items():
            if answer.late:
                store.answers[key] = replace(answer, covered=(True,) * 3, coverage=1.0)
        return
    await store.db.execute("UPDATE answers SET covered = '111', coverage = 1.0 WHERE late = 1")


async def test_figures_and_reports_are_the_same_on_every_store(
    store: Any, fixture_bank: QuestionBank
) -> None:
    group = await store.create_group(ChannelRef("t", "w", "g"), GroupSettings())
    other = await store.create_group(ChannelRef("t", "w", "h"), GroupSettings())
    monday = await play(store, fixture_bank, group.id, date(2026, 11, 30), {ANN: GOOD, BEN: ONE})
    tuesday = await play(store, fixture_bank, group.id, date(2026, 12, 1), {})
    await play(store, fixture_bank, other.id, date(2026, 12, 1), {CAL: GOOD})
    late = AnswerWrite(
        monday, await store.member_id(CAL), NOT_ONE, AnswerSource.PRIVATE, NOW + timedelta(1)
    )
    assert await store.save_answer(late) is not None  # after the reveal: late
    await grade_late_answers(store)  # were a late answer's grade kept, it would not count
    wednesday = date(2026, 12, 2)  # posted and answered, not revealed: not counted
    at = datetime.combine(wednesday, NOW.timetz())
    open_round = await store.claim_round(group.id, wednesday, "evaluation-kfold", at)
    assert await store.round_posted(open_round.id, "m9", "t9", at, at)
    write = AnswerWrite(open_round.id, await store.member_id(ANN), GOOD, AnswerSource.PRIVATE, at)
    assert await store.save_answer(write) is not None

    tallies = await store.round_tallies(group.id, date(2026, 11, 30))
    assert [(t.round_id, t.local_date, t.on_time) for t in tallies] == [
        (tuesday, date(2026, 12, 1), 0),
        (monday, date(2026, 11, 30), 2),
    ]
    assert tallies[0].covered == {} and tallies[0].coverage_sum == 0
    assert dict(tallies[1].covered) == {"110": 1, "010": 1}
    assert tallies[1].coverage_sum == pytest.approx(1.0)
    assert await store.active_members(group.id, date(2026, 11, 30)) == 3  # Cal, late
    assert await store.active_members(group.id, date(2026, 12, 1)) == 0  # Ann: not revealed
    assert [t.round_id for t in await store.round_tallies(group.id, date(2026, 12, 1))] == [tuesday]

    ben = await store.member_id(BEN)
    assert await store.save_report(monday, ben, "evaluation-kfold", "first", NOW) is False
    assert await store.save_report(monday, ben, "evaluation-kfold", "second", NOW) is True
    ann = await store.member_id(ANN)
    assert await store.save_report(monday, ann, "evaluation-kfold", "hers", NOW) is False
    if isinstance(store, SqlStore):
        reports = await store.problem_reports()
        assert sorted(r.note for r in reports) == ["hers", "second"]
        assert {r.round_date for r in reports} == {date(2026, 11, 30)}
