"""GroupService and PracticeService on the in-memory store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.groups import GroupService
from bot.model import ChannelRef, Group, MessageRef
from bot.practice import PracticeService
from bot.records import Review
from bot.replies import Reply, Visibility
from tests.services.conftest import ANN, BEN, NOW, PLACE, FakeChat
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
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> None:
    jobs = ArmedJobs()
    groups = GroupService(store, fixture_bank, jobs, FakeChat(), clock)
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
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> None:
    jobs, chat = ArmedJobs(), FakeChat()
    groups = GroupService(store, fixture_bank, jobs, chat, clock)

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
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> None:
    class ClosedChat(FakeChat):
        async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
            raise ConnectionError("platform away")

    jobs = ArmedJobs()
    groups = GroupService(store, fixture_bank, jobs, ClosedChat(), clock)
    created = await groups.setup(PLACE, "time=08:30")
    assert not created.is_error and "could not tell the channel" in (created.footer or "")
    assert await store.group_for_channel(PLACE) is not None


async def test_holidays_tell_the_channel_and_past_ones_drop_when_settings_are_saved(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> None:
    jobs, chat = ArmedJobs(), FakeChat()
    groups = GroupService(store, fixture_bank, jobs, chat, clock)
    await groups.setup(PLACE, "time=09:00 tz=UTC holidays=2026-12-02")
    assert "after posting; no question on 2026-12-02. Answer" in chat.posts[-1][1].text
    typed = "holidays=2026-12-03..2026-12-04, 2026-12-24, 2026-12-28"
    changed = await groups.change(jobs.groups[-1], typed)
    assert chat.posts[-1][1].text.startswith("📅 New schedule: 09:00 UTC, mon-fri")
    assert "no question on 2026-12-03..2026-12-04, 2026-12-24, 2026-12-28" in chat.posts[-1][1].text
    assert ("Holidays", "2026-12-03..2026-12-04, 2026-12-24, 2026-12-28") in [
        (f.name, f.value) for f in changed.fields
    ]

    clock.set(datetime(2026, 12, 5, 10, tzinfo=UTC))  # the first two are past
    shown = await groups.change(jobs.groups[-1], "")
    assert ("Holidays", "2026-12-24, 2026-12-28") in [(f.name, f.value) for f in shown.fields]
    told = len(chat.posts)
    await groups.change(jobs.groups[-1], "categories=nlp")  # saved: the past ones are dropped
    stored = await store.group_for_channel(PLACE)
    assert stored is not None and stored.settings.holidays == {
        date(2026, 12, 24),
        date(2026, 12, 28),
    }
    assert len(chat.posts) == told  # dropping the past changes nothing members see

    clock.set(datetime(2026, 12, 25, 10, tzinfo=UTC))
    await groups.change(stored, "time=10:00")
    assert chat.posts[-1][1].text.endswith("; no question on 2026-12-28.")  # those ahead only


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


def rating_button(reply: Reply, name: str) -> str:
    """Return the value of a practice result's rating button by its rating's name."""
    return next(b.value for b in reply.buttons if b.label.removesuffix(" ✓") == name)


async def test_a_practice_result_suggests_a_rating_that_stands_until_another_is_pressed(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> None:
    practice = PracticeService(store, fixture_bank, clock)
    card = await practice.start(ANN, PLACE, None, "nlp", "medium")
    revealed = await practice.reveal(ANN, PLACE, "UTC")  # no coverage: Again
    assert [b.label for b in revealed.buttons] == ["Again ✓", "Hard", "Good", "Easy"]
    assert "Again (from your coverage) stands" in (revealed.footer or "")
    question_id = card.buttons[0].value
    member_id = await store.member_id(ANN)
    suggested = store.review_rows[(member_id, question_id)]
    assert suggested.due_at == NOW + timedelta(days=1)  # FSRS: Again on a new card, a day
    assert suggested.state == 2 and suggested.attempts == 1
    clock.set(NOW + timedelta(minutes=5))  # a press later still rates the review as it was
    easy = await practice.rate(ANN, rating_button(revealed, "Easy"), "UTC")
    assert not easy.is_error and "Rated **Easy**" in easy.text
    after_easy = store.review_rows[(member_id, question_id)]
    assert after_easy.due_at == NOW + timedelta(days=8)  # FSRS's first Easy interval
    assert after_easy.last_review_at == NOW and after_easy.attempts == 1
    again = await practice.rate(ANN, rating_button(revealed, "Again"), "UTC")
    assert "Rated **Again**" in again.text
    assert store.review_rows[(member_id, question_id)] == suggested


async def test_a_rating_is_refused_once_reviewed_again_or_when_not_the_members(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> None:
    practice = PracticeService(store, fixture_bank, clock)
    await practice.start(ANN, PLACE, None, "nlp", "medium")
    first = await practice.reveal(ANN, PLACE, "UTC")
    assert (await practice.rate(BEN, rating_button(first, "Easy"), "UTC")).is_error
    assert (await practice.rate(ANN, "x:4", "UTC")).is_error
    assert (await practice.rate(ANN, rating_button(first, "Easy")[:-1] + "9", "UTC")).is_error
    clock.set(NOW + timedelta(days=1, minutes=1))
    assert "due after this one" not in (
        (await practice.review(ANN, PLACE, None, "UTC")).footer or ""
    )
    second = await practice.reveal(ANN, PLACE, "UTC")
    refused = await practice.rate(ANN, rating_button(first, "Easy"), "UTC")
    assert refused.is_error and "reviewed again since" in refused.text
    assert not (await practice.rate(ANN, rating_button(second, "Good"), "UTC")).is_error


async def test_review_gives_the_due_questions_longest_due_first(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> None:
    practice = PracticeService(store, fixture_bank, clock)
    nothing = await practice.review(ANN, PLACE, None, "UTC")
    assert nothing.is_error and "no reviews yet" in nothing.text
    member_id = await store.member_id(ANN)
    due = {"nlp-tf-idf": 2, "evaluation-auc-coin": 5, "algorithms-gini-split": -1}
    for question_id, days_ago in due.items():
        store.review_rows[(member_id, question_id)] = Review(
            question_id, NOW - timedelta(days=days_ago), 1, 0.5
        )
    first = await practice.review(ANN, PLACE, None, "UTC")
    assert first.buttons[0].value == "evaluation-auc-coin"  # due five days ago
    assert (first.footer or "").startswith("1 more due after this one.")
    await practice.answer(ANN, PLACE, "The AUC of a coin flip is one half.", "UTC")
    second = await practice.review(ANN, PLACE, None, "UTC")
    assert second.buttons[0].value == "nlp-tf-idf"
    assert (second.footer or "").startswith("The last review due.")
    await practice.reveal(ANN, PLACE, "UTC")
    done = await practice.review(ANN, PLACE, None, "UTC")
    assert done.is_error and "No reviews are due. The next one is due Wed 02 Dec" in done.text


async def test_review_says_so_when_every_due_question_is_held_back(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> None:
    practice = PracticeService(store, fixture_bank, clock)
    member_id = await store.member_id(ANN)
    store.review_rows[(member_id, "nlp-tf-idf")] = Review("nlp-tf-idf", NOW, 1, 0.5)
    store.held_back = {"nlp-tf-idf"}  # today's daily question in one of Ann's groups
    held = await practice.review(ANN, PLACE, None, "UTC")
    assert held.is_error and "daily questions in your groups right now" in held.text
    store.held_back = set()
    assert "NLP · easy" in ((await practice.review(ANN, PLACE, None, "UTC")).title or "")
