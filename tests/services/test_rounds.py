"""RoundService on the in-memory store: posting, skipping, revealing, retries and take-overs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import (
    AnswerSource,
    Group,
    GroupSettings,
    MemberRef,
    RoundStatus,
)
from bot.private_notes import PrivateNotes
from bot.records import AnswerWrite, MemberStats, Standing, VoteReaction
from bot.replies import Reply, Visibility
from bot.rounds import RoundPolicy, RoundService
from bot.scoring import ScoringRules
from tests.services.conftest import ANN, BEN, NOW, PLACE, FakeChat
from tests.services.memory_store import MemoryStore

TODAY = date(2026, 12, 1)  # NOW's date in Berlin, a Tuesday
TEXT = "every example validates once, so the estimate has lower variance"  # 2 of 3 key points


class RecordedJobs:
    """A scheduler that records the jobs it was asked to arm."""

    def __init__(self) -> None:
        self.groups: list[Group] = []
        self.reveals: list[tuple[int, datetime]] = []
        self.retries: list[tuple[int, datetime]] = []

    def arm_group(self, group: Group) -> None:
        """Record a group's daily post job."""
        self.groups.append(group)

    def arm_reveal(self, round_id: int, at: datetime) -> None:
        """Record a round's reveal job."""
        self.reveals.append((round_id, at))

    def arm_retry(self, round_id: int, at: datetime) -> None:
        """Record another attempt to post a round."""
        self.retries.append((round_id, at))


@pytest.fixture
def chat() -> FakeChat:
    """Return a chat port whose posts go through until told otherwise."""
    return FakeChat()


@pytest.fixture
def jobs() -> RecordedJobs:
    """Return a scheduler that records what it arms."""
    return RecordedJobs()


MakeRounds = Callable[[RoundPolicy], RoundService]


@pytest.fixture
def make_rounds(
    store: MemoryStore,
    fixture_bank: QuestionBank,
    chat: FakeChat,
    clock: ManualClock,
    jobs: RecordedJobs,
) -> MakeRounds:
    """Return a maker of the service on the fakes and default scoring, under a given policy."""

    def make(policy: RoundPolicy) -> RoundService:
        notes = PrivateNotes(store, chat, clock)
        return RoundService(store, fixture_bank, chat, clock, jobs, ScoringRules(), policy, notes)

    return make


@pytest.fixture
def rounds(make_rounds: MakeRounds) -> RoundService:
    """Return the service under the default policy: 2 hours' grace, 6 attempts, 30 s first."""
    return make_rounds(RoundPolicy())


async def answer(
    store: MemoryStore, round_id: int, member: MemberRef, text: str, message: str
) -> int:
    """Save a member's answer to a round from a thread message; return the member's id."""
    member_id = await store.member_id(member)
    write = AnswerWrite(round_id, member_id, text, AnswerSource.THREAD, NOW, message)
    assert await store.save_answer(write) is not None
    return member_id


def field(reply: Reply, name: str) -> str:
    """Return the value of a reply's field by name."""
    return next(f.value for f in reply.fields if f.name == name)


def at(text: str) -> datetime:
    """Return an ISO time (with its offset) as a datetime."""
    return datetime.fromisoformat(text)


# -- posting now -----------------------------------------------------------------


