"""A daily round's life: post, collect answers, reveal; and catching up after downtime."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot import messages, telemetry
from bot.clock import Clock
from bot.content.bank import QuestionBank
from bot.content.choice import choose_question
from bot.grading import Coverage, grade
from bot.jobs import JobScheduler
from bot.model import Group, GroupSettings, MemberRef, Question, Round, RoundStatus
from bot.ports import ChatPort, NotAllowed, PostLookup, ThreadReading
from bot.private_notes import PrivateNotes
from bot.recaps import RecapService
from bot.records import MemberAnswer, MemberStats, RoundResult, ScoreEntry
from bot.reminders import ReminderService
from bot.replies import Reply, Visibility
from bot.schedule import PostSlot, last_post_slot, next_post_slot, reveal_time_for
from bot.scoring import ScoringRules, next_stats, period_key, periods_of, round_points
from bot.store_ports import RoundStore
from bot.streaks import StreakService

__all__ = ["RoundPolicy", "RoundService"]

log = logging.getLogger(__name__)

# Due rounds whose database steps (look-ups, question choice, claim) run at once.
CLAIMS_AT_ONCE = 32


@dataclass(frozen=True, slots=True)
class RoundPolicy:
    """How rounds cope with time and failure."""

    grace: timedelta = timedelta(hours=2)  # post late within this window after downtime
    max_post_attempts: int = 6
    first_retry: timedelta = timedelta(seconds=30)  # doubles with each attempt
    # How long a process may take over a step (a post, a reveal) before another
    # process presumes it dead and takes the step over. Longer than the slowest post.
    lease: timedelta = timedelta(minutes=10)


# What an admin's post-now is told when today's round exists already, by its status.
_TODAY_TAKEN = {
    RoundStatus.SKIPPED: "was skipped",
    RoundStatus.MISSED: "was missed",
    RoundStatus.FAILED: "could not be posted",
    RoundStatus.RETRY: "is being posted (the last attempt failed; it will be tried again)",
    RoundStatus.POSTING: "is being posted",
}


class RoundService:
    """Posts rounds, records answers and reveals, keeping the database the truth."""

    def __init__(
        self,
        store: RoundStore,
        bank: QuestionBank,
        chat: ChatPort,
        clock: Clock,
        scheduler: JobScheduler,
        rules: ScoringRules,
        policy: RoundPolicy,
        notes: PrivateNotes,
        recaps: RecapService | None = None,
        reminders: ReminderService | None = None,
    ) -> None:
        self._store = store
        self._streaks = StreakService(store, notes)  # freezes and away days keep missed streaks
        self._recaps = recaps  # last week's recap, before the week's first question
        self._reminders = reminders  # planned when a round is posted (else by their sweep)
        self._bank = bank
        self._chat = chat
        self._clock = clock
        self._scheduler = scheduler
        self._rules = rules
        self._policy = policy
        self._notes = notes  # the founder's private warnings
        self._armed: dict[int, GroupSettings] = {}  # groups whose post job this process armed
        # Per group, the latest post time whose round this process saw claimed (by anyone); a
        # post time not in here (its job failed, say, the database away) is caught up by a sweep.
        self._settled: dict[int, PostSlot] = {}
        self._claiming = asyncio.Semaphore(CLAIMS_AT_ONCE)

    # -- posting --------------------------------------------------------------

    @telemetry.log_scope
    async def post_due(self, group_id: int) -> None:
        """Post the group's round for its latest post time, if due and not posted yet."""
        telemetry.bind_round(group_id=group_id)
        # Thousands of groups may share a post time: a few claim at once, and each posts as soon
        # as it holds its claim, so the platform's first post does not wait for the last claim.
        async with self._claiming:
            due = await self._claim_due(group_id)
        if due is not None:
            await self._publish(*due)

    async def _claim_due(self, group_id: int) -> tuple[Group, Round] | None:
        """Claim the group's round for its latest post time if it is due and unclaimed."""
        group = await self._store.get_group(group_id)
        if group is None or group.settings.paused:
            return None
        now = self._clock.now()
        slot = last_post_slot(group.settings, now)
        if slot is None:
            return None
        local_date, fire = slot.day, slot.at
        if await self._store.round_on(group.id, local_date) is not None:
            self._settled[group.id] = slot
            return None
        if now - fire > self._policy.grace:
            missed = await self._store.claim_round(
                group.id, local_date, "", fire, status=RoundStatus.MISSED
            )
            if missed is not None:
                log.warning(
                    "group %d: the round of %s was due at %s, beyond the grace window; skipped",
                    group.id,
                    local_date,
                    fire.isoformat(),
                )
            self._settled[group.id] = slot
            return None
        claimed = await self._claim(group, local_date, fire)
        self._settled[group.id] = slot
        return None if claimed is None else (group, claimed)

    async def post_now(self, group: Group) -> Reply:
        """Post today's round at once (an admin's command), unless today has one."""
        now = self._clock.now()
        local_date = now.astimezone(group.settings.zone).date()
        existing = await self._store.round_on(group.id, local_date)
        if existing is not None:
            state = _TODAY_TAKEN.get(existing.status, "is already posted")
            return messages.error(f"Today's question {state}; there is one round a day.")
        claimed = await self._claim(group, local_date, now)
        if claimed is None:
            return messages.error(
                "I couldn't start today's round: no question matches this channel's "
                "categories and difficulty, or someone started it a moment ago."
            )
        if await self._publish(group, claimed) is None:
            return await self._not_posted(group, claimed.id)
        return messages.info("Posted today's question.")

    async def _not_posted(self, group: Group, round_id: int) -> Reply:
        """Return why an admin's post did not go out, and whether it will be tried again."""
        latest = await self._store.get_group(group.id)
        if latest is not None and latest.settings.blocked:
            return messages.cannot_post_here(latest.settings.blocked)
        round_ = await self._store.get_round(round_id)
        if round_ is not None and round_.status is RoundStatus.RETRY:
            return messages.error(
                "I couldn't post the question just now; I'll keep trying for a while."
            )
        return messages.error("I couldn't post today's question; the bot's log says why.")

    async def skip(self, group: Group) -> Reply:
        """Skip the group's next scheduled round (an admin's command)."""
        skipped = await self.skip_next(group)
        if skipped is None:
            return messages.error("There is no scheduled question to skip.")
        return messages.info(
            f"The question of {skipped:%A %d %B} will be skipped.", Visibility.PUBLIC
        )

    async def skip_next(self, group: Group) -> date | None:
        """Skip the group's next scheduled round; return its local date."""
        after = self._clock.now()
        for _ in range(14):
            slot = next_post_slot(group.settings, after)
            if slot is None:
                return None
            claimed = await self._store.claim_round(
                group.id, slot.day, "", slot.at, status=RoundStatus.SKIPPED
            )
            if claimed is not None:
                return slot.day
            after = slot.at
        return None

    async def _claim(self, group: Group, local_date: date, fire: datetime) -> Round | None:
        """Choose the day's question and claim the round; None if another has it."""
        question = await self._next_question(group, local_date)
        if question is None:
            log.error("group %d: no question matches its settings", group.id)
            return None
        return await self._store.claim_round(
            group.id, local_date, question.id, fire, lease_until=self._lease_end()
        )

    async def _next_question(self, group: Group, local_date: date) -> Question | None:
        settings = group.settings
        levels = [name for name, weight in settings.difficulty_mix if weight > 0]
        candidates = self._bank.select(settings.categories, levels)
        asked = await self._store.asked_questions(group.id)
        return choose_question(
            candidates, asked, settings.difficulty_mix, f"{group.id}:{local_date.isoformat()}"
        )

    async def _publish(self, group: Group, round_: Round) -> Round | None:
        telemetry.bind_round(group_id=group.id, round_id=round_.id)
        question = self._bank.get(round_.question_id)
        now = self._clock.now()
        if question is None:
            await self._store.round_post_failed(round_.id, "question left the bank")
            return None
        reveal_at = reveal_time_for(group.settings, now)
        reads_threads = self._chat.reads_threads if isinstance(self._chat, ThreadReading) else True
        card = messages.round_card(
            question, round_, reveal_at, group.settings.timezone, reads_threads
        )
        if self._recaps is not None:
            await self._recaps.before_round(group, round_)
        try:
            posted = await self._chat.post_round(group.channel, card)
        except NotAllowed as exc:
            telemetry.platform_error(group.channel.platform, type(exc).__name__)
            await self._store.round_post_failed(round_.id, f"not allowed: {exc}")
            await self._stop_posting(group, str(exc))
            return None
        except Exception as exc:
            telemetry.platform_error(group.channel.platform, type(exc).__name__)
            late = now - round_.scheduled_for > self._policy.grace
            give_up = round_.attempts >= self._policy.max_post_attempts or late
            wait = self._policy.first_retry * 2 ** (round_.attempts - 1)
            retry_at = None if give_up else now + wait
            await self._store.round_post_failed(round_.id, f"{type(exc).__name__}: {exc}", retry_at)
            if retry_at is None:
                log.error("group %d: gave up posting round %d: %s", group.id, round_.id, exc)
            else:
                self._scheduler.arm_retry(round_.id, retry_at)
                log.warning(
                    "group %d: posting round %d failed (%s); retry in %s",
                    group.id,
                    round_.id,
                    exc,
                    wait,
                )
            return None
        thread_id = posted.thread.thread_id or posted.thread.channel_id
        if not await self._store.round_posted(
            round_.id, posted.message.message_id, thread_id, now, reveal_at
        ):
            log.error(
                "group %d: round %d was posted (message %s) but is no longer marked as "
                "posting; it will not be revealed automatically",
                group.id,
                round_.id,
                posted.message.message_id,
            )
            return None
        self._scheduler.arm_reveal(round_.id, reveal_at)
        if self._reminders is not None:
            await self._reminders.plan(group, round_.id, now, reveal_at)
        log.info("group %d: posted round %d (%s)", group.id, round_.id, question.id)
        telemetry.round_posted()
        return await self._store.get_round(round_.id)

    async def _stop_posting(self, group: Group, problem: str) -> None:
        """Pause a group the platform will not let the bot post in, and tell its founder."""
        log.error("group %d: the platform refused the post; paused: %s", group.id, problem)
        settings = replace(group.settings, paused=True, blocked=problem)
        await self._store.save_settings(group.id, settings)
        self._scheduler.arm_group(Group(group.id, group.channel, settings))
        founder = group.settings.founder
        if founder is None:
            return
        member = MemberRef(group.channel.platform, founder, "")
        try:
            await self._notes.send(
                member, messages.posting_stopped(group.channel.channel_id, problem)
            )
        except Exception as exc:  # the platform failed: the log has it
            log.warning("group %d: could not tell its founder: %s", group.id, exc)

    @telemetry.log_scope
    async def retry_post(self, round_id: int) -> None:
        """Try again to post a round whose last attempt failed."""
        telemetry.bind_round(round_id=round_id)
        round_ = await self._store.retake_round(round_id, self._lease_end())
        if round_ is None:
            return
        group = await self._store.get_group(round_.group_id)
        if group is not None:
            await self._publish(group, round_)

    # -- reveal ---------------------------------------------------------------

    async def reveal_due(self, round_id: int) -> None:
        """Reveal a round whose reveal time has come, unless it already was."""
        await self.reveal(round_id)

    async def reveal_now(self, group: Group) -> Reply:
        """Reveal the group's open round now (an admin's command)."""
        round_ = await self._store.current_round(group.id)
        if round_ is None or not await self.reveal(round_.id):
            return messages.error("There is no open question to reveal.")
        return messages.info("Revealed the answer.")

    @telemetry.log_scope
    async def reveal(self, round_id: int) -> bool:
        """Reveal an open round now; False if it was not open."""
        telemetry.bind_round(round_id=round_id)
        claimed = await self._store.claim_reveal(round_id, self._clock.now(), self._lease_end())
        if claimed is None:
            return False
        await self._finish_reveal(claimed)
        return True

    async def _finish_reveal(self, round_: Round, taking_over: bool = False) -> None:
        telemetry.bind_round(group_id=round_.group_id, round_id=round_.id)
        group = await self._store.get_group(round_.group_id)
        question = self._bank.get(round_.question_id)
        if group is None or question is None or round_.reveal_seq is None:
            log.error("round %d cannot be revealed: its group or question is gone", round_.id)
            # Failed for good: no later sweep takes it over only to fail again.
            await self._store.set_round_status(
                round_.id, RoundStatus.REVEALING, RoundStatus.FAILED, "group or question gone"
            )
            return
        answers = [a for a in await self._store.round_answers(round_.id) if not a.late]
        previous = await self._store.member_stats(group.id, [a.member_id for a in answers])
        scores: list[ScoreEntry] = []
        stats: list[MemberStats] = []
        for a in answers:
            coverage = grade(a.text, question.key_points, question.prompt)
            if not coverage.attempt:
                # No real attempt (blank, prompt pasted back, list of terms): no points or streak.
                scores.append(self._score(a, coverage, 0, round_, question.category))
                continue
            updated = next_stats(
                previous.get(a.member_id), a.member_id, round_.reveal_seq, coverage.ratio
            )
            points = round_points(coverage.ratio, updated.streak, self._rules, a.helpful_votes)
            scores.append(self._score(a, coverage, points.total, round_, question.category))
            stats.append(updated)
        kept = await self._streaks.missed(group, round_, {s.member_id for s in stats})
        result = RoundResult(
            round_.id, tuple(scores), (*stats, *kept.stats), kept.bridges, question.category
        )
        if await self._store.save_round_result(result):
            log.info(
                "group %d: revealed round %d with %d answers", group.id, round_.id, len(scores)
            )
            telemetry.round_revealed()
            await self._streaks.tell(group, kept)
        await self._post_reveal(group, round_.id, taking_over)

    @staticmethod
    def _score(
        answer: MemberAnswer, coverage: Coverage, points: int, round_: Round, category: str
    ) -> ScoreEntry:
        return ScoreEntry(
            answer.answer_id,
            answer.member_id,
            coverage.ratio,
            coverage.covered,
            points,
            periods_of(round_.local_date, category),
            answer.submitted_at,
            coverage.attempt,
        )

    async def _post_reveal(self, group: Group, round_id: int, taking_over: bool = False) -> None:
        now = self._clock.now()
        round_ = await self._store.take_lease(
            round_id, RoundStatus.REVEALED, now, self._lease_end()
        )
        if round_ is None or round_.reveal_message_id is not None:
            return  # posted already, or another live process is posting it
        question = self._bank.get(round_.question_id)
        if question is None:
            return
        if taking_over and isinstance(self._chat, PostLookup):
            found = await self._chat.find_post(group.channel, messages.reveal_post_key(round_id))
            if found is not None:
                await self._store.reveal_posted(round_.id, found.message_id)
                log.info(
                    "group %d: round %d's reveal was posted before a crash", group.id, round_id
                )
                return
        answers = await self._store.round_answers(round_.id)
        week = period_key("week", round_.local_date)
        leaders = await self._store.top_scores(group.id, week, 5)
        card = messages.reveal_card(round_.id, question, answers, leaders)
        message = await self._chat.post(group.channel, card)
        await self._store.reveal_posted(round_.id, message.message_id)

    def _lease_end(self) -> datetime:
        return self._clock.now() + self._policy.lease

    # -- recovery -------------------------------------------------------------

    async def recover(self) -> None:
        """Bring every group up to date after a start: the database is the truth.

        Takes over what an earlier run of this process (or a dead replica) left
        half done, reveals overdue rounds, posts rounds that are due within the
        grace window, and arms every pending job.
        """
        await self.sweep(at_start=True)
        now = self._clock.now()
        for round_ in await self._store.rounds_in([RoundStatus.OPEN]):
            if round_.reveal_at is not None and round_.reveal_at > now:
                self._scheduler.arm_reveal(round_.id, round_.reveal_at)

    async def sweep(self, at_start: bool = False) -> None:
        """Finish work other processes left: run periodically by every replica.

        Takes over rounds whose lease ran out (their process died or hung),
        retries due posts, reveals overdue rounds, posts rounds whose post job
        failed (say, while the database was away), and arms groups set up or
        changed through another replica. The first sweep of a process
        (`at_start`) also counts leases under its own name as run out (they are
        an earlier run's) and catches up every group's post missed while it
        was down; later sweeps leave a group they see for the first time to
        its schedule, as the process that set it up did.
        """
        if self._recaps is not None:  # first, so a recap taken over precedes its question
            await self._recaps.sweep(at_start)
        now = self._clock.now()
        for round_ in await self._store.unfinished_rounds(now, include_own=at_start):
            await self._take_over(round_)
        for round_ in await self._store.rounds_in([RoundStatus.OPEN]):
            if round_.reveal_at is not None and round_.reveal_at <= now:
                await self.reveal(round_.id)
        for group in await self._store.list_groups():
            new_here = group.id not in self._armed
            if self._armed.get(group.id) != group.settings:
                self._armed[group.id] = group.settings
                self._scheduler.arm_group(group)
            slot = None if group.settings.paused else last_post_slot(group.settings, now)
            if slot is None:
                continue
            if new_here and not at_start:
                self._settled.setdefault(group.id, slot)
            if self._settled.get(group.id) != slot:
                await self.post_due(group.id)

    @telemetry.log_scope
    async def _take_over(self, round_: Round) -> None:
        telemetry.bind_round(group_id=round_.group_id, round_id=round_.id)
        if round_.status is RoundStatus.RETRY:
            await self.retry_post(round_.id)
            return
        group = await self._store.get_group(round_.group_id)
        if group is None:
            return
        if round_.status is RoundStatus.REVEALED:
            await self._post_reveal(group, round_.id, taking_over=True)
            return
        taken = await self._store.take_lease(
            round_.id, round_.status, self._clock.now(), self._lease_end()
        )
        if taken is None:
            return  # another process took it first
        log.warning(
            "group %d: taking over round %d, left %s by %s",
            group.id,
            round_.id,
            round_.status.value,
            round_.lease_owner or "an earlier run",
        )
        if taken.status is RoundStatus.REVEALING:
            await self._finish_reveal(taken, taking_over=True)
        elif taken.status is RoundStatus.POSTING:
            await self._resume_post(group, taken)

    async def _resume_post(self, group: Group, round_: Round) -> None:
        """Finish a post a dead process started: find it on the platform, else post it."""
        if not isinstance(self._chat, PostLookup):
            # The platform call may or may not have gone through: never risk a double post.
            await self._store.set_round_status(
                round_.id,
                RoundStatus.POSTING,
                RoundStatus.FAILED,
                "interrupted while posting; not retried to avoid posting twice",
            )
            log.warning("round %d was interrupted while posting; marked failed", round_.id)
            return
        found = await self._chat.find_round_post(group.channel, messages.round_post_key(round_.id))
        if found is None:
            await self._publish(group, round_)
            return
        now = self._clock.now()
        reveal_at = reveal_time_for(group.settings, now)
        thread_id = found.thread.thread_id or found.thread.channel_id
        if await self._store.round_posted(
            round_.id, found.message.message_id, thread_id, now, reveal_at
        ):
            self._scheduler.arm_reveal(round_.id, reveal_at)
            log.info("group %d: round %d was posted before a crash; now open", group.id, round_.id)
