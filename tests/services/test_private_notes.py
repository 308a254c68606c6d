"""The core's private messages: a member whose DMs are closed is noted, skipped, tried again.

`PrivateNotes` on the in-memory store and a recording chat port (`PrivateChat`:
`refused` members' DMs are closed, `closed` ones fail as a platform error does).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot import appeal_messages as words
from bot.appeals import AppealService
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import Group, MemberRef
from bot.private_notes import RETRY_AFTER, PrivateNotes
from bot.records import AppealStatus
from bot.replies import Reply
from bot.telemetry.metrics import REGISTRY
from tests.services.appeal_setup import GOOD, ONE, revealed
from tests.services.conftest import ANN, BEN, PrivateChat
from tests.services.memory_store import MemoryStore

NOTE = Reply(text="A secret grade note for Ann")


def _count(platform: str, outcome: str) -> float:
    labels = {"platform": platform, "outcome": outcome}
    return REGISTRY.get_sample_value("studybot_private_closed_total", labels) or 0.0


async def test_a_delivered_message_is_sent_once_and_nothing_is_noted(
    notes: PrivateNotes, dms: PrivateChat, store: MemoryStore
) -> None:
    assert await notes.send(ANN, NOTE)
    assert dms.to("ann") == [NOTE] and store.private_closed == {}


async def test_a_refused_member_is_noted_then_left_alone_for_seven_days(
    notes: PrivateNotes, dms: PrivateChat, clock: ManualClock
) -> None:
    dms.refused = {"ann"}
    assert not await notes.send(ANN, NOTE)
    assert dms.tried == ["ann"]
    assert await notes.closed("t", ["ann", "ben"]) == {"ann"}
    clock.advance(RETRY_AFTER - timedelta(seconds=1))
    assert not await notes.send(ANN, NOTE)  # no second knock on the closed door
    assert dms.tried == ["ann"]
    assert await notes.send(BEN, NOTE)  # others are reached as ever
    dms.refused = set()  # Ann opened her DMs meanwhile
    clock.advance(timedelta(seconds=1))
    assert await notes.closed("t", ["ann"]) == frozenset()
    assert await notes.send(ANN, NOTE)
    assert dms.tried == ["ann", "ben", "ann"] and dms.to("ann") == [NOTE]


async def test_a_member_still_closed_after_seven_days_is_noted_for_seven_more(
    notes: PrivateNotes, dms: PrivateChat, clock: ManualClock, store: MemoryStore
) -> None:
    dms.refused = {"ann"}
    await notes.send(ANN, NOTE)
    clock.advance(RETRY_AFTER)
    assert not await notes.send(ANN, NOTE)
    assert dms.tried == ["ann", "ann"]
    assert store.private_closed[("t", "ann")] == (clock.now(), clock.now() + RETRY_AFTER)
    clock.advance(RETRY_AFTER - timedelta(seconds=1))
    assert not await notes.send(ANN, NOTE)
    assert dms.tried == ["ann", "ann"]


async def test_the_note_is_per_platform(notes: PrivateNotes, dms: PrivateChat) -> None:
    dms.refused = {"ann"}
    await notes.send(ANN, NOTE)
    dms.refused = set()
    assert await notes.send(MemberRef("other", "ann", "Ann"), NOTE)
    assert await notes.closed("other", ["ann"]) == frozenset()


async def test_another_failure_raises_and_notes_nothing(
    notes: PrivateNotes, dms: PrivateChat, store: MemoryStore
) -> None:
    dms.closed = {"ann"}  # the platform is away: nothing about Ann's DMs
    with pytest.raises(ConnectionError):
        await notes.send(ANN, NOTE)
    assert store.private_closed == {}
    dms.closed = set()
    assert await notes.send(ANN, NOTE)


async def test_refusals_and_skips_are_counted_and_logged_without_the_message(
    notes: PrivateNotes, dms: PrivateChat, caplog: pytest.LogCaptureFixture
) -> None:
    refused, skipped = _count("t", "refused"), _count("t", "skipped")
    dms.refused = {"ann"}
    with caplog.at_level(logging.INFO, logger="bot.private_notes"):
        await notes.send(ANN, NOTE)
        await notes.send(ANN, NOTE)
    assert (_count("t", "refused"), _count("t", "skipped")) == (refused + 1, skipped + 1)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.private_notes"]
    assert len(lines) == 2 and all("ann" in line for line in lines)
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "bot.private_notes")
    assert not any("secret" in line or "Ann" in line for line in lines)


# -- the senders -------------------------------------------------------------------


async def test_an_admin_with_closed_dms_is_not_counted_told_nor_asked_again(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    club: Group,
) -> None:
    await revealed(store, fixture_bank, clock, club, {ANN: GOOD, BEN: ONE})
    dms.refused = {"dora"}
    reply = await appeals.appeal_latest(club, BEN, "point 2")
    assert not reply.is_error and "with 1 admin of this channel" in reply.text
    assert sorted(dms.tried) == ["dora", "fay"]
    assert store.private_closed.keys() == {("t", "dora")}
    dms.tried.clear()
    reply = await appeals.appeal_latest(club, ANN, "point 3")
    assert "with 2 admins of this channel" in reply.text
    assert sorted(dms.tried) == ["ben", "fay"]  # Dora is left alone
    assert [a.status for a in store.appeals.values()] == [AppealStatus.OPEN] * 2
    assert dms.posts == [] and dms.round_cards == []  # nothing said in any channel


async def test_a_regraded_member_with_closed_dms_is_skipped_and_the_grade_changes(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    club: Group,
) -> None:
    await revealed(store, fixture_bank, clock, club, {ANN: GOOD, BEN: ONE})
    await store.mark_private_closed("t", "ben", clock.now(), clock.now() + RETRY_AFTER)
    await appeals.appeal_latest(club, BEN, "point 1 too")
    [case] = dms.to("fay")
    value = next(b.value for b in case.buttons if b.action == words.KEEP)
    reply = await appeals.keep(MemberRef("t", "dora", "Dora"), value, "as graded")
    assert reply.title == "Grade kept" and "ben" not in dms.tried
    assert store.appeals[1].status is AppealStatus.KEPT
