"""ReviewNoteService on the in-memory store: the daily note, once, on the member's days only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import Group, MemberRef
from bot.private_notes import PrivateNotes
from bot.records import Review
from bot.replies import Reply
from bot.review_note_messages import START_REVIEW
from bot.review_notes import ReviewNoteService, next_note_at
from bot.store.review_note_records import ReviewNote
from tests.services.conftest import ANN, BEN, NOW, PrivateChat
from tests.services.memory_review_notes import MemoryReviewNotes

# NOW is Tuesday 1 December 2026, 11:00 in Berlin; a note at 08:00 there is 07:00 UTC.
WED_8 = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
THU_8 = WED_8 + timedelta(days=1)


class RecordedJobs:
    """A scheduler that records the review notes it was asked to arm."""

    def __init__(self) -> None:
        self.armed: list[tuple[int, datetime]] = []

    def arm_review_note(self, member_id: int, at: datetime) -> None:
        """Record a member's review note job."""
        self.armed.append((member_id, at))


@pytest.fixture
def store() -> MemoryReviewNotes:
    """Return an empty in-memory store with review notes."""
    return MemoryReviewNotes()


@pytest.fixture
def jobs() -> RecordedJobs:
    """Return a scheduler that records what it arms."""
    return RecordedJobs()


def _service(
    store: MemoryReviewNotes,
    bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    jobs: RecordedJobs,
) -> ReviewNoteService:
    return ReviewNoteService(store, bank, PrivateNotes(store, dms, clock), clock, jobs)


@pytest.fixture
def service(
    store: MemoryReviewNotes,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    jobs: RecordedJobs,
) -> ReviewNoteService:
    """Return the service on the fakes."""
    return _service(store, fixture_bank, clock, dms, jobs)


async def _due(store: MemoryReviewNotes, member: MemberRef, *due: tuple[str, datetime]) -> int:
    """Put reviews in a member's schedule, each (question, due at); return their id."""
    member_id = await store.member_id(member)
    for question_id, at in due:
        store.review_rows[(member_id, question_id)] = Review(question_id, at, 1, 0.5)
    return member_id


def _text(reply: Reply) -> str:
    return " ".join([reply.text, reply.footer or ""])


async def test_the_note_counts_the_reviews_due_and_names_the_oldest_category(
    service: ReviewNoteService,
    store: MemoryReviewNotes,
    group: Group,
    clock: ManualClock,
    dms: PrivateChat,
    jobs: RecordedJobs,
) -> None:
    said = await service.preference(ANN, group, "on", "08:00")
    assert "at 08:00 (Europe/Berlin)" in said.text and not said.is_error
    ann = await _due(
        store,
        ANN,
        ("nlp-tf-idf", NOW),
        ("evaluation-kfold", NOW - timedelta(days=2)),  # the oldest
        ("algorithms-l1-l2", WED_8),
        ("gone-from-the-bank", NOW - timedelta(days=5)),  # not counted
        ("nlp-word-embeddings", WED_8 + timedelta(seconds=1)),  # not due yet
    )
    assert jobs.armed == [(ann, WED_8)]
    clock.set(WED_8)
    await service.note_due(ann)
    [note] = dms.to("ann")
    assert "**3 reviews due** — the oldest is in *Evaluation*" in note.text
    assert [b.action for b in note.buttons] == [START_REVIEW]
    assert "/review remind off" in _text(note)
    assert jobs.armed[-1] == (ann, THU_8)
    await service.note_due(ann)  # the same job again: already sent
    assert len(dms.to("ann")) == 1


