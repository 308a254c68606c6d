"""AnswerService's rules, on the in-memory store: what is an answer, and to which round."""

from __future__ import annotations

from dataclasses import replace

from bot.answers import AnswerService
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import Group, RoundStatus
from bot.ports import MessageRemoved, ThreadReply
from tests.services.conftest import ANN, BEN, THREAD
from tests.services.memory_store import MemoryStore

TEXT = "every example validates once, so the estimate has lower variance"


def service(store: MemoryStore, bank: QuestionBank, clock: ManualClock) -> AnswerService:
    return AnswerService(store, bank, clock)


async def test_a_thread_message_is_an_answer_and_a_second_one_replaces_it(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    first = await answers.in_thread(group, ThreadReply(THREAD, ANN, TEXT, "m1"))
    assert first is not None and first.reaction == "✅"
    again = await answers.in_thread(group, ThreadReply(THREAD, ANN, TEXT + "!", "m2"))
    assert again is not None and again.reaction == "🔁"
    assert [a.text for a in store.answers.values()] == [TEXT + "!"]


async def test_talk_after_the_reveal_is_not_an_answer_but_a_first_answer_is_late(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    await answers.in_thread(group, ThreadReply(THREAD, ANN, TEXT, "m1"))
    store.rounds[round_.id] = replace(round_, status=RoundStatus.REVEALED)
    assert await answers.in_thread(group, ThreadReply(THREAD, ANN, "thanks all", "m2")) is None
    late = await answers.in_thread(group, ThreadReply(THREAD, BEN, TEXT, "m3"))
    assert late is not None and late.reaction == "🕓"
    assert "Every example validates once" in late.text  # feedback on the late answer


async def test_empty_and_control_only_answers_are_refused_and_nothing_is_stored(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    for text in ("", "   ", "\x00\x07"):
        reply = await answers.in_thread(group, ThreadReply(THREAD, ANN, text, "m1"))
        assert reply is not None and reply.is_error and "empty" in reply.text
    assert store.answers == {}


async def test_a_form_answers_only_a_round_that_was_asked(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    skipped = store.add_round(group, RoundStatus.SKIPPED)
    open_ = store.add_round(group, RoundStatus.OPEN, "t2")
    answers = service(store, fixture_bank, clock)
    refused = await answers.from_form(group, ANN, str(skipped.id), TEXT)
    assert refused.is_error and "never asked" in refused.text
    taken = await answers.from_form(group, ANN, str(open_.id), TEXT)
    assert taken.reaction == "✅"
    assert (await answers.form_for(group, str(skipped.id))).is_error


async def test_a_deleted_message_withdraws_only_the_answer_it_carried(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    await answers.in_thread(group, ThreadReply(THREAD, ANN, TEXT, "m1"))
    assert await answers.withdraw(group, MessageRemoved(THREAD, ANN, "m9")) == []
    [reply] = await answers.withdraw(group, MessageRemoved(THREAD, ANN, "m1"))
    assert "withdrawn" in reply.text and store.answers == {}


async def test_without_an_open_round_the_next_post_is_named(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    reply = await service(store, fixture_bank, clock).privately(group, ANN, TEXT)
    assert reply.is_error and "The next one comes" in reply.text
