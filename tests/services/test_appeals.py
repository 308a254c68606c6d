"""AppealService on the in-memory store: appealing, who is told, who may decide.

Rounds are answered while open and revealed by the real RoundService
(tests.services.appeal_setup), so each answer is graded and scored as a reveal
does it; private messages go to the recording `dms` chat (tests.services.conftest).
"""

from __future__ import annotations

from datetime import date, timedelta

from bot import appeal_messages as words
from bot.appeals import PEER_WAIT, AppealService
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import AnswerSource, ChannelRef, Group, GroupSettings, MemberRef, RoundStatus
from bot.records import AnswerWrite, AppealStatus
from tests.services.appeal_setup import CAL, DORA, GOOD, ONE, button, revealed
from tests.services.conftest import ANN, BEN, NOW, AppealJobs, PrivateChat
from tests.services.memory_store import MemoryStore

# -- appealing -------------------------------------------------------------------


async def test_a_member_appeals_once_within_48_hours_and_the_admins_get_the_case(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    club: Group,
) -> None:
    round_ = await revealed(store, fixture_bank, clock, club, {ANN: GOOD, BEN: ONE})
    clock.advance(timedelta(hours=48))  # the last moment an appeal is taken
    form = await appeals.appeal_round(BEN, str(round_.id), None)
    assert form.form is not None and (form.form.form_id, form.form.value) == ("appeal", "1")
    sent = await appeals.appeal_round(BEN, str(round_.id), "  my answer states point 2  ")
    assert sent.title == "Appeal sent" and "with 2 admins of this channel" in sent.text
    (appeal,) = store.appeals.values()
    assert (appeal.note, appeal.status, appeal.opened_at) == (
        "my answer states point 2",
        AppealStatus.OPEN,
        NOW + timedelta(hours=48),
    )
    # Dora and Fay (listed, and the founder: told once); never Ben, the appellant.
    assert [uid for uid, _ in dms.private] == ["dora", "fay"]
    (case,) = dms.to("dora")
    assert case.title is not None and case.title.startswith("Appeal #1")
    assert any(f.value == "my answer states point 2" for f in case.fields)
    answer_id = appeal.answer_id
    assert button(case, words.REGRADE) == f"{answer_id}:1:010"
    assert button(case, words.KEEP) == "1"

    again = await appeals.appeal_round(BEN, str(round_.id), "please")
    assert again.is_error and "appealed this answer already" in again.text
    again = await appeals.appeal_latest(club, BEN, "please")
    assert again.is_error and "appealed this answer already" in again.text
    assert len(store.appeals) == 1 and len(dms.private) == 2


async def test_appeals_close_48_hours_after_the_reveal(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    club: Group,
) -> None:
    await revealed(store, fixture_bank, clock, club, {BEN: ONE})
    clock.advance(timedelta(hours=48, seconds=1))
    reply = await appeals.appeal_latest(club, BEN, "please")
    assert reply.is_error and "Appeals close 48 hours after the reveal" in reply.text
    assert store.appeals == {}


async def test_only_an_on_time_answer_to_a_revealed_question_is_appealed(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    club: Group,
) -> None:
    nothing = await appeals.appeal_latest(club, BEN, "please")
    assert nothing.is_error and "No question here has been revealed yet" in nothing.text
    round_ = await revealed(store, fixture_bank, clock, club, {BEN: ONE})
    cal = await store.member_id(CAL)
    late = AnswerWrite(round_.id, cal, GOOD, AnswerSource.PRIVATE, clock.now())
    assert await store.save_answer(late) is not None  # after the reveal: late
    reply = await appeals.appeal_latest(club, CAL, "please")
    assert reply.is_error and "Only an on-time answer's grade" in reply.text
    reply = await appeals.appeal_latest(club, ANN, "please")
    assert reply.is_error and "You didn't answer that question" in reply.text
    open_ = store.add_round(club, RoundStatus.OPEN, "t9", local_date=date(2026, 12, 9))
    reply = await appeals.appeal_round(BEN, str(open_.id), None)
    assert reply.is_error and "not revealed yet" in reply.text
    for member, value in ((BEN, "x"), (MemberRef("d", "ben", "Ben"), str(round_.id))):
        reply = await appeals.appeal_round(member, value, "please")
        assert reply.is_error and "No question here has been revealed yet" in reply.text
    reply = await appeals.appeal_latest(club, BEN, "x" * (words.APPEAL_NOTE_LIMIT + 1))
    assert reply.is_error and "keep it under 1000" in reply.text
    assert store.appeals == {}


