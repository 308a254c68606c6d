"""The composition root: builds the store, the bank, the clock, the scheduler and the core."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from bot.answers import AnswerService
from bot.appeals import AppealService
from bot.archive_access import ArchiveAccess
from bot.charts import ChartService
from bot.clock import Clock, ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.content.cache import load_bank_cached
from bot.core import Core
from bot.deliveries import DeliveryLog
from bot.feedback import FeedbackService
from bot.groups import AdminPolicy, GroupService
from bot.jobs import ApsJobScheduler, ManualJobScheduler
from bot.limits import MemberLimits
from bot.ports import ChatPort
from bot.practice import PracticeService
from bot.private_notes import PrivateNotes
from bot.question_stats import QuestionStatsService
from bot.recaps import RecapService
from bot.reminders import ReminderService
from bot.review_notes import ReviewNoteService
from bot.rounds import RoundPolicy, RoundService
from bot.routes import Services
from bot.scoring import ScoringRules
from bot.standings import StandingsService
from bot.store.sql_store import SqlStore
from bot.store.urls import open_database
from bot.streaks import AwayService
from bot.votes import VoteService

__all__ = ["App", "build_app"]

log = logging.getLogger(__name__)


class _LateBoundHandlers:
    """Job handlers whose targets (rounds, reminders, notes) are built after the scheduler."""

    target: RoundService | None = None
    reminders: ReminderService | None = None
    review_notes: ReviewNoteService | None = None
    appeals: AppealService | None = None

    def _handlers(self) -> RoundService:
        if self.target is None:
            raise RuntimeError("the scheduler ran a job before the app was built")
        return self.target

    async def post_due(self, group_id: int) -> None:
        """Post the group's round if one is due now."""
        await self._handlers().post_due(group_id)

    async def reveal_due(self, round_id: int) -> None:
        """Reveal the round if it is still open."""
        await self._handlers().reveal_due(round_id)

    async def retry_post(self, round_id: int) -> None:
        """Try again to post a round whose post failed."""
        await self._handlers().retry_post(round_id)

    async def remind_due(self, round_id: int) -> None:
        """Send the round's reminders if they are due and not sent yet."""
        if self.reminders is None:
            raise RuntimeError("the scheduler ran a reminder before the app was built")
        await self.reminders.remind_due(round_id)

    async def review_note_due(self, member_id: int) -> None:
        """Send the member's daily review note if it is due and not sent yet."""
        if self.review_notes is None:
            raise RuntimeError("the scheduler ran a review note before the app was built")
        await self.review_notes.note_due(member_id)

    async def appeal_due(self, appeal_id: int) -> None:
        """Pass a peer appeal to the admins if its judges left it undecided."""
        if self.appeals is None:
            raise RuntimeError("the scheduler ran an appeal's check before the app was built")
        await self.appeals.pass_due(appeal_id)

    async def sweep(self) -> None:
        """Finish work other processes left half done; send overdue reminders and notes."""
        await self._handlers().sweep()
        if self.reminders is not None:
            await self.reminders.sweep(at_start=False)
        if self.review_notes is not None:
            await self.review_notes.sweep(at_start=False)
        if self.appeals is not None:
            await self.appeals.sweep(at_start=False)


@dataclass
class App:
    """A built bot: the core for adapters, and what must be started and stopped."""

    core: Core
    store: SqlStore
    bank: QuestionBank
    rounds: RoundService
    clock: Clock
    scheduler: ApsJobScheduler | ManualJobScheduler
    deliveries: DeliveryLog
    notes: PrivateNotes  # the core's private messages, which skip members with closed DMs
    reminders: ReminderService
    review_notes: ReviewNoteService
    appeals: AppealService

    async def start(self) -> None:
        """Bring the schema and every group up to date, then start the scheduler."""
        await self.store.migrate(self.bank.category_of)
        await self.rounds.recover()
        await self.reminders.sweep(at_start=True)  # overdue ones sent, later ones armed
        await self.review_notes.sweep(at_start=True)  # the same for daily review notes
        await self.appeals.sweep(at_start=True)  # undecided peer appeals: the same
        # What is alive now (the bank, the schema, the modules) lives as long as the app:
        # keep the collector's full passes off it, which would walk it all on every pass.
        gc.freeze()
        if isinstance(self.scheduler, ApsJobScheduler):
            self.scheduler.start()

    async def stop(self) -> None:
        """Stop the scheduler and close the store (finishing pending writes)."""
        if isinstance(self.scheduler, ApsJobScheduler):
            self.scheduler.shutdown()
        await self.store.close()
        gc.unfreeze()  # what the app held may be collected again


def _scheduler(
    handlers: _LateBoundHandlers, clock: Clock, config: Config
) -> ApsJobScheduler | ManualJobScheduler:
    """Return the job scheduler: the manual one on a ManualClock, APScheduler's otherwise."""
    if isinstance(clock, ManualClock):
        return ManualJobScheduler(handlers, clock)
    return ApsJobScheduler(handlers, config.grace)


async def build_app(
    config: Config,
    chat: ChatPort,
    clock: Clock,
    *,
    bank: QuestionBank | None = None,
    rules: ScoringRules | None = None,
) -> App:
    """Build the bot for an adapter's chat port; a ManualClock gets the manual scheduler."""
    bank = bank if bank is not None else load_bank_cached(config.content_dir, config.cache_dir)
    db = await open_database(config.database_url)
    store = SqlStore(db, clock, owner=config.replica_id)
    rules, policy = rules or ScoringRules(), AdminPolicy(config.organisers, config.members_set_up)
    archive = ArchiveAccess(store)  # the web archive's links (`web=`); bot.health serves it
    handlers = _LateBoundHandlers()
    scheduler = _scheduler(handlers, clock, config)
    notes, charts = PrivateNotes(store, chat, clock), ChartService(store, clock)
    answers = AnswerService(store, bank, clock)
    reminders = ReminderService(store, bank, notes, clock, scheduler, answers, config.lease)
    timing = RoundPolicy(grace=config.grace, lease=config.lease)
    recaps = RecapService(store, bank, chat, clock, config.lease, charts)
    rounds = RoundService(
        store, bank, chat, clock, scheduler, rules, timing, notes, recaps, reminders
    )
    review_notes = ReviewNoteService(store, bank, notes, clock, scheduler)
    practice = PracticeService(store, bank, clock)
    appeals = AppealService(store, bank, clock, rules, chat, policy, notes, scheduler)
    handlers.target, handlers.reminders, handlers.review_notes = rounds, reminders, review_notes
    handlers.appeals = appeals
    services = Services(
        groups=GroupService(store, bank, scheduler, chat, clock, archive, config.public_url),
        rounds=rounds,
        answers=answers,
        votes=VoteService(store, clock),
        feedback=FeedbackService(store, bank, answers, practice, appeals),
        practice=practice,
        standings=StandingsService(store, bank, clock, charts),
        appeals=appeals,
        questions=QuestionStatsService(store, bank, clock),
        away=AwayService(store, clock),
        reminders=reminders,
        review_notes=review_notes,
    )
    limits = MemberLimits() if config.member_limits else None
    core = Core(store, bank, services, rules, limits, policy)
    log.info("built studybot with %d questions on %s", len(bank), db.dialect)
    deliveries = DeliveryLog(store, clock)
    return App(
        core,
        store,
        bank,
        rounds,
        clock,
        scheduler,
        deliveries,
        notes,
        reminders,
        review_notes,
        appeals,
    )
