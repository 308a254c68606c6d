"""The weekly recap: last week's figures, posted once before the week's first question.

A group's recap of a week (its leaderboard key, `w2026-49`) goes out before the
first question of the next week that goes out (normally on the group's first
posting day), unless the group set `recap=off` or last week had no revealed
round. It is claimed in the database before it is posted, leased to the process
posting it: a process that dies mid-post leaves a lease that runs out, and the
sweep of any process (or the next start of this one) takes the recap over, so
it is neither lost nor posted twice.

The figures, all from last week's revealed rounds and their on-time, graded answers:

- the top three of last week's leaderboard;
- the most improved member: the largest rise in average coverage over the week
  before, among members who answered in both weeks (a rise above zero; ties go
  to the name, then the member id);
- the most helpful member: the most helpful votes received on last week's
  answers (at least one; same ties);
- how many members took part (answered at least one revealed round on time);
- the hardest question: the lowest average coverage among rounds with at least
  two answers (ties to the earlier day), with a link to its reveal when the
  platform gives one.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Protocol

from bot import recap_messages
from bot.charts import ChartService
from bot.clock import Clock
from bot.content.bank import QuestionBank
from bot.model import Group, MessageRef, Round
from bot.ports import ChatPort, MessageLinks, NotAllowed, PostLookup
from bot.recap_figures import Recap, recap_figures, week_start
from bot.records import RecapAnswer, Standing
from bot.replies import Image, Reply
from bot.scoring import period_key

__all__ = ["RecapService", "RecapStore"]

log = logging.getLogger(__name__)


class RecapStore(Protocol):
    """The store calls the weekly recap needs."""

    async def get_group(self, group_id: int) -> Group | None:
        """Return a group by id."""
        ...

    async def claim_recap(self, group_id: int, week: str, now: datetime, until: datetime) -> bool:
        """Claim a group's recap of a week, leased to this process; False if claimed already."""
        ...

    async def take_recap(
        self, group_id: int, week: str, now: datetime, until: datetime, include_own: bool
    ) -> bool:
        """Take over a recap left mid-post whose lease ran out (or is ours)."""
        ...

    async def unfinished_recaps(self, now: datetime, include_own: bool) -> list[tuple[int, str]]:
        """Return (group, week) of recaps left mid-post whose lease ran out (or is ours)."""
        ...

    async def recap_done(
        self, group_id: int, week: str, message_id: str | None, error: str | None = None
    ) -> None:
        """Record a recap posted (its message), or given up."""
        ...

    async def rounds_out_between(self, group_id: int, first: date, before: date) -> int:
        """Return how many of the group's rounds from `first` to before `before` went out."""
        ...

    async def revealed_rounds_between(self, group_id: int, first: date, last: date) -> int:
        """Return how many of the group's rounds from `first` to `last` were revealed."""
        ...

    async def recap_answers(self, group_id: int, first: date, last: date) -> list[RecapAnswer]:
        """Return the on-time, graded answers of the group's revealed rounds in a span."""
        ...

    async def top_scores(self, group_id: int, period: str, limit: int = 10) -> list[Standing]:
        """Return the leaders of a group's leaderboard for a period."""
        ...


