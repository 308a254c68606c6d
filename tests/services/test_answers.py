"""AnswerService's rules, on the in-memory store: what is an answer, and to which round."""

from __future__ import annotations

from dataclasses import replace

from bot.answers import AnswerService
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import Group, RoundStatus
from bot.ports import MessageRemoved, ThreadReply
from bot.replies import Visibility
from tests.services.conftest import ANN, BEN, THREAD
from tests.services.memory_store import MemoryStore

TEXT = "every example validates once, so the estimate has lower variance"
MORE = "The folds also use all the data for training in turn."
THIRD = "Stratify the folds when the classes are imbalanced."


def service(store: MemoryStore, bank: QuestionBank, clock: ManualClock) -> AnswerService:
    return AnswerService(store, bank, clock)


async def test_every_thread_message_before_the_reveal_is_part_of_the_answer_in_order(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    # Issue #16: a second message replaced the first ("🔁 Replaced your earlier answer").
    round_ = store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    first = await answers.in_thread(group, ThreadReply(THREAD, ANN, TEXT, "m1"))
    assert first is not None and first.reaction == "✅" and "Recorded your answer" in first.text
    again = await answers.in_thread(group, ThreadReply(THREAD, ANN, MORE, "m2"))
    assert again is not None and again.reaction == "➕"
    assert again.text.startswith("Added to your answer (now 2 parts")
    mine = await store.member_answer(round_.id, 1)
    assert mine is not None and mine.text == f"{TEXT}\n{MORE}"


async def test_an_edit_or_a_deletion_changes_only_its_own_part(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    for text, message in ((TEXT, "m1"), (MORE, "m2"), (THIRD, "m3")):
        await answers.in_thread(group, ThreadReply(THREAD, ANN, text, message))
    edited = await answers.in_thread(group, ThreadReply(THREAD, ANN, MORE + " Always.", "m2"))
    assert edited is not None and edited.reaction == "🔁" and "3 parts in all" in edited.text
    same = await answers.in_thread(group, ThreadReply(THREAD, ANN, THIRD, "m3"))
    assert same is not None and same.reaction == "➕"  # delivered again: not an edit
    [removed] = await answers.withdraw(group, MessageRemoved(THREAD, ANN, "m1"))
    assert "2 parts left" in removed.text
    mine = await store.member_answer(round_.id, 1)
    assert mine is not None and mine.text == f"{MORE} Always.\n{THIRD}"
    await answers.withdraw(group, MessageRemoved(THREAD, ANN, "m2"))
    [gone] = await answers.withdraw(group, MessageRemoved(THREAD, ANN, "m3"))
    assert "withdrawn" in gone.text and store.answers == {}


async def test_a_reply_to_another_member_is_discussion_and_gets_no_reply(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    await answers.in_thread(group, ThreadReply(THREAD, ANN, TEXT, "m1"))
    talk = ThreadReply(THREAD, ANN, "Ben, I think you mean variance", "m2", replies_to_other=True)
    assert await answers.in_thread(group, talk) is None
    assert await answers.withdraw(group, MessageRemoved(THREAD, ANN, "m2")) == []
    first_talk = ThreadReply(THREAD, BEN, "nice one Ann", "m3", replies_to_other=True)
    assert await answers.in_thread(group, first_talk) is None
    mine = await store.member_answer(round_.id, 1)
    assert mine is not None and mine.text == TEXT
    assert len(store.answers) == 1  # Ben's reply is not an answer


async def test_a_private_answer_replaces_the_whole_answer_and_thread_messages_add_to_it(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    await answers.in_thread(group, ThreadReply(THREAD, ANN, TEXT, "m1"))
    await answers.in_thread(group, ThreadReply(THREAD, ANN, MORE, "m2"))
    replaced = await answers.from_form(group, ANN, str(round_.id), THIRD)
    assert replaced.reaction == "🔁" and "Replaced your whole earlier answer" in replaced.text
    added = await answers.in_thread(group, ThreadReply(THREAD, ANN, MORE, "m4"))
    assert added is not None and added.reaction == "➕"
    mine = await store.member_answer(round_.id, 1)
    assert mine is not None and mine.text == f"{THIRD}\n{MORE}"


async def test_an_answer_may_not_grow_past_the_limit_and_loses_nothing(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    long = "Each fold is held out once. " * 140  # about 3,900 characters
    await answers.in_thread(group, ThreadReply(THREAD, ANN, long, "m1"))
    refused = await answers.in_thread(group, ThreadReply(THREAD, ANN, long, "m2"))
    assert refused is not None and refused.is_error and "limit is 4,000" in refused.text
    mine = await store.member_answer(round_.id, 1)
    assert mine is not None and mine.text == long.strip()


async def test_after_the_reveal_an_on_time_answerer_hears_once_that_answers_are_closed(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    # Issue #16: writing, editing or deleting after the reveal got no word at all.
    round_ = store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    await answers.in_thread(group, ThreadReply(THREAD, ANN, TEXT, "m1"))
    store.rounds[round_.id] = replace(round_, status=RoundStatus.REVEALED)
    told = await answers.in_thread(group, ThreadReply(THREAD, ANN, "thanks all", "m2"))
    assert told is not None and told.visibility is Visibility.PRIVATE
    assert "Answers to this question are closed; your on-time answer stands" in told.text
    assert await answers.in_thread(group, ThreadReply(THREAD, ANN, "edited", "m1")) is None
    assert await answers.withdraw(group, MessageRemoved(THREAD, ANN, "m1")) == []
    mine = await store.member_answer(round_.id, 1)
    assert mine is not None and mine.text == TEXT


async def test_a_deletion_after_the_reveal_is_the_first_thing_told_once(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    await answers.in_thread(group, ThreadReply(THREAD, ANN, TEXT, "m1"))
    store.rounds[round_.id] = replace(round_, status=RoundStatus.REVEALED)
    [told] = await answers.withdraw(group, MessageRemoved(THREAD, ANN, "m1"))
    assert "your on-time answer stands" in told.text
    assert await answers.in_thread(group, ThreadReply(THREAD, ANN, "hm", "m2")) is None
    assert await store.member_answer(round_.id, 1) is not None


async def test_talk_after_the_reveal_is_not_an_answer_but_a_first_answer_is_late(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1")
    answers = service(store, fixture_bank, clock)
    await answers.in_thread(group, ThreadReply(THREAD, ANN, TEXT, "m1"))
    store.rounds[round_.id] = replace(round_, status=RoundStatus.REVEALED)
    told = await answers.in_thread(group, ThreadReply(THREAD, ANN, "thanks all", "m2"))
    assert told is not None and "closed" in told.text
    late = await answers.in_thread(group, ThreadReply(THREAD, BEN, TEXT, "m3"))
    assert late is not None and late.reaction == "🕓"
    assert "Every example validates once" in late.text  # feedback on the late answer
    again = await answers.in_thread(group, ThreadReply(THREAD, BEN, MORE, "m4"))
    assert again is not None and again.reaction == "🕓"  # a late answer's next message replaces it
    bens = await store.member_answer(round_.id, 2)
    assert bens is not None and bens.late and bens.text == MORE


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
