"""What each page of the web archive shows, read from the store and the bank for one group.

Every read names the link's group: a round or member id of another group finds
nothing (`None`: the site answers 404). A page past the last, an unknown
category or a period that cannot be read is an `ArchiveInputError` whose
message is shown on a 400 page (no member's text in it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot import messages
from bot.appeal_messages import question_about
from bot.charts import ChartService
from bot.clock import Clock
from bot.content.bank import QuestionBank
from bot.model import Group
from bot.periods import PeriodError, board_period, in_category, period_days
from bot.store_archive_ports import ArchivePageStore

__all__ = [
    "PAGE_SIZE",
    "ArchiveInputError",
    "ArchivePages",
    "BoardPage",
    "BoardRow",
    "MemberPage",
    "ResultRow",
    "RoundPage",
    "RoundRow",
    "RoundsPage",
    "page_count",
]

PAGE_SIZE = 50
_MAX_PAGE = 1_000_000


class ArchiveInputError(ValueError):
    """A page asked for with input that cannot be read (shown on a 400 page)."""


def page_count(total: int) -> int:
    """Return how many pages of PAGE_SIZE rows `total` rows fill (one page when empty)."""
    return max(1, math.ceil(total / PAGE_SIZE))


def _check_page(page: int, pages: int) -> None:
    if not 1 <= page <= pages:
        raise ArchiveInputError(f"There is no page {page}: pages go from 1 to {pages}.")


@dataclass(frozen=True, slots=True)
class RoundRow:
    """A revealed round in the list: its date, question, category and on-time answers."""

    round_id: int
    local_date: date
    question: str
    category: str
    answered: int


@dataclass(frozen=True, slots=True)
class RoundsPage:
    """A page of the revealed rounds, newest first, maybe of one category."""

    rounds: tuple[RoundRow, ...]
    category: str | None
    categories: tuple[tuple[str, str], ...]  # (id, title) of the bank's categories
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class ResultRow:
    """A member's on-time result in a round: points, coverage, and the answer if shown."""

    member_id: int
    name: str
    points: int
    coverage: float
    covered: str  # "3 of 4"
    answer: str | None
    linked: bool  # the member has a page (scored in the group; not for a non-attempt alone)


@dataclass(frozen=True, slots=True)
class RoundPage:
    """A revealed round: its question, reference answer, key points and results."""

    round_id: int
    local_date: date
    category: str
    prompt: str
    answer: str
    key_points: tuple[str, ...]
    results: tuple[ResultRow, ...]
    show_answers: bool


@dataclass(frozen=True, slots=True)
class BoardRow:
    """A member's place on a leaderboard, with their rounds answered and average coverage."""

    place: int
    member_id: int
    name: str
    points: int
    answered: int
    coverage: float | None


