"""Services on a hand-written in-memory store, a manual clock and the fixture bank."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.appeals import AppealService
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.groups import AdminPolicy
from bot.model import ChannelRef, Group, GroupSettings, MemberRef, MessageRef, PostedRound
from bot.ports import PrivateClosed
from bot.private_notes import PrivateNotes
from bot.replies import Reply
from bot.scoring import ScoringRules
from tests.services.memory_store import MemoryStore

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
PLACE = ChannelRef("t", "w", "general")
THREAD = ChannelRef("t", "w", "general", "t1")
ANN = MemberRef("t", "ann", "Ann")
BEN = MemberRef("t", "ben", "Ben")


@pytest.fixture
def store() -> MemoryStore:
    """Return an empty in-memory store."""
    return MemoryStore()


@pytest.fixture
def clock() -> ManualClock:
    """Return a manual clock at NOW: Tuesday 1 December 2026, 11:00 in Berlin."""
    return ManualClock(NOW)


@pytest.fixture
async def group(store: MemoryStore) -> Group:
    """Return the group of PLACE: Berlin time, 09:00 on weekdays, revealed 23 hours later."""
    created = await store.create_group(PLACE, GroupSettings(timezone="Europe/Berlin"))
    assert created is not None
    return created


class FakeChat:
    """A chat port that records what it posts; the next `failures` round posts raise.

    It cannot find earlier posts again (it is no `PostLookup`), as some platforms can't.
    """

    def __init__(self) -> None:
        self.round_cards: list[tuple[ChannelRef, Reply]] = []
        self.posts: list[tuple[ChannelRef, Reply]] = []
        self.failures = 0

    async def post_round(self, channel: ChannelRef, card: Reply) -> PostedRound:
        """Post a round's card and open its thread: message `qN` in thread `tN`."""
        if self.failures:
            self.failures -= 1
            raise ConnectionError("platform away")
        self.round_cards.append((channel, card))
        n = len(self.round_cards)
        return PostedRound(MessageRef(channel, f"q{n}"), replace(channel, thread_id=f"t{n}"))

    async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
        """Post a message: `rN`."""
        self.posts.append((place, reply))
        return MessageRef(place, f"r{len(self.posts)}")

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        """Fail: the services tried here send nothing privately."""
        raise AssertionError("nothing is sent privately here")


class PrivateChat(FakeChat):
    """A chat port that records private messages and every try.

    A message to a `closed` user id fails as a platform error does; one to a
    `refused` user id is refused as closed DMs are (`PrivateClosed`).
    """

    def __init__(self) -> None:
        super().__init__()
        self.private: list[tuple[str, Reply]] = []
        self.tried: list[str] = []  # the user id of every call of send_private, in order
        self.closed: set[str] = set()
        self.refused: set[str] = set()

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        """Record a private message, or fail as a platform or a member's closed DMs do."""
        self.tried.append(member.user_id)
        if member.user_id in self.closed:
            raise ConnectionError("the platform is away")
        if member.user_id in self.refused:
            raise PrivateClosed("cannot_dm")
        self.private.append((member.user_id, reply))

    def to(self, user_id: str) -> list[Reply]:
        """Return what a member was sent privately, in order."""
        return [reply for uid, reply in self.private if uid == user_id]


@pytest.fixture
def dms() -> PrivateChat:
    """Return a chat port that records private messages."""
    return PrivateChat()


@pytest.fixture
async def club(store: MemoryStore) -> Group:
    """Return a group whose admins are Dora, Ben and Fay, its founder."""
    settings = GroupSettings(timezone="Europe/Berlin", admins=("dora", "ben", "fay"), founder="fay")
    created = await store.create_group(ChannelRef("t", "w", "club"), settings)
    assert created is not None
    return created


@pytest.fixture
def notes(store: MemoryStore, dms: PrivateChat, clock: ManualClock) -> PrivateNotes:
    """Return the core's private messages, sent on `dms`, closed DMs noted in the store."""
    return PrivateNotes(store, dms, clock)


class AppealJobs:
    """A scheduler of appeals' checks that records what it was asked to arm."""

    def __init__(self) -> None:
        self.armed: dict[int, datetime] = {}

    def arm_appeal(self, appeal_id: int, at: datetime) -> None:
        """Record the check of a peer appeal at `at`."""
        self.armed[appeal_id] = at


@pytest.fixture
def appeal_jobs() -> AppealJobs:
    """Return the scheduler the appeal service arms its checks of peer appeals on."""
    return AppealJobs()


@pytest.fixture
def appeals(
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    notes: PrivateNotes,
    appeal_jobs: AppealJobs,
) -> AppealService:
    """Return the appeal service on the in-memory store, the fixture bank, the clock and `dms`."""
    return AppealService(
        store, fixture_bank, clock, ScoringRules(), dms, AdminPolicy(), notes, appeal_jobs
    )