async def test_post_now_posts_todays_question_opens_the_round_and_arms_its_reveal(
    rounds: RoundService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    chat: FakeChat,
    jobs: RecordedJobs,
    group: Group,
) -> None:
    reply = await rounds.post_now(group)
    assert reply.text == "Posted today's question." and not reply.is_error
    round_ = await store.round_on(group.id, TODAY)
    assert round_ is not None and round_.status is RoundStatus.OPEN
    assert (round_.message_id, round_.thread_id, round_.posted_at) == ("q1", "t1", NOW)
    assert round_.reveal_at == NOW + timedelta(hours=23) and round_.lease_owner is None
    assert jobs.reveals == [(round_.id, NOW + timedelta(hours=23))]
    [(channel, card)] = chat.round_cards
    question = fixture_bank.get(round_.question_id)
    assert question is not None and card.text == question.prompt.strip()
    assert channel == group.channel and card.key == f"round-{round_.id}"


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (RoundStatus.OPEN, "is already posted"),
        (RoundStatus.REVEALED, "is already posted"),
        (RoundStatus.FAILED, "could not be posted"),
        (RoundStatus.RETRY, "is being posted (the last attempt failed; it will be tried again)"),
        (RoundStatus.SKIPPED, "was skipped"),
        (RoundStatus.MISSED, "was missed"),
    ],
)
async def test_post_now_refuses_a_second_round_on_the_same_local_day(
    status: RoundStatus,
    state: str,
    rounds: RoundService,
    store: MemoryStore,
    chat: FakeChat,
    group: Group,
) -> None:
    store.add_round(group, status, local_date=TODAY)
    reply = await rounds.post_now(group)
    assert reply.is_error
    assert reply.text == f"Today's question {state}; there is one round a day."
    assert chat.round_cards == [] and len(store.rounds) == 1


async def test_the_day_post_now_counts_in_is_the_groups_local_day(
    rounds: RoundService, store: MemoryStore, clock: ManualClock, group: Group
) -> None:
    store.add_round(group, RoundStatus.REVEALED, local_date=TODAY)
    clock.set(at("2026-12-01T22:59+00:00"))  # 23:59 in Berlin: still Tuesday
    assert (await rounds.post_now(group)).is_error
    clock.set(at("2026-12-01T23:00+00:00"))  # midnight in Berlin: Wednesday
    assert not (await rounds.post_now(group)).is_error
    wednesday = await store.round_on(group.id, date(2026, 12, 2))
    assert wednesday is not None and wednesday.status is RoundStatus.OPEN


@pytest.mark.parametrize(
    ("asked", "posted"),
    [
        (("nlp-tf-idf",), "nlp-word-embeddings"),
        (("nlp-word-embeddings",), "nlp-tf-idf"),
        (("nlp-tf-idf", "nlp-word-embeddings", "nlp-tf-idf"), "nlp-word-embeddings"),
    ],
)
async def test_a_posted_round_asks_the_question_the_group_was_asked_least(
    asked: tuple[str, ...], posted: str, rounds: RoundService, store: MemoryStore
) -> None:
    settings = GroupSettings(timezone="Europe/Berlin", categories=("nlp",))
    nlp = await store.create_group(PLACE, settings)
    assert nlp is not None
    for day, question_id in zip((26, 27, 30), asked, strict=False):
        store.add_round(
            nlp, RoundStatus.REVEALED, local_date=date(2026, 11, day), question_id=question_id
        )
    store.add_round(nlp, RoundStatus.SKIPPED, local_date=date(2026, 11, 25), question_id="")
    await rounds.post_now(nlp)
    round_ = await store.round_on(nlp.id, TODAY)
    assert round_ is not None and round_.question_id == posted


# -- failed posts ------------------------------------------------------------------


async def test_a_failed_post_is_recorded_and_retried_30_seconds_later(
    rounds: RoundService,
    store: MemoryStore,
    chat: FakeChat,
    jobs: RecordedJobs,
    clock: ManualClock,
    group: Group,
) -> None:
    chat.failures = 1
    reply = await rounds.post_now(group)
    assert reply.is_error and "I'll keep trying for a while" in reply.text
    round_ = await store.round_on(group.id, TODAY)
    assert round_ is not None and round_.status is RoundStatus.RETRY
    assert (round_.attempts, round_.last_error) == (1, "ConnectionError: platform away")
    assert jobs.retries == [(round_.id, NOW + timedelta(seconds=30))]
    clock.advance(timedelta(seconds=30))
    await rounds.retry_post(round_.id)
    posted = store.rounds[round_.id]
    assert posted.status is RoundStatus.OPEN and posted.attempts == 2
    assert posted.last_error is None and len(chat.round_cards) == 1


