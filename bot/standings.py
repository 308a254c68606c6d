"""Leaderboards and a member's own statistics in a group."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from bot import messages, standing_replies
from bot.appeal_messages import question_about
from bot.charts import NO_CHART_YET, ChartService
from bot.clock import Clock
from bot.content.bank import QuestionBank
from bot.markup import user_text
from bot.model import ChannelRef, Group, MemberRef
from bot.periods import (
    BoardPeriod,
    PeriodError,
    board_period,
    category_name,
    in_category,
    page_number,
    period_days,
)
from bot.records import Standing
from bot.replies import Reply
from bot.review_schedule import due_windows
from bot.scoring import PERIOD_NAMES, current_streak, period_key
from bot.standing_replies import PAGE_SIZE
from bot.store_ports import StandingsStore
from bot.streak_messages import upcoming

__all__ = ["StandingsService"]

NO_BOARD_CHART = "No points in the 8 weeks up to this board's end to chart."


class StandingsService:
    """Reads scores: leaderboards per period, and a member's stats."""

    def __init__(
        self, store: StandingsStore, bank: QuestionBank, clock: Clock, charts: ChartService
    ) -> None:
        self._store = store
        self._bank = bank
        self._clock = clock
        self._charts = charts

    def _today(self, group: Group) -> date:
        return self._clock.now().astimezone(ZoneInfo(group.settings.timezone)).date()

    def _period(self, group: Group, period: str) -> str:
        return period_key(period, self._today(group))

    def _board(
        self, group: Group, period: str | None, when: str | None, category: str | None
    ) -> tuple[BoardPeriod, tuple[str, str] | None]:
        """Return the board a member names and its period's days, or raise PeriodError."""
        board = board_period(period, when, self._today(group))
        days = period_days(board.key)
        if category is None:
            return board, days
        name = category_name(category)
        if name not in self._bank.categories:
            shown = user_text(name or category, limit=40)
            raise PeriodError(
                f"There is no category '{shown}': try one of "
                + ", ".join(f"category={c}" for c in self._bank.categories)
                + "."
            )
        return in_category(board, name, self._bank.category_title(name)), days

    async def leaderboard(
        self,
        group: Group,
        member: MemberRef,
        period: str | None,
        shared: bool = False,
        when: str | None = None,
        page: str | None = None,
        category: str | None = None,
        chart: bool = False,
    ) -> Reply:
        """Return a page of the group's board for a period and the caller's place, for them alone.

        `period`: week (None: the week, or the month `when` names), month or all;
        `when`: which one (`last`, `2026-W49`, `2026-11`; None: the current one),
        on the group's local calendar; `page`: which ten (`page=2`, `2`; None: the
        first); `category` (`category=nlp`, `nlp`): the points of that category's
        rounds only. Each line shows the member's points, rounds answered and
        average coverage on that board. `shared`: the first page for the whole
        channel, saying who shared it. `chart`: with a chart of the page's members'
        points per week in the 8 weeks up to the period's end.
        """
        try:
            board, days = self._board(group, period, when, category)
            number = 1 if shared else page_number(page)
        except PeriodError as problem:
            return messages.error(str(problem))
        offset = (number - 1) * PAGE_SIZE
        store, group_id = self._store, group.id
        if shared:
            leaders = await store.top_scores(group_id, board.key, PAGE_SIZE)
            figures = await store.board_figures(
                group_id, days, [s.member_id for s in leaders], board.category
            )
            reply = standing_replies.leaderboard_reply(
                board, leaders, None, shared_by=member.display_name, figures=figures
            )
            return await self._with_board_chart(reply, group, leaders, days) if chart else reply
        member_id = await store.member_id(member)
        leaders, mine, size = await store.together(
            store.top_scores(group_id, board.key, PAGE_SIZE, offset),
            store.standing_of(group_id, board.key, member_id),
            store.board_size(group_id, board.key),
        )
        shown = [s.member_id for s in leaders] + ([mine.member_id] if mine else [])
        figures = await store.board_figures(group_id, days, shown, board.category)
        reply = standing_replies.leaderboard_reply(
            board, leaders, mine, figures=figures, page=number, size=size
        )
        return await self._with_board_chart(reply, group, leaders, days) if chart else reply

    async def _with_board_chart(
        self, reply: Reply, group: Group, leaders: list[Standing], days: tuple[str, str] | None
    ) -> Reply:
        """Return a board's reply with its chart, or saying why there is none."""
        last_day = date.fromisoformat(days[1]) if days else None
        image = await self._charts.board_image(group, leaders, last_day) if leaders else None
        if image is None:
            return replace(reply, text=f"{reply.text}\n\n{NO_BOARD_CHART}".strip())
        return replace(reply, image=image)

    async def stats(self, group: Group, member: MemberRef, chart: bool = True) -> Reply:
        """Return a member's points, ranks, streak, coverage by category and practice.

        `chart`: with a picture of their points per week, coverage by category and
        answers per day (or, with nothing to draw yet, a line saying so).
        """
        member_id = await self._store.member_id(member)
        store, now = self._store, self._clock.now()
        standings_of = store.each(
            store.standing_of(group.id, self._period(group, p), member_id) for p in PERIOD_NAMES
        )
        standings, totals, latest, history, practice = await store.together(
            standings_of,
            store.member_stats(group.id, [member_id]),
            store.latest_revealed_round(group.id),
            store.member_history(group.id, member_id),
            store.practice_summary(member_id, *due_windows(now, group.settings.timezone)),
        )
        today = now.astimezone(group.settings.zone).date()
        away = upcoming(await store.away_ranges(group.id, member_id), today)
        regraded = [
            (note.local_date, question_about(question), note.old_points, note.new_points)
            for note in await store.regraded_answers(group.id, member_id)
            if (question := self._bank.get(note.question_id)) is not None
        ]
        places = list(zip(PERIOD_NAMES, standings, strict=True))
        stats = totals.get(member_id)
        latest_seq = (latest.reveal_seq or 0) if latest is not None else 0
        streak = current_streak(stats, latest_seq)
        per_category: dict[str, list[float]] = defaultdict(list)
        for question_id, coverage, _ in history:
            question = self._bank.get(question_id)
            if question is not None:
                per_category[messages.category_title(question)].append(coverage)
        by_category = sorted(
            ((c, len(v), sum(v) / len(v)) for c, v in per_category.items()),
            key=lambda row: (-row[1], row[0]),
        )
        answered = stats.rounds_answered if stats else 0
        average = stats.coverage_sum / answered if stats and answered else None
        reply = standing_replies.stats_reply(
            member.display_name,
            places,
            streak,
            stats.best_streak if stats else 0,
            answered,
            average,
            by_category,
            practice,
            regraded,
            (stats.freezes, stats.freezes_used) if stats else (0, 0),
            away,
        )
        if not chart:
            return reply
        image = await self._charts.stats_image(group, member_id, member.display_name, by_category)
        return replace(reply, image=image) if image else replace(reply, text=NO_CHART_YET)

    async def overview(
        self, member: MemberRef, workspace_id: str
    ) -> list[tuple[ChannelRef, Reply]]:
        """Return the member's stats and weekly leaderboard in each group they have points in.

        Only the groups of the member's platform and workspace count (e.g. for
        Slack's App Home); a member who has not been scored anywhere gets [].
        """
        member_id = await self._store.member_id(member)
        groups = await self._store.groups_scored_in(member_id, member.platform, workspace_id)
        overview: list[tuple[ChannelRef, Reply]] = []
        for group in groups:
            stats = await self.stats(group, member, chart=False)
            board = await self.leaderboard(group, member, "week")
            overview.append((group.channel, standing_replies.overview_card(stats, board)))
        return overview
