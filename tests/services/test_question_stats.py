"""QuestionStatsService on the in-memory store: the figures of revealed rounds, and reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot import question_messages as words
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import ChannelRef, Group, GroupSettings, RoundStatus
from bot.question_stats import QuestionStatsService
from bot.replies import Reply
from tests.services.appeal_setup import DORA, FAY, GOOD, NOT_ONE, ONE, revealed
from tests.services.conftest import ANN, BEN
from tests.services.memory_store import MemoryStore

KEY_POINTS = 3  # of evaluation-kfold, the question of `revealed` rounds


@pytest.fixture
def questions(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> QuestionStatsService:
    """Return the service on the in-memory store, the fixture bank and the clock."""
    return QuestionStatsService(store, fixture_bank, clock)


def field_of(reply: Reply, day: str) -> str:
    """Return the figures of the round of `day` (`Tue 01 Dec`)."""
    return next(f.value for f in reply.fields if f.name.startswith(day))


async def test_the_figures_are_counted_from_the_stored_grades(
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    group: Group,
    questions: QuestionStatsService,
) -> None:
    await revealed(store, fixture_bank, clock, group, {DORA: GOOD}, day=date(2026, 11, 30))
    today = await revealed(store, fixture_bank, clock, group, {ANN: GOOD, BEN: ONE, FAY: NOT_ONE})
    reply = await questions.stats(group, None)
    assert reply.title == "Question stats · the last 30 days"
    assert "members active here in these 30 days: 4" in reply.text
    assert [f.name[:10] for f in reply.fields] == ["Tue 01 Dec", "Mon 30 Nov"]
    on_time = [a for (r, _), a in store.answers.items() if r == today.id]
    covered = [a.covered or () for a in on_time]
    hits = [sum(c[k] for c in covered) for k in range(KEY_POINTS)]
    average = sum(a.coverage or 0.0 for a in on_time) / len(on_time)
    missed = hits.index(min(hits))
    point = fixture_bank.get(today.question_id).key_points[missed].text  # type: ignore[union-attr]
    assert field_of(reply, "Tue 01 Dec") == (
        f"Answered on time: 3 of 4 (75%) · average coverage {average:.0%}\n"
        f"Most missed: {missed + 1}. {point} (covered by {hits[missed]} of 3)"
    )
    # A human's grade is the grade: crediting Fay with every point moves the figures.
    fay = await store.member_id(FAY)
    answer = store.answers[(today.id, fay)]
    store.answers[(today.id, fay)] = replace(answer, covered=(True,) * 3, coverage=1.0)
    reply = await questions.stats(group, None)
    hits[0] += 1
    hits[1] += 1
    hits[2] += 1
    missed = hits.index(min(hits))
    assert f"Most missed: {missed + 1}." in field_of(reply, "Tue 01 Dec")
    assert f"(covered by {hits[missed]} of 3)" in field_of(reply, "Tue 01 Dec")
    assert (
        field_of(reply, "Mon 30 Nov") == "Answered on time: 1 of 4 (25%) · average coverage 67%\n"
        "Most missed: 3. Time series need forward-chaining splits (covered by 0 of 1)"
    )


async def test_the_period_counts_the_groups_own_days(
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    group: Group,
    questions: QuestionStatsService,
) -> None:
    await revealed(store, fixture_bank, clock, group, {DORA: GOOD}, day=date(2026, 11, 30))
    await revealed(store, fixture_bank, clock, group, {ANN: GOOD})
    other = await store.create_group(ChannelRef("t", "w", "other"), GroupSettings())
    assert other is not None
    await revealed(store, fixture_bank, clock, other, {BEN: GOOD}, day=date(2026, 11, 29))
    store.add_round(group, RoundStatus.OPEN, local_date=date(2026, 12, 2))  # not revealed
    reply = await questions.stats(group, "1")  # today, Tuesday 1 December in Berlin
    assert [f.name[:10] for f in reply.fields] == ["Tue 01 Dec"]
    assert "active here in these 1 days: 1" in reply.text
    reply = await questions.stats(group, "days=2")
    assert [f.name[:10] for f in reply.fields] == ["Tue 01 Dec", "Mon 30 Nov"]
    assert "active here in these 2 days: 2" in reply.text
    reply = await questions.stats(other, "365")
    assert [f.name[:10] for f in reply.fields] == ["Sun 29 Nov"]


@pytest.mark.parametrize("days", ["0", "366", "-1", "x", "1.5", "٣", "30 days", "days="])
async def test_a_bad_number_of_days_is_refused(
    group: Group, questions: QuestionStatsService, days: str
) -> None:
    reply = await questions.stats(group, days)
    assert reply.is_error and "give a whole number from 1 to 365" in reply.text


async def test_without_a_revealed_round_it_says_so(
    group: Group, questions: QuestionStatsService
) -> None:
    reply = await questions.stats(group, " 7 ")
    assert not reply.is_error and reply.text == "No question was revealed here in the last 7 days."


async def test_a_round_without_answers_and_one_fully_covered(
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    group: Group,
    questions: QuestionStatsService,
) -> None:
    today = await revealed(store, fixture_bank, clock, group, {ANN: GOOD})
    await revealed(store, fixture_bank, clock, group, {}, day=date(2026, 11, 30))
    ann = await store.member_id(ANN)
    answer = store.answers[(today.id, ann)]
    store.answers[(today.id, ann)] = replace(answer, covered=(True,) * 3, coverage=1.0)
    reply = await questions.stats(group, None)
    assert field_of(reply, "Tue 01 Dec") == (
        "Answered on time: 1 of 1 (100%) · average coverage 100%\n"
        "Most missed: none, every on-time answer covered every key point."
    )
    assert field_of(reply, "Mon 30 Nov") == "Answered on time: 0 of 1. Nobody answered in time."


async def test_a_report_is_one_per_member_and_round_and_quoted_inert(
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    group: Group,
    questions: QuestionStatsService,
) -> None:
    round_ = await revealed(store, fixture_bank, clock, group, {ANN: GOOD})
    form = await questions.report_form(group, str(round_.id))
    assert form.form is not None and form.form.form_id == words.REPORT
    assert form.form.value == str(round_.id) and form.form.inputs[0].required
    assert form.form.inputs[0].max_length == words.REPORT_NOTE_LIMIT
    note = "  *Wrong* fact\x00 @here  "
    reply = await questions.report(group, BEN, str(round_.id), note)
    assert not reply.is_error and "\\*Wrong\\* fact @\u200bhere" in reply.text
    ben = await store.member_id(BEN)
    assert store.reports[(round_.id, ben)][:2] == ("evaluation-kfold", "*Wrong* fact @here")
    reply = await questions.report(group, BEN, str(round_.id), "Unclear prompt.")
    assert "It replaces the report you sent earlier" in reply.text
    assert store.reports[(round_.id, ben)][1] == "Unclear prompt."
    assert len(store.reports) == 1


async def test_a_report_needs_a_note_and_a_round_revealed_in_the_group(
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    group: Group,
    questions: QuestionStatsService,
) -> None:
    round_ = await revealed(store, fixture_bank, clock, group, {ANN: GOOD})
    open_round = store.add_round(group, RoundStatus.OPEN, local_date=date(2026, 12, 2))
    other = await store.create_group(ChannelRef("t", "w", "other"), GroupSettings())
    assert other is not None
    for where, value in ((group, str(open_round.id)), (other, str(round_.id)), (group, "9")):
        assert (await questions.report_form(where, value)).is_error
        assert (await questions.report(where, BEN, value, "a note")).is_error
    assert (await questions.report(group, BEN, "", "a note")).is_error
    reply = await questions.report(group, BEN, str(round_.id), " \x00 ")
    assert reply.is_error and "Your note is empty" in reply.text
    long_note = "x" * (words.REPORT_NOTE_LIMIT + 1)
    reply = await questions.report(group, BEN, str(round_.id), long_note)
    assert reply.is_error and f"keep it under {words.REPORT_NOTE_LIMIT}" in reply.text
    assert (await questions.report(group, BEN, str(round_.id), "x" * 500)).is_error is False
    assert len(store.reports) == 1
