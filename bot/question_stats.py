"""How the group's questions went, for its admins, and members' reports of a problem with one.

`/studybot question-stats [days]` shows, per round revealed in the period, the
share of the group's active members who answered on time, the average
coverage and the key point most missed. A reveal's "Report a problem" button
records a member's note about its question for the bank's maintainers: one
report per member and round, a later one replacing the earlier.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot import messages
from bot import question_messages as words
from bot.clock import Clock
from bot.content.bank import QuestionBank
from bot.model import Group, MemberRef, Round
from bot.replies import Reply
from bot.store_ports import QuestionStatsStore

__all__ = ["DEFAULT_DAYS", "QuestionStatsService"]

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30


class QuestionStatsService:
    """Question stats for admins, and problem reports from members."""

    def __init__(self, store: QuestionStatsStore, bank: QuestionBank, clock: Clock) -> None:
        self._store = store
        self._bank = bank
        self._clock = clock

    async def stats(self, group: Group, days_given: str | None) -> Reply:
        """Return the figures of the rounds revealed in the last `days` days (the group's dates)."""
        days = _days(days_given)
        if days is None:
            return messages.error(words.bad_days(days_given or ""))
        today = self._clock.now().astimezone(ZoneInfo(group.settings.timezone)).date()
        since = today - timedelta(days=days - 1)
        tallies = await self._store.round_tallies(group.id, since)
        if not tallies:
            return words.no_rounds(days)
        active = await self._store.active_members(group.id, since)
        questions = [self._bank.get(t.question_id) for t in tallies]
        return words.stats_reply(days, tallies, questions, active)

    async def report_form(self, group: Group, value: str) -> Reply:
        """Return the form of a report on the round `value` names (the reveal's button)."""
        round_ = await self._revealed_round(group, value)
        return words.report_form(round_.id) if round_ else _not_revealed()

    async def report(self, group: Group, member: MemberRef, value: str, note: str) -> Reply:
        """Record a member's report on the question of the round `value` names, and thank them."""
        round_ = await self._revealed_round(group, value)
        if round_ is None:
            return _not_revealed()
        note = note.replace("\x00", "").strip()  # PostgreSQL cannot store NUL
        problem = words.report_problem(note)
        if problem is not None:
            return messages.error(problem)
        member_id = await self._store.member_id(member)
        replaced = await self._store.save_report(
            round_.id, member_id, round_.question_id, note, self._clock.now()
        )
        log.info("group %d: a problem reported with %s", group.id, round_.question_id)
        return words.report_saved(note, replaced)

    async def _revealed_round(self, group: Group, value: str) -> Round | None:
        round_ = await self._store.get_round(int(value)) if value.isdigit() else None
        if round_ is None or round_.group_id != group.id or round_.revealed_at is None:
            return None
        return round_


def _not_revealed() -> Reply:
    return messages.error("That question is not one revealed in this channel.")


def _days(given: str | None) -> int | None:
    """Return the days asked for (`30`, `days=30`; nothing: the default), None if not 1..365."""
    text = (given or "").strip().lower()
    if not text:
        return DEFAULT_DAYS
    text = text.removeprefix("days=")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= words.MAX_DAYS:
        return None
    return int(text)
