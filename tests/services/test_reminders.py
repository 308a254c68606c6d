"""ReminderService on the in-memory store: who is reminded, when, once, and `/remind`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bot.answers import AnswerService
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import Group, GroupSettings, MemberRef, RoundStatus
from bot.private_notes import PrivateNotes
from bot.records import AwayRange
from bot.reminder_messages import REMIND_ANSWER
from bot.reminders import ReminderService
from bot.replies import Reply
from tests.services.conftest import ANN, BEN, NOW, PLACE, PrivateChat
from tests.services.memory_reminders import MemoryReminders

CAT = MemberRef("t", "cat", "Cat")
DAN = MemberRef("t", "dan", "Dan")
REVEAL = NOW + timedelta(hours=23)
REMIND = REVEAL - timedelta(hours=2)  # the default: 2 hours before the reveal
LEASE = timedelta(minutes=10)


class RecordedJobs:
    """A scheduler that records the reminders it was asked to arm."""

    def __init__(self) -> None:
        self.reminders: list[tuple[int, datetime]] = []

    def arm_reminder(self, round_id: int, at: datetime) -> None:
        """Record a round's reminder job."""
        self.reminders.append((round_id, at))


@pytest.fixture
def store() -> MemoryReminders:
    """Return an empty in-memory store with reminders."""
    return MemoryReminders()


@pytest.fixture
async def group(store: MemoryReminders) -> Group:
    """Return the group of PLACE: Berlin time, 09:00 on weekdays, revealed 23 hours later."""
    created = await store.create_group(PLACE, GroupSettings(timezone="Europe/Berlin"))
    assert created is not None
    return created


@pytest.fixture
def jobs() -> RecordedJobs:
    """Return a scheduler that records what it arms."""
    return RecordedJobs()


@pytest.fixture
def reminders(
    store: MemoryReminders,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    jobs: RecordedJobs,
) -> ReminderService:
    """Return the service on the fakes."""
    answers = AnswerService(store, fixture_bank, clock)
    notes = PrivateNotes(store, dms, clock)
    return ReminderService(store, fixture_bank, notes, clock, jobs, answers, LEASE)


async def _posted(store: MemoryReminders, group: Group, reveal_at: datetime = REVEAL) -> int:
    """Return the id of today's round, posted at NOW and revealed at `reveal_at`."""
    round_ = await store.claim_round(group.id, date(2026, 12, 1), "evaluation-kfold", NOW)
    assert round_ is not None
    assert await store.round_posted(round_.id, "q1", "t1", NOW, reveal_at)
    return round_.id


async def _planned(store: MemoryReminders, group: Group, reminders: ReminderService) -> int:
    round_id = await _posted(store, group)
    await reminders.plan(group, round_id, NOW, REVEAL)
    return round_id


async def _members(store: MemoryReminders, group: Group, *members: MemberRef) -> list[int]:
    """Record a real attempt three days ago by each member; return their ids."""
    return [await store.attempted(group.id, m, NOW - timedelta(days=3)) for m in members]


def _text(reply: Reply) -> str:
    return f"{reply.title}\n{reply.text}"


async def test_a_round_posted_plans_its_reminder_two_hours_before_the_reveal(
    store: MemoryReminders, group: Group, reminders: ReminderService, jobs: RecordedJobs
) -> None:
    round_id = await _planned(store, group, reminders)
    assert store.planned[round_id].at == REMIND
    assert jobs.reminders == [(round_id, REMIND)]


@pytest.mark.parametrize(
    ("settings", "reveal_at"),
    [
        (GroupSettings(remind_before=None), REVEAL),  # remind=off
        (GroupSettings(remind_before=timedelta(hours=2)), NOW + timedelta(minutes=90)),
    ],
    ids=["off", "before-the-post"],
)
async def test_no_reminder_when_off_or_when_it_would_come_before_the_post(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    jobs: RecordedJobs,
    settings: GroupSettings,
    reveal_at: datetime,
) -> None:
    round_id = await _posted(store, group, reveal_at)
    await reminders.plan(replace(group, settings=settings), round_id, NOW, reveal_at)
    assert store.planned[round_id].status == "skipped" and jobs.reminders == []
    await reminders.sweep(at_start=True)  # noted: not planned again, nor armed
    assert store.planned[round_id].status == "skipped" and jobs.reminders == []


