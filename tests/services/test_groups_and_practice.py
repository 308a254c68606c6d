"""GroupService and PracticeService on the in-memory store."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.groups import GroupService
from bot.model import ChannelRef, Group, MessageRef
from bot.practice import PracticeService
from bot.replies import Reply, Visibility
from tests.services.conftest import ANN, PLACE, FakeChat
from tests.services.memory_store import MemoryStore


class ArmedJobs:
    """A scheduler that records what it was asked to arm."""

    def __init__(self) -> None:
        self.groups: list[Group] = []

    def arm_group(self, group: Group) -> None:
        self.groups.append(group)

    def arm_reveal(self, round_id: int, at: datetime) -> None:
        raise AssertionError("groups arm no reveal")

    def arm_retry(self, round_id: int, at: datetime) -> None:
        raise AssertionError("groups arm no retry")


async def test_setup_arms_the_group_once_and_changes_are_all_or_nothing(
    store: MemoryStore, fixture_bank: QuestionBank
) -> None:
    jobs = ArmedJobs()
    groups = GroupService(store, fixture_bank, jobs, FakeChat())
    created = await groups.setup(PLACE, "time=08:30 tz=Asia/Tokyo days=mon-fri")
    assert created.title == "Daily questions are on" and len(jobs.groups) == 1
    assert (await groups.setup(PLACE, "")).is_error  # set up already
    group = jobs.groups[0]
    refused = await groups.change(group, "time=09:00 tz=Mars/Olympus")
    assert refused.is_error and "Nothing was changed" in refused.text
    stored = await store.group_for_channel(PLACE)
    assert stored is not None and stored.settings.timezone == "Asia/Tokyo"
    assert (await groups.change(group, "categories=nlp difficulty=hard")).is_error  # none match
    changed = await groups.change(group, "time=09:00")
    assert "time" in (changed.title or "") and len(jobs.groups) == 2
    paused = await groups.set_paused(jobs.groups[-1], True)
    assert not paused.is_error and jobs.groups[-1].settings.paused
    assert (await groups.set_paused(jobs.groups[-1], True)).is_error  # already paused


async def test_admin_work_is_private_and_the_channel_hears_one_line_when_members_should_know(
    store: MemoryStore, fixture_bank: QuestionBank
) -> None:
    jobs, chat = ArmedJobs(), FakeChat()
    groups = GroupService(store, fixture_bank, jobs, chat)

    created = await groups.setup(PLACE, "time=08:30 tz=Asia/Tokyo days=mon-fri reveal=18:00")
    assert created.visibility is Visibility.PRIVATE and created.fields  # the card: the admin's
    [(where, notice)] = chat.posts
    assert where == PLACE and notice.visibility is Visibility.PUBLIC
    assert notice.text.startswith("📅 Daily questions start here: 08:30 Asia/Tokyo, mon-fri")
    assert (
        "\n" not in notice.text
        and not notice.fields
        and "The channel was told" in (created.footer or "")
    )

    quiet = await groups.change(jobs.groups[-1], "categories=nlp admins=U1")
    assert quiet.visibility is Visibility.PRIVATE and len(chat.posts) == 1  # members: no news
    assert quiet.footer is None
    moved = await groups.change(jobs.groups[-1], "time=09:15")
    assert moved.visibility is Visibility.PRIVATE
    assert chat.posts[-1][1].text.startswith("📅 New schedule: 09:15 Asia/Tokyo")
    same = await groups.change(jobs.groups[-1], "time=09:15")  # no change: nothing to tell
    assert not same.is_error and len(chat.posts) == 2

    paused = await groups.set_paused(jobs.groups[-1], True)
    assert paused.visibility is Visibility.PRIVATE
    assert chat.posts[-1][1].text.startswith("⏸️ Daily questions are paused")
    resumed = await groups.set_paused(jobs.groups[-1], False)
    assert resumed.visibility is Visibility.PRIVATE
    assert chat.posts[-1][1].text.startswith("▶️ Daily questions are back: 09:15 Asia/Tokyo")
    assert len(chat.posts) == 4


async def test_a_change_stands_when_the_channel_cannot_be_told(
    store: MemoryStore, fixture_bank: QuestionBank
) -> None:
    class ClosedChat(FakeChat):
        async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
            raise ConnectionError("platform away")

    jobs = ArmedJobs()
    groups = GroupService(store, fixture_bank, jobs, ClosedChat())
    created = await groups.setup(PLACE, "time=08:30")
    assert not created.is_error and "could not tell the channel" in (created.footer or "")
    assert await store.group_for_channel(PLACE) is not None


async def test_practice_holds_back_and_reviews_come_first(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> None:
    practice = PracticeService(store, fixture_bank, clock)
    store.held_back = {"nlp-tf-idf"}
    assert (await practice.start(ANN, PLACE, None, "nlp", "easy")).is_error
    card = await practice.start(ANN, PLACE, None, "nlp", None)
    assert "NLP · medium" in (card.title or "")  # the one nlp question not held back
    revealed = await practice.reveal(ANN, PLACE, "UTC")
    assert not revealed.is_error
    assert (await practice.reveal(ANN, PLACE, "UTC")).is_error  # finished
    clock.set(clock.now() + timedelta(days=1, minutes=1))
    due = await practice.start(ANN, PLACE, None, None, None)
    assert (due.footer or "").startswith("A question due for review")  # the revealed one
    assert "NLP · medium" in (due.title or "")