async def test_one_review_due_is_said_in_the_singular_and_none_sends_nothing(
    service: ReviewNoteService,
    store: MemoryReviewNotes,
    group: Group,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    await service.preference(ANN, group, "on", "08:00")
    ann = await _due(store, ANN, ("nlp-tf-idf", THU_8))
    clock.set(WED_8)
    await service.note_due(ann)  # nothing due on Wednesday: no note
    assert dms.private == []
    note = await store.review_note(ann)
    assert note is not None and note.next_at == THU_8
    clock.set(THU_8)
    await service.note_due(ann)
    [note_sent] = dms.to("ann")
    assert "**1 review due** — it is in *NLP*" in note_sent.text


async def test_off_stops_the_notes(
    service: ReviewNoteService,
    store: MemoryReviewNotes,
    group: Group,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    await service.preference(ANN, group, "on", None)
    ann = await _due(store, ANN, ("nlp-tf-idf", NOW))
    said = await service.preference(ANN, group, "off", None)
    assert "now off" in said.text
    assert "already off" in (await service.preference(ANN, group, "off", None)).text
    clock.set(datetime(2026, 12, 2, 8, 0, tzinfo=UTC))  # 09:00 in Berlin, the default
    await service.note_due(ann)
    await service.sweep(at_start=True)
    assert dms.private == []
    assert "is off" in (await service.preference(ANN, group, "status", None)).text


class SlowReads(MemoryReviewNotes):
    """The in-memory store, letting another task run after each read of a note."""

    async def review_note(self, member_id: int) -> ReviewNote | None:
        """Return a member's daily note, then let another task run before going on."""
        note = await super().review_note(member_id)
        await asyncio.sleep(0)
        return note


async def test_two_services_sharing_a_store_send_one_note(
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    group: Group,
) -> None:
    shared = SlowReads()  # both replicas read the note before either claims it
    one = _service(shared, fixture_bank, clock, dms, RecordedJobs())
    two = _service(shared, fixture_bank, clock, dms, RecordedJobs())
    await one.preference(ANN, group, "on", "08:00")
    ann = await _due(shared, ANN, ("nlp-tf-idf", NOW))
    clock.set(WED_8 + timedelta(minutes=1))
    await asyncio.gather(one.note_due(ann), two.note_due(ann))
    await asyncio.gather(one.sweep(at_start=False), two.sweep(at_start=True))
    assert len(dms.to("ann")) == 1


async def test_a_note_missed_is_sent_the_same_local_day_and_skipped_after_it(
    service: ReviewNoteService,
    store: MemoryReviewNotes,
    group: Group,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    await service.preference(ANN, group, "on", "08:00")
    ann = await _due(store, ANN, ("nlp-tf-idf", NOW))
    clock.set(datetime(2026, 12, 2, 22, 30, tzinfo=UTC))  # 23:30 in Berlin: still Wednesday
    await service.sweep(at_start=True)
    assert len(dms.to("ann")) == 1
    clock.set(datetime(2026, 12, 4, 6, 0, tzinfo=UTC))  # down over Thursday's: Friday 07:00
    await service.sweep(at_start=True)
    assert len(dms.to("ann")) == 1  # Thursday's skipped
    note = await store.review_note(ann)
    assert note is not None and note.next_at == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("choice", "at", "says"),
    [
        ("on", "25:00", "'25:00' is not a time of day"),
        ("on", "7:75", "'7:75' is not a time of day"),
        ("off", "08:00", "A time goes with on"),
        ("status", "08:00", "A time goes with on"),
    ],
)
async def test_bad_input_changes_nothing(
    service: ReviewNoteService,
    store: MemoryReviewNotes,
    group: Group,
    jobs: RecordedJobs,
    choice: str,
    at: str,
    says: str,
) -> None:
    await service.preference(ANN, group, "on", "18:30")
    said = await service.preference(ANN, group, choice, at)
    assert said.is_error and says in said.text and "changed" in said.text
    note = await store.review_note(await store.member_id(ANN))
    assert note is not None and note.at == time(18, 30)
    assert len(jobs.armed) == 1


async def test_outside_a_group_the_note_keeps_utc_and_says_so(
    service: ReviewNoteService, store: MemoryReviewNotes
) -> None:
    said = await service.preference(BEN, None, "on", "18:30")
    assert "at 18:30 (UTC)" in said.text
    shown = await service.preference(BEN, None, "status", None)
    assert "at 18:30 (UTC)" in shown.text and "Tue 01 Dec, 18:30 (UTC)" in shown.text


def test_the_next_note_follows_the_zone_across_a_dst_change() -> None:
    # Berlin moves from UTC+1 to UTC+2 on 28 March 2027.
    saturday = datetime(2027, 3, 27, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    assert next_note_at(time(8), "Europe/Berlin", saturday) == datetime(
        2027, 3, 28, 6, 0, tzinfo=UTC
    )
    # 02:30 does not exist that Sunday: the end of the gap.
    assert next_note_at(time(2, 30), "Europe/Berlin", saturday) == datetime(
        2027, 3, 28, 1, 0, tzinfo=UTC
    )


async def test_the_start_arms_every_note_to_come(
    service: ReviewNoteService, store: MemoryReviewNotes, group: Group, jobs: RecordedJobs
) -> None:
    await service.preference(ANN, group, "on", "08:00")
    await service.preference(BEN, None, "on", "18:30")
    jobs.armed.clear()
    await service.sweep(at_start=True)
    ann, ben = await store.member_id(ANN), await store.member_id(BEN)
    assert jobs.armed == [(ben, datetime(2026, 12, 1, 18, 30, tzinfo=UTC)), (ann, WED_8)]