async def test_the_listed_admins_and_the_founder_are_told_never_the_appellant(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    settings = GroupSettings(timezone="Europe/Berlin", admins=("ben", "dora"), founder="gus")
    group = await store.create_group(ChannelRef("t", "w", "other"), settings)
    assert group is not None
    await revealed(store, fixture_bank, clock, group, {ANN: GOOD, BEN: ONE})
    reply = await appeals.appeal_latest(group, BEN, "")
    assert "with 2 admins" in reply.text
    assert sorted(uid for uid, _ in dms.private) == ["dora", "gus"]
    dms.private.clear()
    reply = await appeals.appeal_latest(group, ANN, "")
    assert "with 3 admins" in reply.text
    assert sorted(uid for uid, _ in dms.private) == ["ben", "dora", "gus"]


async def test_a_private_message_that_fails_does_not_lose_the_appeal(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    club: Group,
) -> None:
    await revealed(store, fixture_bank, clock, club, {ANN: GOOD, BEN: ONE})
    dms.closed = {"dora"}
    reply = await appeals.appeal_latest(club, BEN, "point 2")
    assert not reply.is_error and "with 1 admin of this channel" in reply.text
    assert [uid for uid, _ in dms.private] == ["fay"]
    dms.closed = {"dora", "ben", "fay"}
    reply = await appeals.appeal_latest(club, ANN, "point 3")
    assert not reply.is_error and "they see it with" in reply.text
    assert [a.status for a in store.appeals.values()] == [AppealStatus.OPEN] * 2
    listed = await appeals.open_appeals(club)
    assert "#1 · Ben" in listed.text and "#2 · Ann" in listed.text
    assert [b.value for b in listed.buttons] == ["1", "2"]


# -- who decides -------------------------------------------------------------------


async def test_only_another_admin_of_the_channel_decides(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    club: Group,
) -> None:
    await revealed(store, fixture_bank, clock, club, {ANN: GOOD, BEN: ONE})
    await appeals.appeal_latest(club, BEN, "point 1 too")
    value = f"{store.appeals[1].answer_id}:1:010"
    for admin, refusal in (
        (CAL, "Only the channel's admins decide on grades."),
        (BEN, "Another admin must decide on your own answer."),
        (MemberRef("d", "dora", "Dora", can_manage=True), "That answer's channel is gone."),
    ):
        for reply in (
            await appeals.keep(admin, "1"),
            await appeals.decide(admin, value, "all", "fine"),
        ):
            assert reply.is_error and reply.text == refusal
    assert (await appeals.change_form(CAL, value)).is_error
    assert (await appeals.appeal_card(CAL, "1")).is_error
    assert not (await appeals.appeal_card(BEN, "1")).is_error  # he may see his case
    assert store.appeals[1].status is AppealStatus.OPEN and store.regrade_counts == {}
    # A member the platform lets manage the channel decides there, listed or not; the right
    # to manage another channel (or none, in a private message) gives no say here.
    max_ = MemberRef("t", "max", "Max", can_manage=True)
    for elsewhere in (None, ChannelRef("t", "w", "another"), ChannelRef("t", "w", "dm-max")):
        refused = await appeals.keep(max_, "1", place=elsewhere)
        assert refused.is_error and "Only the channel's admins" in refused.text
    kept = await appeals.keep(max_, "1", place=club.channel)
    assert kept.title == "Grade kept" and store.appeals[1].decided_by == "Max"


async def test_out_of_date_buttons_are_answered_not_obeyed(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    club: Group,
) -> None:
    await revealed(store, fixture_bank, clock, club, {BEN: ONE})
    for value in ("x", "99:1:010", "1:010", "1"):
        reply = await appeals.change_form(DORA, value)
        assert reply.is_error and "out of date" in reply.text
    for value in ("x", "7"):
        reply = await appeals.keep(DORA, value)
        assert reply.is_error and "no longer there" in reply.text


async def test_the_store_takes_one_appeal_per_answer_however_close_the_submits(
    store: MemoryStore, club: Group
) -> None:
    first = await store.open_appeal(7, club.id, "one", NOW)
    assert first is not None and first.status is AppealStatus.OPEN
    assert await store.open_appeal(7, club.id, "two", NOW) is None
    assert await store.appeal_of_answer(7) == first and len(store.appeals) == 1


# -- peer appeals its judges leave undecided -------------------------------------------


async def _peer_group(store: MemoryStore, founder: str | None = None) -> Group:
    """Return a group whose appeals three peers judge; Dora is its listed admin."""
    settings = GroupSettings(
        timezone="Europe/Berlin", admins=("dora",), founder=founder, appeals="peers"
    )
    group = await store.create_group(ChannelRef("t", "w", "peers"), settings)
    assert group is not None
    return group


async def test_an_undecided_peer_appeal_goes_to_the_admins_after_a_day_once(
    appeals: AppealService,
    appeal_jobs: AppealJobs,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    group = await _peer_group(store, founder="gus")
    judges = [MemberRef("t", f"j{n}", f"J{n}") for n in range(3)]
    await revealed(store, fixture_bank, clock, group, {BEN: ONE, **dict.fromkeys(judges, GOOD)})
    sent = await appeals.appeal_latest(group, BEN, "point 1 is there")
    assert "Three members who answered the same question" in sent.text
    (appeal,) = store.appeals.values()
    assert appeal_jobs.armed == {appeal.id: appeal.opened_at + PEER_WAIT}
    assert sorted(uid for uid, _ in dms.private) == ["j0", "j1", "j2"]  # no admin yet
    dms.private.clear()
    # One judge votes; the others stay silent. Early, nothing is passed on.
    (first, *_) = store.judges[appeal.id]
    assert await store.cast_vote(appeal.id, first, "111", clock.now()) == ["111"]
    clock.advance(PEER_WAIT - timedelta(minutes=1))
    await appeals.pass_due(appeal.id)
    await appeals.sweep(at_start=False)
    assert dms.private == []
    clock.advance(timedelta(minutes=1))
    await appeals.pass_due(appeal.id)
    await appeals.pass_due(appeal.id)  # the job ran twice, or the sweep came too: once
    await appeals.sweep(at_start=False)
    assert sorted(uid for uid, _ in dms.private) == ["ben", "dora", "gus"]
    (note,) = dms.to("ben")
    assert note.title == "Appeal passed on" and "with 2 admins of this channel" in note.text
    (case,) = dms.to("dora")
    assert case.title is not None and case.title.startswith(f"Appeal #{appeal.id}")
    assert store.appeals[appeal.id].status is AppealStatus.OPEN  # the judges may still settle it


async def test_at_start_waiting_peer_appeals_are_armed_or_passed_and_decided_ones_left(
    appeals: AppealService,
    appeal_jobs: AppealJobs,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
) -> None:
    group = await _peer_group(store)
    judges = [MemberRef("t", f"j{n}", f"J{n}") for n in range(4)]
    answers = {BEN: ONE, ANN: ONE, CAL: ONE, **dict.fromkeys(judges, GOOD)}
    await revealed(store, fixture_bank, clock, group, answers)
    for member in (BEN, ANN):
        await appeals.appeal_latest(group, member, "")
    clock.advance(timedelta(hours=12))
    await appeals.appeal_latest(group, CAL, "")
    ben, ann, cal = sorted(store.appeals)
    dora = await store.member_id(DORA)
    assert (await store.keep_grade(ann, dora, "decided", clock.now())) is not None
    dms.private.clear()
    appeal_jobs.armed.clear()
    clock.advance(timedelta(hours=13))  # Ben's is overdue, Cal's due in 11 hours
    await appeals.sweep(at_start=True)
    assert appeal_jobs.armed == {cal: store.appeals[cal].opened_at + PEER_WAIT}
    assert sorted(uid for uid, _ in dms.private) == ["ben", "dora"]
    assert set(store.passed_on) == {ben}