async def test_posting_waits_twice_as_long_each_time_and_gives_up_after_the_last_attempt(
    make_rounds: MakeRounds,
    store: MemoryStore,
    chat: FakeChat,
    jobs: RecordedJobs,
    clock: ManualClock,
    group: Group,
) -> None:
    rounds = make_rounds(RoundPolicy(max_post_attempts=3))
    chat.failures = 3
    await rounds.post_now(group)
    round_id = next(iter(store.rounds))
    for _ in range(2):
        clock.set(jobs.retries[-1][1])
        await rounds.retry_post(round_id)
    assert [when - NOW for _, when in jobs.retries] == [
        timedelta(seconds=30),
        timedelta(seconds=90),
    ]
    assert store.rounds[round_id].status is RoundStatus.FAILED
    await rounds.retry_post(round_id)  # the platform is back, but the round was given up
    assert store.rounds[round_id].status is RoundStatus.FAILED and chat.round_cards == []


# -- scheduled posts and skips -------------------------------------------------------


@pytest.mark.parametrize(
    ("late", "status", "cards"),
    [
        (timedelta(minutes=119), RoundStatus.OPEN, 1),
        (timedelta(minutes=121), RoundStatus.MISSED, 0),
    ],
)
async def test_a_due_post_goes_out_late_within_the_grace_window_and_is_missed_beyond_it(
    late: timedelta,
    status: RoundStatus,
    cards: int,
    rounds: RoundService,
    store: MemoryStore,
    chat: FakeChat,
    clock: ManualClock,
    group: Group,
) -> None:
    wednesday_slot = at("2026-12-02T08:00+00:00")  # 09:00 in Berlin
    clock.set(wednesday_slot + late)
    await rounds.post_due(group.id)
    round_ = await store.round_on(group.id, date(2026, 12, 2))
    assert round_ is not None and round_.status is status
    assert round_.scheduled_for == wednesday_slot and len(chat.round_cards) == cards


async def test_a_paused_group_claims_and_posts_nothing_when_due(
    rounds: RoundService, store: MemoryStore, chat: FakeChat
) -> None:
    paused = await store.create_group(PLACE, GroupSettings(timezone="Europe/Berlin", paused=True))
    assert paused is not None
    await rounds.post_due(paused.id)  # NOW is two hours after Tuesday's post time
    assert store.rounds == {} and chat.round_cards == []


async def test_skip_claims_the_next_scheduled_day_then_the_one_after(
    rounds: RoundService, store: MemoryStore, group: Group
) -> None:
    first = await rounds.skip(group)
    assert first.text == "The question of Wednesday 02 December will be skipped."
    assert first.visibility is Visibility.PUBLIC and not first.is_error
    second = await rounds.skip(group)
    assert second.text == "The question of Thursday 03 December will be skipped."
    skipped = [(r.local_date.day, r.status, r.question_id) for r in store.rounds.values()]
    assert skipped == [(2, RoundStatus.SKIPPED, ""), (3, RoundStatus.SKIPPED, "")]


async def test_a_skipped_day_is_not_posted_when_its_time_comes(
    rounds: RoundService, store: MemoryStore, chat: FakeChat, clock: ManualClock, group: Group
) -> None:
    await rounds.skip(group)
    clock.set(at("2026-12-02T08:05+00:00"))  # 09:05 on Wednesday in Berlin
    await rounds.post_due(group.id)
    wednesday = await store.round_on(group.id, date(2026, 12, 2))
    assert wednesday is not None and wednesday.status is RoundStatus.SKIPPED
    assert chat.round_cards == []


async def test_skip_without_any_scheduled_day_says_there_is_nothing_to_skip(
    rounds: RoundService, store: MemoryStore
) -> None:
    never = await store.create_group(PLACE, GroupSettings(weekdays=frozenset()))
    assert never is not None
    reply = await rounds.skip(never)
    assert reply.is_error and reply.text == "There is no scheduled question to skip."
    assert store.rounds == {}


