"""StandingsService on the in-memory store: leaderboards, a member's stats, the overview."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import pytest

from bot.charts import ChartService
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import AnswerSource, ChannelRef, Group, GroupSettings, MemberRef, RoundStatus
from bot.records import AnswerWrite, Review, RoundResult, ScoreEntry
from bot.replies import Reply, Visibility
from bot.scoring import next_stats, periods_of
from bot.standings import StandingsService
from tests.services.conftest import ANN, BEN, NOW
from tests.services.memory_store import MemoryStore

NUDGE = "You have no points in this period yet: answer the next question!"


@pytest.fixture
def standings(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> StandingsService:
    """Return the service on the in-memory store, the fixture bank and the manual clock."""
    return StandingsService(store, fixture_bank, clock, ChartService(store, clock))


async def scored_round(
    store: MemoryStore,
    group: Group,
    day: date,
    question_id: str,
    results: Mapping[MemberRef, tuple[float, int]],
    category: str | None = None,
) -> None:
    """Put a round of `day` in the store as its reveal leaves it: (coverage, points) each.

    The round is answered while open, claimed for the reveal (taking the group's
    next reveal number) and its result saved; a member with points gets stats.
    """
    round_ = store.add_round(group, RoundStatus.OPEN, local_date=day, question_id=question_id)
    ids = {member: await store.member_id(member) for member in results}
    for member_id in ids.values():
        write = AnswerWrite(round_.id, member_id, "my answer", AnswerSource.PRIVATE, NOW)
        assert await store.save_answer(write) is not None
    claimed = await store.claim_reveal(round_.id, NOW, NOW)
    assert claimed is not None and claimed.reveal_seq is not None
    previous = await store.member_stats(group.id, ids.values())
    scores, stats = [], []
    for member, (coverage, points) in results.items():
        answer = await store.member_answer(round_.id, ids[member])
        assert answer is not None
        scores.append(
            ScoreEntry(
                answer.answer_id, ids[member], coverage, (), points, periods_of(day, category), NOW
            )
        )
        if points:
            stats.append(
                next_stats(previous.get(ids[member]), ids[member], claimed.reveal_seq, coverage)
            )
    result = RoundResult(round_.id, tuple(scores), tuple(stats), category=category)
    assert await store.save_round_result(result)


async def practised(
    store: MemoryStore, member: MemberRef, question_id: str, coverage: float, due_in: timedelta
) -> None:
    """Record a practice answer with this coverage, its question due for review NOW + `due_in`."""
    member_id = await store.member_id(member)
    attempt = await store.start_practice(member_id, None, question_id, NOW)
    review = Review(question_id, NOW + due_in, 1, coverage)
    await store.finish_practice(attempt.id, NOW, coverage, review, member_id)


def field(reply: Reply, name: str) -> str:
    """Return the value of a reply's field by name."""
    return next(f.value for f in reply.fields if f.name == name)


# -- leaderboards --------------------------------------------------------------