@dataclass(frozen=True, slots=True)
class BoardPage:
    """A page of a leaderboard of a period (and maybe one category)."""

    title: str
    period: str
    when: str
    category: str | None
    rows: tuple[BoardRow, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class MemberPage:
    """A member's progress in the group: totals and coverage per category."""

    member_id: int
    name: str
    answered: int
    average: float | None
    best_streak: int
    by_category: tuple[tuple[str, int, float], ...]


class ArchivePages:
    """Reads what each archive page shows, for one group at a time."""

    def __init__(
        self, store: ArchivePageStore, bank: QuestionBank, clock: Clock, charts: ChartService
    ) -> None:
        self._store = store
        self._bank = bank
        self._clock = clock
        self._charts = charts

    def _category(self, category: str | None) -> str | None:
        """Return a category named in the query (None: all), or raise ArchiveInputError."""
        if category is None or category == "":
            return None
        if category.lower() not in self._bank.categories:
            raise ArchiveInputError("There is no such category: choose one from the list.")
        return category.lower()

    async def rounds(self, group: Group, category: str | None, page: int) -> RoundsPage:
        """Return a page of a group's revealed rounds, newest first."""
        chosen = self._category(category)
        total = await self._store.count_archived_rounds(group.id, chosen)
        pages = page_count(total)
        _check_page(page, pages)
        found = await self._store.archived_rounds(
            group.id, chosen, PAGE_SIZE, (page - 1) * PAGE_SIZE
        )
        rows = []
        for r in found:
            question = self._bank.get(r.question_id)
            about = question_about(question) if question is not None else r.question_id
            shown = self._bank.category_title(r.category) if r.category else "—"
            rows.append(RoundRow(r.round_id, r.local_date, about, shown, r.answered))
        categories = tuple((c, self._bank.category_title(c)) for c in self._bank.categories)
        return RoundsPage(tuple(rows), chosen, categories, page, pages, total)

    async def round(self, group: Group, round_id: int, show_answers: bool) -> RoundPage | None:
        """Return a revealed round of the group; None if it is not one (another group's)."""
        found = await self._store.archived_round(group.id, round_id)
        if found is None:
            return None
        question = self._bank.get(found.question_id)
        results = []
        answers = await self._store.round_answers(round_id)
        shown = [a for a in answers if not a.late and a.points is not None]
        scored = await self._store.member_stats(group.id, [a.member_id for a in shown])
        for a in shown:
            covered = a.covered or ()
            results.append(
                ResultRow(
                    a.member_id,
                    a.display_name,
                    a.points or 0,
                    a.coverage or 0.0,
                    f"{sum(covered)} of {len(covered)}",
                    a.text if show_answers else None,
                    a.member_id in scored,
                )
            )
        results.sort(key=lambda r: (-r.points, r.name))
        return RoundPage(
            found.round_id,
            found.local_date,
            self._bank.category_title(found.category) if found.category else "—",
            question.prompt if question is not None else found.question_id,
            question.answer if question is not None else "",
            tuple(p.text for p in question.key_points) if question is not None else (),
            tuple(results),
            show_answers,
        )

    async def board(
        self, group: Group, period: str | None, when: str | None, category: str | None, page: int
    ) -> BoardPage:
        """Return a page of one of the group's leaderboards, or raise ArchiveInputError."""
        today = self._clock.now().astimezone(group.settings.zone).date()
        try:
            board = board_period(period or "week", when or None, today)
        except PeriodError:
            raise ArchiveInputError(
                "That period cannot be read: period is week, month or all; when is last, "
                "a week such as 2026-W49, or a month such as 2026-11 (not in the future)."
            ) from None
        chosen = self._category(category)
        if chosen is not None:
            board = in_category(board, chosen, self._bank.category_title(chosen))
        total = await self._store.board_size(group.id, board.key)
        pages = page_count(total)
        _check_page(page, pages)
        leaders = await self._store.top_scores(
            group.id, board.key, PAGE_SIZE, (page - 1) * PAGE_SIZE
        )
        figures = await self._store.board_figures(
            group.id, period_days(board.key.split("/")[0]), [s.member_id for s in leaders], chosen
        )
        rows = []
        for s in leaders:
            answered, coverage = figures.get(s.member_id, (0, 0.0))
            average = coverage / answered if answered else None
            rows.append(BoardRow(s.rank, s.member_id, s.display_name, s.points, answered, average))
        return BoardPage(
            board.title, board.period, when or "", chosen, tuple(rows), page, pages, total
        )

    async def member(self, group: Group, member_id: int) -> MemberPage | None:
        """Return a member's progress in the group; None for someone not scored in it."""
        name = await self._store.group_member_name(group.id, member_id)
        if name is None:
            return None
        stats = (await self._store.member_stats(group.id, [member_id])).get(member_id)
        answered = stats.rounds_answered if stats else 0
        return MemberPage(
            member_id,
            name,
            answered,
            stats.coverage_sum / answered if stats and answered else None,
            stats.best_streak if stats else 0,
            tuple(await self._by_category(group, member_id)),
        )

    async def _by_category(self, group: Group, member_id: int) -> Sequence[tuple[str, int, float]]:
        """Return (category title, answers, average coverage), most answered first, as /stats."""
        per_category: dict[str, list[float]] = defaultdict(list)
        for question_id, coverage, _ in await self._store.member_history(group.id, member_id):
            question = self._bank.get(question_id)
            if question is not None:
                per_category[messages.category_title(question)].append(coverage)
        return sorted(
            ((c, len(v), sum(v) / len(v)) for c, v in per_category.items()),
            key=lambda row: (-row[1], row[0]),
        )

    async def member_chart(self, group: Group, member_id: int) -> bytes | None:
        """Return a member's `/stats` chart as PNG bytes; None if they are not scored here."""
        name = await self._store.group_member_name(group.id, member_id)
        if name is None:
            return None
        by_category = await self._by_category(group, member_id)
        image = await self._charts.stats_image(group, member_id, name, by_category)
        return None if image is None else image.data