class RecapService:
    """Posts each group's weekly recap once, before the week's first question."""

    def __init__(
        self,
        store: RecapStore,
        bank: QuestionBank,
        chat: ChatPort,
        clock: Clock,
        lease: timedelta,
        charts: ChartService | None = None,
    ) -> None:
        self._store = store
        self._bank = bank
        self._chat = chat
        self._clock = clock
        self._lease = lease
        self._charts = charts  # the top ten's points per week, attached to the recap

    async def before_round(self, group: Group, round_: Round) -> None:
        """Post last week's recap if this round is the week's first to go out; never raises."""
        try:
            week = await self._due_week(group, round_.local_date)
            if week is None:
                return
            now = self._clock.now()
            if await self._store.claim_recap(group.id, week, now, now + self._lease):
                await self._post(group, week, taking_over=False)
        except Exception:
            log.exception("group %d: the weekly recap failed", group.id)

    async def _due_week(self, group: Group, day: date) -> str | None:
        """Return the week to recap before a round of `day`, or None if none is due."""
        if not group.settings.recap:
            return None
        monday = day - timedelta(days=day.weekday())
        if await self._store.rounds_out_between(group.id, monday, day) > 0:
            return None  # a question went out earlier this week: the recap's moment passed
        last = monday - timedelta(days=7)
        if await self._store.revealed_rounds_between(group.id, last, monday - timedelta(1)) == 0:
            return None
        return period_key("week", last)

    async def sweep(self, at_start: bool) -> None:
        """Take over recaps whose process died mid-post (at start: ours too) and post them."""
        now = self._clock.now()
        for group_id, week in await self._store.unfinished_recaps(now, at_start):
            try:
                if not await self._store.take_recap(
                    group_id, week, now, now + self._lease, at_start
                ):
                    continue
                group = await self._store.get_group(group_id)
                if group is not None:
                    log.warning("group %d: taking over the recap of %s", group_id, week)
                    await self._post(group, week, taking_over=True)
            except Exception:
                log.exception("group %d: taking over the recap of %s failed", group_id, week)

    async def _post(self, group: Group, week: str, taking_over: bool) -> None:
        """Post a claimed recap (or find it posted before a crash) and record it."""
        key = recap_messages.recap_post_key(group.id, week)
        if taking_over and isinstance(self._chat, PostLookup):
            found = await self._chat.find_post(group.channel, key)
            if found is not None:
                await self._store.recap_done(group.id, week, found.message_id)
                return
        recap = await self._figures(group.id, week)
        hardest = None
        if recap.hardest is not None:
            question = self._bank.get(recap.hardest.question_id)
            link = await self._link(group, recap.hardest.reveal_message_id)
            hardest = recap_messages.HardestShown(recap.hardest, question, link)
        card = recap_messages.recap_card(group.id, week, recap, hardest)
        card = replace(card, image=await self._chart(group, week))
        try:
            message = await self._post_card(group, card)
        except Exception as exc:
            await self._store.recap_done(group.id, week, None, f"{type(exc).__name__}: {exc}")
            log.error("group %d: could not post the recap of %s: %s", group.id, week, exc)
            return
        await self._store.recap_done(group.id, week, message.message_id)
        log.info("group %d: posted the recap of %s", group.id, week)

    async def _post_card(self, group: Group, card: Reply) -> MessageRef:
        """Post the recap, without its picture where the platform refuses the picture.

        A channel where the bot may not attach files still gets the figures.
        """
        try:
            return await self._chat.post(group.channel, card)
        except NotAllowed:
            if card.image is None:
                raise
            log.warning("group %d: the recap's chart was refused; posted without it", group.id)
            return await self._chat.post(group.channel, replace(card, image=None))

    async def _chart(self, group: Group, week: str) -> Image | None:
        """Return last week's top ten's points over the weeks up to it; None if none to draw."""
        if self._charts is None:
            return None
        try:
            leaders = await self._store.top_scores(group.id, week, 10)
            last_day = week_start(week) + timedelta(days=6)
            return await self._charts.board_image(group, leaders, last_day) if leaders else None
        except Exception as exc:  # a recap without its chart is still a recap
            log.warning("group %d: the recap of %s goes without its chart: %s", group.id, week, exc)
            return None

    async def _figures(self, group_id: int, week: str) -> Recap:
        first = week_start(week)
        last = first + timedelta(days=6)
        answers = await self._store.recap_answers(group_id, first - timedelta(days=7), last)
        this_week = [a for a in answers if a.local_date >= first]
        before = [a for a in answers if a.local_date < first]
        top = await self._store.top_scores(group_id, week, 3)
        return recap_figures(first, top, this_week, before)

    async def _link(self, group: Group, message_id: str | None) -> str | None:
        if message_id is None or not isinstance(self._chat, MessageLinks):
            return None
        try:
            return await self._chat.message_link(group.channel, message_id)
        except Exception as exc:  # a recap without its link is still a recap
            log.warning("group %d: no link to message %s: %s", group.id, message_id, exc)
            return None
