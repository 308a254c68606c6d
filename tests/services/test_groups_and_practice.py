"""GroupService and PracticeService on the in-memory store."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.groups import GroupService
from bot.model import Group
from bot.practice import PracticeService
from tests.services.conftest import ANN, PLACE
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
    groups = GroupService(store, fixture_bank, jobs)
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