async def test_only_active_members_who_have_not_answered_and_want_reminders_get_one(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    round_id = await _planned(store, group, reminders)
    ann, cat, dan = await _members(store, group, ANN, CAT, DAN)
    await store.attempted(group.id, BEN, NOW - timedelta(days=15))  # too long ago
    store.answered_rounds.add((round_id, cat))  # answered today already
    store.remind_off.add(dan)  # said /remind off
    clock.set(REMIND)
    await reminders.remind_due(round_id)
    assert [uid for uid, _ in dms.private] == ["ann"]
    shown = _text(dms.to("ann")[0])
    assert "Still open · Evaluation" in shown
    assert "revealed in **2 h**" in shown
    assert "/answer" in shown and "/remind off" in shown
    assert "streak" not in shown  # Ann has none at risk
    assert dms.to("ann")[0].buttons[0].action == REMIND_ANSWER
    assert dms.to("ann")[0].buttons[0].value == str(round_id)
    assert store.planned[round_id].status == "sent" and store.planned[round_id].sent == 1
    assert ann not in store.remind_off


async def test_a_streak_this_round_would_break_is_named(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    round_id = await _planned(store, group, reminders)
    ann, ben = await _members(store, group, ANN, BEN)
    store.streaks[(group.id, ann)] = 4
    store.streaks[(group.id, ben)] = 1
    clock.set(REMIND + timedelta(minutes=5))
    await reminders.remind_due(round_id)
    assert "Your streak of 4 rounds ends if you miss this one." in _text(dms.to("ann")[0])
    assert "Your streak of 1 round ends" in _text(dms.to("ben")[0])
    assert "revealed in **1 h 55 min**" in _text(dms.to("ben")[0])


async def test_a_reminder_goes_out_once_however_often_its_job_and_the_sweep_run(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    round_id = await _planned(store, group, reminders)
    await _members(store, group, ANN, BEN)
    await reminders.remind_due(round_id)  # too early: nothing, and nothing claimed
    assert dms.private == [] and store.planned[round_id].status == "due"
    clock.set(REMIND)
    await reminders.remind_due(round_id)
    await reminders.remind_due(round_id)
    await reminders.sweep(at_start=True)
    await reminders.sweep(at_start=False)
    assert sorted(uid for uid, _ in dms.private) == ["ann", "ben"]


async def test_the_sweep_sends_an_overdue_reminder(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    await _planned(store, group, reminders)
    await _members(store, group, ANN)
    clock.set(REVEAL - timedelta(minutes=30))  # the job was lost (a restart, say)
    await reminders.sweep(at_start=False)
    assert "revealed in **30 min**" in _text(dms.to("ann")[0])


async def test_a_reminder_is_never_sent_after_the_reveal(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    round_id = await _planned(store, group, reminders)
    await _members(store, group, ANN)
    clock.set(REVEAL)
    await reminders.sweep(at_start=True)
    await reminders.remind_due(round_id)
    assert dms.private == []


async def test_a_reminder_of_a_group_that_turned_reminders_off_is_skipped(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    round_id = await _planned(store, group, reminders)
    await _members(store, group, ANN)
    await store.save_settings(group.id, replace(group.settings, remind_before=None))
    clock.set(REMIND)
    await reminders.remind_due(round_id)
    assert dms.private == [] and store.planned[round_id].status == "skipped"


async def test_a_closed_inbox_costs_only_its_own_reminder_and_is_not_tried_again(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    round_id = await _planned(store, group, reminders)
    ann, _ = await _members(store, group, ANN, BEN)
    dms.closed.add("ann")
    clock.set(REMIND)
    await reminders.remind_due(round_id)
    assert [uid for uid, _ in dms.private] == ["ben"]
    assert "ConnectionError" in store.sends.errors[(round_id, ann)]
    dms.closed.clear()
    await reminders.sweep(at_start=True)
    assert [uid for uid, _ in dms.private] == ["ben"]


async def test_a_fan_out_left_by_a_dead_process_resumes_with_the_members_not_reminded(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    round_id = await _planned(store, group, reminders)
    ann, _ = await _members(store, group, ANN, BEN)
    clock.set(REMIND)
    other = replace(store.planned[round_id], status="sending", owner="dead", until=REMIND + LEASE)
    store.planned[round_id] = other
    store.sends.members[(round_id, ann)] = REMIND  # Ann's went out before it died
    await reminders.sweep(at_start=False)
    assert dms.private == []  # its lease still runs
    clock.set(REMIND + LEASE)
    await reminders.sweep(at_start=False)
    assert [uid for uid, _ in dms.private] == ["ben"]
    assert store.planned[round_id].status == "sent"


async def test_at_start_a_fan_out_of_an_earlier_run_is_taken_over_and_later_ones_armed(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
    jobs: RecordedJobs,
) -> None:
    first = await _planned(store, group, reminders)
    await _members(store, group, ANN)
    clock.set(REMIND)
    store.planned[first] = replace(
        store.planned[first], status="sending", owner=store.owner, until=REMIND + LEASE
    )
    await reminders.sweep(at_start=False)
    assert dms.private == []  # our own lease, not run out: only a start takes it
    await reminders.sweep(at_start=True)
    assert [uid for uid, _ in dms.private] == ["ann"]
    later = await store.claim_round(group.id, date(2026, 12, 2), "nlp-tf-idf", NOW)
    assert later is not None
    assert await store.round_posted(later.id, "q2", "t2", REMIND, REMIND + timedelta(hours=5))
    await store.plan_reminder(later.id, REMIND + timedelta(hours=3))
    jobs.reminders.clear()
    await reminders.sweep(at_start=True)
    assert jobs.reminders == [(later.id, REMIND + timedelta(hours=3))]


async def test_remind_off_and_on(store: MemoryReminders, reminders: ReminderService) -> None:
    said = await reminders.preference(ANN, None)
    assert "Your reminders are on" in said.text and "/remind off" in said.text
    said = await reminders.preference(ANN, "off")
    assert "Your reminders are now off" in said.text and "/remind on" in said.text
    assert await store.reminders_on(await store.member_id(ANN)) is False
    assert "are off" in (await reminders.preference(ANN, None)).text
    await reminders.preference(ANN, "on")
    assert await store.reminders_on(await store.member_id(ANN)) is True


async def test_the_reminders_button_answers_its_round_from_a_private_message(
    store: MemoryReminders, group: Group, reminders: ReminderService
) -> None:
    round_id = await _planned(store, group, reminders)
    form = await reminders.answer_form(ANN, str(round_id))
    assert form.form is not None and form.form.form_id == REMIND_ANSWER
    assert form.form.value == str(round_id) and form.form.title == "Your answer"
    text = "k-fold validates each example once, so the estimate has lower variance"
    said = await reminders.answer(ANN, str(round_id), text)
    assert not said.is_error, said.text
    saved = await store.member_answer(round_id, await store.member_id(ANN))
    assert saved is not None and saved.text == text


@pytest.mark.parametrize("value", ["999", "abc"])
async def test_a_reminder_naming_no_round_here_is_refused(
    store: MemoryReminders, group: Group, reminders: ReminderService, value: str
) -> None:
    await _planned(store, group, reminders)
    assert (await reminders.answer_form(ANN, value)).is_error
    assert (await reminders.answer(ANN, value, "an answer")).is_error


async def test_a_reminder_of_another_platform_or_a_closed_round_opens_no_form(
    store: MemoryReminders, group: Group, reminders: ReminderService
) -> None:
    round_id = await _planned(store, group, reminders)
    stranger = MemberRef("elsewhere", "ann", "Ann")
    assert (await reminders.answer_form(stranger, str(round_id))).is_error
    store.rounds[round_id] = replace(store.rounds[round_id], status=RoundStatus.REVEALED)
    closed = await reminders.answer_form(ANN, str(round_id))
    assert closed.is_error and "closed" in closed.text


class SlowChat(PrivateChat):
    """A chat port whose every private message takes an hour of the clock."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__()
        self.clock = clock

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        """Record the message, and let an hour pass."""
        await super().send_private(member, reply)
        self.clock.set(self.clock.now() + timedelta(hours=1))


async def test_a_fan_out_stops_when_the_reveal_comes(
    store: MemoryReminders,
    group: Group,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    jobs: RecordedJobs,
) -> None:
    slow = SlowChat(clock)
    answers = AnswerService(store, fixture_bank, clock)
    notes = PrivateNotes(store, slow, clock)
    reminders = ReminderService(store, fixture_bank, notes, clock, jobs, answers, LEASE)
    round_id = await _planned(store, group, reminders)
    await _members(store, group, ANN, BEN, CAT)
    clock.set(REMIND)
    await reminders.remind_due(round_id)
    assert [uid for uid, _ in slow.private] == ["ann", "ben"]  # at 17:00 Cat's comes too late


async def test_closed_direct_messages_and_away_days_get_no_reminder(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    round_id = await _planned(store, group, reminders)
    ann, ben, cat = await _members(store, group, ANN, BEN, CAT)
    dms.refused.add("ann")  # Ann's DMs are closed: the platform refuses
    store.away[(group.id, cat)] = [AwayRange(date(2026, 12, 1), date(2026, 12, 3))]
    clock.set(REMIND)
    await reminders.remind_due(round_id)
    assert [uid for uid, _ in dms.private] == ["ben"]
    assert "closed" in store.sends.errors[(round_id, ann)]
    assert ("t", "ann") in store.private_closed  # noted: left alone for a while
    later = await store.claim_round(group.id, date(2026, 12, 2), "nlp-tf-idf", REMIND)
    assert later is not None
    assert await store.round_posted(later.id, "q2", "t2", REMIND, REMIND + timedelta(hours=4))
    await store.plan_reminder(later.id, REMIND + timedelta(hours=2))
    clock.set(REMIND + timedelta(hours=2))
    await reminders.remind_due(later.id)
    assert [uid for uid, _ in dms.private] == ["ben", "ben"]
    assert dms.tried.count("ann") == 1  # not tried again
    assert ben not in store.remind_off


async def test_a_round_no_post_planned_is_planned_by_the_sweep(
    store: MemoryReminders,
    group: Group,
    reminders: ReminderService,
    clock: ManualClock,
    dms: PrivateChat,
    jobs: RecordedJobs,
) -> None:
    # Found posted after a crash, say: the process that posted it never planned it.
    first = await _posted(store, group)
    await _members(store, group, ANN)
    await reminders.sweep(at_start=False)
    assert store.planned[first].at == REMIND and jobs.reminders == [(first, REMIND)]
    later = await store.claim_round(group.id, date(2026, 12, 2), "nlp-tf-idf", NOW)
    assert later is not None
    assert await store.round_posted(later.id, "q2", "t2", NOW, REMIND + timedelta(hours=1))
    clock.set(REMIND)
    await reminders.sweep(at_start=False)  # planned and overdue at once: sent now
    assert [uid for uid, _ in dms.private] == ["ann", "ann"]