# -- reveals -------------------------------------------------------------------------


async def test_reveal_scores_a_real_attempt_and_gives_a_non_attempt_nothing(
    rounds: RoundService, store: MemoryStore, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1", local_date=TODAY)  # k-fold
    ann = await answer(store, round_.id, ANN, TEXT, "m1")
    ben = await answer(store, round_.id, BEN, "variance", "m2")  # a lone term: no attempt
    reply = await rounds.reveal_now(group)
    assert reply.text == "Revealed the answer." and not reply.is_error
    scored = {a.member_id: (a.points, a.covered) for a in await store.round_answers(round_.id)}
    assert scored[ann] == (23, (True, True, False))  # 10 for answering, 13 for 2 of 3 points
    assert scored[ben] == (0, (False, False, False))
    assert await store.member_stats(group.id, [ann, ben]) == {
        ann: MemberStats(ann, 1, 1, 1, 1, 2 / 3)
    }
    assert await store.top_scores(group.id, "w2026-49") == [Standing(1, ann, "Ann", 23)]


async def test_reveal_posts_the_answer_card_and_records_its_message(
    rounds: RoundService, store: MemoryStore, chat: FakeChat, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1", local_date=TODAY)
    await answer(store, round_.id, ANN, TEXT, "m1")
    await answer(store, round_.id, BEN, "variance", "m2")
    assert await rounds.reveal(round_.id)
    [(place, card)] = chat.posts
    assert place == group.channel and card.key == f"reveal-{round_.id}"
    assert field(card, "Answers (2)") == "Ann — ✓✓✗ 2/3 — +23\nBen — ✗✗✗ 0/3 — +0"
    assert field(card, "Leaderboard this week") == "1. Ann — 23"
    revealed = store.rounds[round_.id]
    assert revealed.status is RoundStatus.REVEALED and revealed.reveal_seq == 1
    assert (revealed.revealed_at, revealed.reveal_message_id) == (NOW, "r1")


async def test_a_streak_and_a_helpful_vote_add_to_the_points_of_a_real_attempt(
    rounds: RoundService, store: MemoryStore, group: Group
) -> None:
    store.add_round(
        group,
        RoundStatus.REVEALED,
        local_date=date(2026, 11, 30),
        reveal_seq=1,
        reveal_message_id="r0",
    )
    round_ = store.add_round(group, RoundStatus.OPEN, "t2", local_date=TODAY)
    ann = await answer(store, round_.id, ANN, TEXT, "m1")
    store.stats[(group.id, ann)] = MemberStats(
        ann, 1, 1, last_seq=1, rounds_answered=1, coverage_sum=1.0
    )
    ben = await store.member_id(BEN)
    assert await store.set_vote(group.id, "m1", ben, VoteReaction("👍"), True, NOW)
    assert await rounds.reveal(round_.id)
    [scored] = await store.round_answers(round_.id)
    assert scored.points == 27  # 23 as alone, + 2 for a streak of 2, + 2 for one vote
    assert (await store.member_stats(group.id, [ann]))[ann] == MemberStats(
        ann, 2, 2, 2, 2, 1 + 2 / 3
    )


@pytest.mark.parametrize(
    "status",
    [RoundStatus.POSTING, RoundStatus.REVEALING, RoundStatus.REVEALED, RoundStatus.SKIPPED],
)
async def test_a_round_that_is_not_open_is_not_revealed(
    status: RoundStatus, rounds: RoundService, store: MemoryStore, chat: FakeChat, group: Group
) -> None:
    round_ = store.add_round(
        group,
        status,
        local_date=TODAY,
        reveal_seq=1,
        lease_owner="replica-2",  # a live process holds it
        lease_until=NOW + timedelta(minutes=5),
    )
    assert not await rounds.reveal(round_.id)
    reply = await rounds.reveal_now(group)
    assert reply.is_error and reply.text == "There is no open question to reveal."
    assert store.rounds[round_.id] == round_ and chat.posts == []


# -- the sweep -------------------------------------------------------------------------


async def test_the_sweep_reveals_the_rounds_whose_reveal_time_has_passed(
    rounds: RoundService, store: MemoryStore, jobs: RecordedJobs, group: Group
) -> None:
    monday = store.add_round(
        group,
        RoundStatus.OPEN,
        "t1",
        local_date=date(2026, 11, 30),
        reveal_at=NOW - timedelta(minutes=1),
    )
    tuesday = store.add_round(
        group, RoundStatus.OPEN, "t2", local_date=TODAY, reveal_at=NOW + timedelta(hours=22)
    )
    await rounds.sweep()
    assert store.rounds[monday.id].status is RoundStatus.REVEALED
    assert store.rounds[tuesday.id].status is RoundStatus.OPEN
    assert jobs.groups == [group]


def left_posting(store: MemoryStore, group: Group, lease_until: datetime) -> int:
    """Put today's round in the store as another process left it mid-post; return its id."""
    round_ = store.add_round(
        group,
        RoundStatus.POSTING,
        local_date=TODAY,
        attempts=1,
        lease_owner="replica-2",
        lease_until=lease_until,
    )
    return round_.id


async def test_a_post_a_dead_process_left_is_marked_failed_rather_than_risk_posting_twice(
    rounds: RoundService, store: MemoryStore, chat: FakeChat, group: Group
) -> None:
    round_id = left_posting(store, group, lease_until=NOW - timedelta(seconds=1))
    await rounds.sweep()
    failed = store.rounds[round_id]
    assert failed.status is RoundStatus.FAILED and chat.round_cards == []
    assert failed.last_error == "interrupted while posting; not retried to avoid posting twice"


async def test_a_post_a_live_process_holds_is_left_to_it(
    rounds: RoundService, store: MemoryStore, chat: FakeChat, group: Group
) -> None:
    round_id = left_posting(store, group, lease_until=NOW + timedelta(minutes=5))
    before = store.rounds[round_id]
    await rounds.sweep()
    assert store.rounds[round_id] == before and chat.round_cards == []


async def test_a_reveal_a_dead_process_left_is_finished_once_without_late_answers(
    rounds: RoundService, store: MemoryStore, chat: FakeChat, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1", local_date=TODAY)
    await answer(store, round_.id, ANN, TEXT, "m1")
    store.rounds[round_.id] = replace(
        round_, status=RoundStatus.REVEALING, reveal_seq=1, lease_owner="replica-2", lease_until=NOW
    )
    await answer(store, round_.id, BEN, TEXT, "m2")  # late: the reveal had begun
    await rounds.sweep()
    await rounds.sweep()
    assert store.rounds[round_.id].status is RoundStatus.REVEALED and len(chat.posts) == 1
    scored = [(a.display_name, a.late, a.points) for a in await store.round_answers(round_.id)]
    assert scored == [("Ann", False, 23), ("Ben", True, None)]


async def test_post_now_says_when_no_question_matches_and_promises_no_retry(
    rounds: RoundService, store: MemoryStore, chat: FakeChat, group: Group
) -> None:
    empty = replace(group, settings=replace(group.settings, categories=("no-such-category",)))
    reply = await rounds.post_now(empty)
    assert reply.is_error and "no question matches" in (reply.text or "")
    assert "keep trying" not in (reply.text or "") and chat.round_cards == []


async def test_a_round_whose_question_left_the_bank_fails_once_instead_of_revealing_forever(
    rounds: RoundService, store: MemoryStore, chat: FakeChat, group: Group
) -> None:
    round_ = store.add_round(group, RoundStatus.OPEN, "t1", question_id="removed-question")
    await rounds.reveal(round_.id)
    assert store.rounds[round_.id].status is RoundStatus.FAILED
    assert chat.posts == []
