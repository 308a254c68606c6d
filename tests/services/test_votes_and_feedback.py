"""VoteService and FeedbackService on the in-memory store."""

from __future__ import annotations

from bot.answers import AnswerService
from bot.appeals import AppealService
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.feedback import FeedbackService
from bot.groups import AdminPolicy
from bot.model import ChannelRef, Group, RoundStatus
from bot.ports import ReactionAdded, ReactionRemoved, ReactionsCleared, ThreadReply
from bot.practice import PracticeService
from bot.private_notes import PrivateNotes
from bot.scoring import ScoringRules
from bot.votes import VoteService
from tests.services.conftest import ANN, BEN, PLACE, THREAD, AppealJobs, FakeChat
from tests.services.memory_store import MemoryStore

TEXT = "every example validates once, so the estimate has lower variance"


def _appeals(store: MemoryStore, bank: QuestionBank, clock: ManualClock) -> AppealService:
    chat = FakeChat()
    notes = PrivateNotes(store, chat, clock)
    return AppealService(
        store, bank, clock, ScoringRules(), chat, AdminPolicy(), notes, AppealJobs()
    )


async def _answered(
    store: MemoryStore, bank: QuestionBank, clock: ManualClock, group: Group
) -> int:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1")
    await AnswerService(store, bank, clock).in_thread(group, ThreadReply(THREAD, ANN, TEXT, "m1"))
    return round_.id


async def test_only_a_thumbs_up_votes_and_one_member_is_one_vote(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    round_id = await _answered(store, fixture_bank, clock, group)
    votes = VoteService(store, clock)
    for emoji, burst in (("🎉", False), ("👍", False), ("👍🏽", False), ("👍", True)):
        await votes.react(group, ReactionAdded(THREAD, BEN, "m1", emoji, burst))
    await votes.react(group, ReactionAdded(THREAD, ANN, "m1", "👍"))  # her own answer
    answer = await store.member_answer(round_id, 1)
    assert answer is not None and answer.helpful_votes == 1
    await votes.react(group, ReactionRemoved(THREAD, BEN, "m1", "👍", burst=True))
    await votes.cleared(group, ReactionsCleared(THREAD, "m1", "🎉"))  # not a vote's emoji
    answer = await store.member_answer(round_id, 1)
    assert answer is not None and answer.helpful_votes == 1
    await votes.cleared(group, ReactionsCleared(THREAD, "m1"))
    answer = await store.member_answer(round_id, 1)
    assert answer is not None and answer.helpful_votes == 0


async def test_feedback_is_for_the_member_who_answered_in_this_channel(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    round_id = await _answered(store, fixture_bank, clock, group)
    answers = AnswerService(store, fixture_bank, clock)
    practice = PracticeService(store, fixture_bank, clock)
    feedback = FeedbackService(
        store, fixture_bank, answers, practice, _appeals(store, fixture_bank, clock)
    )
    mine = await feedback.feedback(group, ANN, str(round_id))
    assert not mine.is_error and "✓ Every example validates once" in mine.text
    theirs = await feedback.feedback(group, BEN, str(round_id))
    assert theirs.is_error and "didn't answer" in theirs.text
    other = await store.create_group(ChannelRef("t", "w", "other"), group.settings)
    assert other is not None
    elsewhere = await feedback.feedback(other, ANN, str(round_id))
    assert elsewhere.is_error and "not in this channel" in elsewhere.text


async def test_hint_prefers_the_practice_question_then_the_open_round(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    store.add_round(group, RoundStatus.OPEN, "t1")
    answers = AnswerService(store, fixture_bank, clock)
    practice = PracticeService(store, fixture_bank, clock)
    feedback = FeedbackService(
        store, fixture_bank, answers, practice, _appeals(store, fixture_bank, clock)
    )
    round_hint = await feedback.hint(group, ANN, PLACE)
    assert round_hint.title == "Hint for today's question"
    await practice.start(ANN, PLACE, group.id, "nlp", "easy")
    practice_hint = await feedback.hint(group, ANN, PLACE)
    assert practice_hint.title == "Hint for your practice question"
    assert (await feedback.hint(None, BEN, PLACE)).is_error  # no group, no practice


async def test_a_thumbs_up_on_any_part_is_one_vote_for_the_answer_while_any_remains(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock, group: Group
) -> None:
    round_id = await _answered(store, fixture_bank, clock, group)
    more = ThreadReply(THREAD, ANN, "The folds also train on all the data in turn.", "m2")
    await AnswerService(store, fixture_bank, clock).in_thread(group, more)
    votes = VoteService(store, clock)

    async def helpful() -> int:
        answer = await store.member_answer(round_id, 1)
        assert answer is not None
        return answer.helpful_votes

    await votes.react(group, ReactionAdded(THREAD, BEN, "m2", "👍"))  # on part 2
    assert await helpful() == 1
    await votes.react(group, ReactionAdded(THREAD, BEN, "m1", "👍"))  # and on part 1: one vote
    assert await helpful() == 1
    await votes.react(group, ReactionRemoved(THREAD, BEN, "m2", "👍"))
    assert await helpful() == 1  # part 1's 👍 still holds it
    await votes.cleared(group, ReactionsCleared(THREAD, "m1"))
    assert await helpful() == 0
