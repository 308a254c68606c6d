"""Services on a hand-written in-memory store, a manual clock and the fixture bank."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.model import ChannelRef, Group, GroupSettings, MemberRef
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