async def test_leaderboard_lists_the_top_ten_in_order_and_the_callers_place_below_them(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    others = {MemberRef("t", f"u{i}", f"Member {i}"): (1.0, 200 - 10 * i) for i in range(1, 12)}
    await scored_round(
        store, group, date(2026, 12, 1), "evaluation-kfold", {**others, ANN: (0.3, 50)}
    )
    board = await standings.leaderboard(group, ANN, "week")
    top = "\n".join(
        f"{i}. Member {i} — {200 - 10 * i} · 1 round, 100% coverage" for i in range(1, 11)
    )
    mine = "12. Ann — 50 · 1 round, 30% coverage (you)"
    assert board.text == top + "\n…\n" + mine  # Member 11 (90) is left out
    assert board.title == "Leaderboard · this week · page 1 of 2"
    assert board.visibility is Visibility.PRIVATE
    assert [(b.label, b.value) for b in board.buttons] == [
        ("Next", "week page=2"),
        ("Share", "week"),
    ]
    shared = await standings.leaderboard(group, ANN, "week", shared=True)
    assert shared.visibility is Visibility.PUBLIC and not shared.buttons
    assert shared.text == top and shared.footer is not None and "Shared by Ann" in shared.footer
    assert (await standings.leaderboard(group, ANN, "fortnight", shared=True)).is_error


async def test_a_category_board_counts_that_category_s_rounds_and_its_buttons_keep_it(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    others = {MemberRef("t", f"u{i}", f"Member {i}"): (1.0, 200 - 10 * i) for i in range(1, 12)}
    await scored_round(store, group, date(2026, 12, 1), "nlp-tf-idf", others, "nlp")
    await scored_round(
        store, group, date(2026, 12, 2), "evaluation-kfold", {ANN: (0.5, 500)}, "evaluation"
    )
    board = await standings.leaderboard(group, ANN, "week", category="category=nlp")
    top = "\n".join(
        f"{i}. Member {i} — {200 - 10 * i} · 1 round, 100% coverage" for i in range(1, 11)
    )
    assert board.title == "Leaderboard · NLP · this week · page 1 of 2"
    nudge = "You have no points in this category in this period yet: answer the next question!"
    assert board.text == f"{top}\n\n{nudge}"
    assert [(b.label, b.value) for b in board.buttons] == [
        ("Next", "week category=nlp page=2"),
        ("Share", "week category=nlp"),
    ]
    mine = await standings.leaderboard(group, ANN, "all", category="evaluation")
    assert mine.text == "1. Ann — 500 · 1 round, 50% coverage"
    shared = await standings.leaderboard(group, ANN, "week", shared=True, category="nlp")
    assert shared.text == top and shared.footer is not None
    assert "/leaderboard week category=nlp\x0f shows you your own place" in shared.footer
    wrong = await standings.leaderboard(group, ANN, "week", category="category=cooking")
    assert wrong.is_error and "There is no category 'cooking': try one of" in wrong.text


async def test_a_caller_on_the_board_gets_no_extra_line_and_one_without_points_a_nudge(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    await scored_round(
        store, group, date(2026, 12, 1), "evaluation-kfold", {ANN: (1.0, 30), BEN: (0.0, 0)}
    )
    ann = "1. Ann — 30 · 1 round, 100% coverage"
    assert (await standings.leaderboard(group, ANN, "week")).text == ann
    assert (await standings.leaderboard(group, BEN, "week")).text == f"{ann}\n\n{NUDGE}"


async def test_the_week_of_the_leaderboard_is_the_groups_local_week(
    store: MemoryStore, standings: StandingsService, clock: ManualClock, group: Group
) -> None:
    utc = await store.create_group(ChannelRef("t", "w", "utc"), GroupSettings(timezone="UTC"))
    assert utc is not None
    friday = date(2026, 12, 4)
    for g in (group, utc):
        await scored_round(store, g, friday, "evaluation-kfold", {ANN: (1.0, 30)})
    clock.set(datetime.fromisoformat("2026-12-06T23:30+00:00"))  # Monday 00:30 in Berlin
    assert (await standings.leaderboard(group, ANN, "week")).text == f"No points yet.\n\n{NUDGE}"
    ann = "1. Ann — 30 · 1 round, 100% coverage"
    assert (await standings.leaderboard(group, ANN, "all")).text == ann
    assert (await standings.leaderboard(utc, ANN, "week")).text == ann  # still Sunday


# -- stats ---------------------------------------------------------------------


async def test_stats_report_points_and_rank_per_period_streak_coverage_and_practice(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    # Friday of the week before, Monday of this week (still November), today.
    await scored_round(
        store, group, date(2026, 11, 27), "nlp-tf-idf", {ANN: (2 / 3, 23), BEN: (1.0, 90)}
    )
    await scored_round(store, group, date(2026, 11, 30), "evaluation-kfold", {ANN: (1.0, 32)})
    await scored_round(store, group, date(2026, 12, 1), "nlp-word-embeddings", {ANN: (1 / 3, 15)})
    await practised(store, ANN, "evaluation-auc-coin", 0.5, due_in=timedelta(hours=-1))
    await practised(store, ANN, "algorithms-gini-split", 0.7, due_in=timedelta(days=1))
    # 23:59 in Berlin is still today; seven days on is past the week (today and six more).
    await practised(store, ANN, "nlp-tf-idf", 0.4, due_in=timedelta(hours=12, minutes=59))
    await practised(store, ANN, "evaluation-kfold", 0.6, due_in=timedelta(days=7))
    stats = await standings.stats(group, ANN)
    assert stats.title == "Stats · Ann"
    assert field(stats, "Points") == (
        "This week: 47 points, rank 1\nThis month: 15 points, rank 1\nAll time: 70 points, rank 2"
    )
    assert field(stats, "Streak") == "3 now, best 3"
    assert field(stats, "Rounds answered") == "3"
    assert field(stats, "Average coverage") == "67%"
    assert field(stats, "By category") == (
        "NLP: 2 answered, 50% coverage\nEvaluation: 1 answered, 100% coverage"  # most first
    )
    assert field(stats, "Practice") == (
        "4 questions, 4 answered, 55% average coverage; reviews due: 2 today, 3 this week"
    )


async def test_a_practice_average_of_nothing_covered_is_shown_as_zero(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    await scored_round(store, group, date(2026, 12, 1), "evaluation-kfold", {ANN: (1.0, 32)})
    await practised(store, ANN, "evaluation-auc-coin", 0.0, due_in=timedelta(days=1))
    stats = await standings.stats(group, ANN)
    assert (
        field(stats, "Practice")
        == "1 question, 1 answered, 0% average coverage; reviews due: 0 today, 1 this week"
    )


async def test_missing_the_latest_round_shows_the_streak_broken_but_keeps_the_best(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    both = {ANN: (1.0, 30), BEN: (1.0, 30)}
    await scored_round(store, group, date(2026, 11, 26), "evaluation-kfold", both)
    await scored_round(store, group, date(2026, 11, 27), "nlp-tf-idf", both)
    await scored_round(store, group, date(2026, 11, 30), "algorithms-l1-l2", {BEN: (1.0, 30)})
    assert field(await standings.stats(group, ANN), "Streak") == "0 now, best 2"
    assert field(await standings.stats(group, BEN), "Streak") == "3 now, best 3"


async def test_an_empty_group_gets_a_friendly_empty_board_and_stats(
    standings: StandingsService, group: Group
) -> None:
    board = await standings.leaderboard(group, ANN, "month")
    assert board.title == "Leaderboard · this month"
    assert board.text == f"No points yet.\n\n{NUDGE}" and not board.is_error
    stats = await standings.stats(group, ANN)
    assert [f.name for f in stats.fields] == [
        "Points",
        "Streak",
        "Rounds answered",
        "Streak freezes",
        "Practice",
    ]
    assert field(stats, "Points") == "This week: —\nThis month: —\nAll time: —"
    assert field(stats, "Streak") == "0 now, best 0"
    assert field(stats, "Practice") == "0 questions, 0 answered; reviews due: 0 today, 0 this week"


# -- overview ------------------------------------------------------------------


async def test_the_overview_covers_the_groups_of_the_workspace_the_member_scored_in(
    store: MemoryStore, standings: StandingsService, group: Group
) -> None:
    quiet = await store.create_group(ChannelRef("t", "w", "quiet"), group.settings)
    elsewhere = await store.create_group(ChannelRef("t", "w2", "general"), group.settings)
    assert quiet is not None and elsewhere is not None
    for g in (group, elsewhere):
        await scored_round(store, g, date(2026, 12, 1), "evaluation-kfold", {ANN: (2 / 3, 23)})
    [(channel, card)] = await standings.overview(ANN, "w")
    assert channel == group.channel and card.title == "Stats · Ann"
    assert (card.fields[-1].name, card.fields[-1].value) == (
        "Leaderboard · this week",
        "1. Ann — 23 · 1 round, 67% coverage",
    )
    assert await standings.overview(BEN, "w") == []  # never scored anywhere
