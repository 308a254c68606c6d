"""AppealService's decisions on the in-memory store: keep, change, refuse, regrade.

A test that changes a grade ends by checking every stored point, stat and
total against a recount from scratch (tests.services.appeal_setup).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import appeal_messages as words
from bot.appeals import AppealService
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import Group
from bot.peer_judges import parse_covered
from bot.records import AppealStatus, MemberStats, Standing
from tests.services.appeal_setup import (
    DAY,
    DORA,
    FAY,
    GOOD,
    NOT_ONE,
    ONE,
    WEEK,
    assert_recounted,
    button,
    points_of,
    revealed,
)
from tests.services.conftest import ANN, BEN, NOW, PrivateChat
from tests.services.memory_store import MemoryStore


@pytest.mark.parametrize(
    ("text", "covered"),
    [
        ("all", (True, True, True)),
        (" ALL ", (True, True, True)),
        ("none", (False, False, False)),
        ("0", (False, False, False)),
        ("1 3", (True, False, True)),
        ("3,1;1", (True, False, True)),
        ("2", (False, True, False)),
    ],
)
def test_parse_covered_reads_numbers_all_and_none(text: str, covered: tuple[bool, ...]) -> None:
    assert parse_covered(text, 3) == covered


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Name the key points it covers, or none."),
        ("  ", "Name the key points it covers, or none."),
        ("4", "'4' is not a key point: use numbers from 1 to 3, all or none."),
        ("1 0", "'0' is not a key point: use numbers from 1 to 3, all or none."),
        ("-1", "'-1' is not a key point: use numbers from 1 to 3, all or none."),
        ("1 two", "'two' is not a key point: use numbers from 1 to 3, all or none."),
        ("all 2", "'all' is not a key point: use numbers from 1 to 3, all or none."),
    ],
)
def test_parse_covered_says_what_is_wrong(text: str, problem: str) -> None:
    assert parse_covered(text, 3) == problem


# -- decisions -----------------------------------------------------------------------


async def test_deciding_the_grade_seen_keeps_it_and_tells_the_member_why(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    club: Group,
) -> None:
    round_ = await revealed(store, fixture_bank, clock, club, {ANN: GOOD, BEN: ONE})
    await appeals.appeal_latest(club, BEN, "point 1 too")
    value = button(dms.to("dora")[0], words.REGRADE)
    form = await appeals.change_form(DORA, value)
    assert form.form is not None and form.form.value == value
    assert [i.id for i in form.form.inputs] == ["covered", "reason"]
    assert "now: 2" in form.form.inputs[0].label
    reply = await appeals.decide(DORA, value, "2", "Point 1 needs every example, once.")
    assert reply.title == "Grade kept" and not reply.is_error
    appeal = store.appeals[1]
    assert (appeal.status, appeal.decided_by, appeal.decided_at) == (
        AppealStatus.KEPT,
        "Dora",
        NOW,
    )
    assert appeal.reason == "Point 1 needs every example, once."
    (told,) = dms.to("ben")
    assert told.title is not None and told.title.startswith("Your appeal was decided")
    assert "Point 1 needs every example, once." in told.text
    assert await points_of(store, round_, BEN) == 17 and store.regrade_counts == {}
    listed = await appeals.open_appeals(club)
    assert "No appeal is waiting" in listed.text


async def test_changing_the_grade_rescores_tells_the_member_and_the_first_decision_wins(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    club: Group,
) -> None:
    round_ = await revealed(store, fixture_bank, clock, club, {ANN: GOOD, BEN: ONE})
    await appeals.appeal_latest(club, BEN, "point 1 too")
    value = button(dms.to("fay")[0], words.REGRADE)
    clock.advance(timedelta(hours=1))
    dms.closed = {"ben"}  # his DMs are closed: the grade changes all the same
    reply = await appeals.decide(DORA, value, "all", "It says all three.")
    assert reply.title == "Grade changed"
    assert "1 → 3 of 3 key points, 17 → 30 points" in reply.text
    assert "all time" in reply.text
    assert await points_of(store, round_, BEN) == 30
    ben = await store.member_id(BEN)
    assert (await store.top_scores(club.id, WEEK))[0] == Standing(1, ben, "Ben", 30)
    appeal = store.appeals[1]
    assert (appeal.status, appeal.decided_by, appeal.reason) == (
        AppealStatus.CHANGED,
        "Dora",
        "It says all three.",
    )
    assert store.regrade_counts == {appeal.answer_id: 1}
    assert await appeals.human_grade(round_, ben) == ((True, True, True), False)
    assert_recounted(store)

    # Fay, later, from the same case: the first decision stands, and says whose it was.
    dms.closed = set()
    for late in (
        await appeals.keep(FAY, "1"),
        await appeals.decide(FAY, value, "2", "as graded"),
    ):
        assert late.is_error and "decided already by Dora (Tue 01 Dec, 12:00" in late.text
    assert await points_of(store, round_, BEN) == 30 and dms.to("ben") == []
    assert store.appeals[1].decided_by == "Dora"


async def test_a_stale_regrade_is_refused_saying_who_decided_first(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    dms: PrivateChat,
    club: Group,
) -> None:
    round_ = await revealed(store, fixture_bank, clock, club, {ANN: GOOD, BEN: ONE})
    card = await appeals.regrade_card(club, "ben 2026-12-01")
    assert card.title is not None and card.title.startswith("Regrade")
    value = button(card, words.REGRADE)
    assert value.endswith("::010") and words.KEEP not in {b.action for b in card.buttons}
    reply = await appeals.decide(FAY, value, "1 2", "")
    assert reply.title == "Grade changed" and await points_of(store, round_, BEN) == 23
    stale = await appeals.decide(DORA, value, "1 2 3", "all of it")  # she saw 010
    assert stale.is_error and "decided already by Fay" in stale.text
    assert await points_of(store, round_, BEN) == 23
    assert store.regrade_counts == {store.answers[(round_.id, 2)].answer_id: 1}
    (told,) = dms.to("ben")
    assert "now credited: Every example validates once" in told.text
    assert_recounted(store)


async def test_crediting_a_non_attempt_grows_the_streak_of_the_next_round(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    club: Group,
) -> None:
    first = await revealed(store, fixture_bank, clock, club, {ANN: GOOD, BEN: NOT_ONE})
    clock.advance(timedelta(days=1))
    second = await revealed(
        store, fixture_bank, clock, club, {ANN: GOOD, BEN: GOOD}, DAY + timedelta(days=1)
    )
    ben = await store.member_id(BEN)
    assert [await points_of(store, r, BEN) for r in (first, second)] == [0, 23]
    value = button(await appeals.regrade_card(club, "ben 2026-12-01"), words.REGRADE)
    same = await appeals.decide(DORA, value, "none", "")
    assert not same.is_error and "nothing changed" in same.text
    reply = await appeals.decide(DORA, value, "2", "It states the variance point.")
    assert "0 → 17 points" in reply.text
    # The second answer now continues a streak of two: 2 more points.
    assert [await points_of(store, r, BEN) for r in (first, second)] == [17, 25]
    assert store.stats[(club.id, ben)] == MemberStats(ben, 2, 2, 2, 2, 1 / 3 + 2 / 3)
    assert store.totals[(club.id, "all", ben)] == (42, second.revealed_at)
    assert_recounted(store)


async def test_a_decision_names_real_key_points_and_a_short_reason(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    club: Group,
) -> None:
    round_ = await revealed(store, fixture_bank, clock, club, {BEN: ONE})
    value = button(await appeals.regrade_card(club, "ben 2026-12-01"), words.REGRADE)
    bad = await appeals.decide(DORA, value, "4", "")
    assert bad.is_error and bad.text.endswith("all or none. Nothing was changed.")
    long = await appeals.decide(DORA, value, "all", "x" * (words.REASON_LIMIT + 1))
    assert long.is_error and "Keep the reason under 500" in long.text
    assert await points_of(store, round_, BEN) == 17 and store.regrade_counts == {}


async def test_a_regrade_names_a_member_and_a_date_of_the_last_14_days(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    club: Group,
) -> None:
    await revealed(store, fixture_bank, clock, club, {BEN: ONE})
    for which, problem in (
        ("ben", "Name a member and a date"),
        ("ben 1-Dec", "'1-Dec' is not a date"),
        ("<@ben> 2026-12-01", "Name the member as the platform mentions them"),
        ("ben 2026-11-30", "No question of Mon 30 Nov was revealed here."),
        ("cal 2026-12-01", "That member has no on-time answer to that question."),
    ):
        reply = await appeals.regrade_card(club, which)
        assert reply.is_error and problem in reply.text, which
    clock.advance(timedelta(days=14))
    assert not (await appeals.regrade_card(club, "ben 2026-12-01")).is_error
    clock.advance(timedelta(seconds=1))
    reply = await appeals.regrade_card(club, "ben 2026-12-01")
    assert reply.is_error and "last 14 days" in reply.text


async def test_a_regrade_after_a_freeze_continues_the_streak_over_the_bridged_round(
    appeals: AppealService,
    store: MemoryStore,
    fixture_bank: QuestionBank,
    clock: ManualClock,
    club: Group,
) -> None:
    rounds = []
    for day in range(9):  # Ben answers seven, misses the eighth (a freeze), then a lone term
        ben_says = {BEN: GOOD} if day < 7 else {BEN: NOT_ONE} if day == 8 else {}
        when = DAY + timedelta(days=day)
        rounds.append(
            await revealed(store, fixture_bank, clock, club, {ANN: GOOD, **ben_says}, when)
        )
        clock.advance(timedelta(days=1))
    ben = await store.member_id(BEN)
    assert store.stats[(club.id, ben)].last_seq == 8  # the freeze bridged round 8; 9 broke it
    assert (store.stats[(club.id, ben)].freezes, store.stats[(club.id, ben)].freezes_used) == (0, 1)
    value = button(await appeals.regrade_card(club, "ben 2026-12-09"), words.REGRADE)
    reply = await appeals.decide(DORA, value, "2", "It states the variance point.")
    assert reply.title == "Grade changed"
    # Now a real attempt, the ninth round goes on from the streak of seven over the bridge.
    assert store.stats[(club.id, ben)] == MemberStats(
        ben, 8, 8, 9, 8, 7 * (2 / 3) + 1 / 3, freezes=0, freezes_used=1
    )
    assert await points_of(store, rounds[8], BEN) == 10 + 7 + 10
    assert_recounted(store)


def test_the_boards_a_regrade_changed_are_named_by_period_not_by_category() -> None:
    changed = ("w2026-48", "m2026-12", "all", "w2026-48/nlp", "m2026-12/nlp", "all/nlp")
    assert words.board_changes(changed, ("w2026-49", "m2026-12", "all")) == (
        "Leaderboards changed: the week 2026-W48 (over: its final board changed),"
        " the month 2026-12, all time."
    )
