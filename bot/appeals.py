"""A human says the last word on a grade: members appeal, admins decide or regrade.

A member may appeal their on-time answer's grade for 48 hours after the
reveal, once per round; the group's listed admins get the case privately.
An admin decides by naming the key points the answer covers (or keeps the
grade), or regrades any answer of the last 14 days without an appeal. The
first decision wins; the member is told privately what changed and why.
With `appeals=peers`, an appeal its three judges leave undecided for
`PEER_WAIT` goes to the admins as well (the judges may still settle it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot import appeal_messages as words
from bot import messages
from bot.clock import Clock
from bot.content.bank import QuestionBank
from bot.grading import grade
from bot.group_settings import plain_member_id
from bot.groups import AdminPolicy
from bot.markup import user_text
from bot.model import ChannelRef, Group, MemberRef, Question, Round
from bot.peer_judges import PeerJudges, parse_covered
from bot.ports import ChatPort, MentionReading
from bot.private_notes import PrivateNotes
from bot.records import (
    AnswerUnderReview,
    Appeal,
    AppealStatus,
    RegradeOutcome,
    RegradeWrite,
)
from bot.recount import GradeChange, recount
from bot.replies import Reply
from bot.scoring import ScoringRules, periods_of
from bot.store_appeal_ports import AppealScheduler, AppealStore

__all__ = ["APPEAL_WINDOW", "PEER_WAIT", "REGRADE_WINDOW", "AppealService"]

log = logging.getLogger(__name__)

APPEAL_WINDOW = timedelta(hours=48)
PEER_WAIT = timedelta(hours=24)  # then an undecided peer appeal goes to the admins too
PEERS_DECIDED = "Three members who answered the same question judged it; the majority decided."
REGRADE_WINDOW = timedelta(days=14)


class AppealService:
    """Appeals, admins' decisions on them, and regrades without one.

    Buttons and forms name the round, answer or appeal they are about; the group
    comes from that record, since an admin may press them in a private message.
    """

    def __init__(
        self,
        store: AppealStore,
        bank: QuestionBank,
        clock: Clock,
        rules: ScoringRules,
        chat: ChatPort,
        policy: AdminPolicy,
        notes: PrivateNotes,
        scheduler: AppealScheduler,
    ) -> None:
        self._store = store
        self._scheduler = scheduler
        self._bank = bank
        self._clock = clock
        self._rules = rules
        self._notes = notes
        self._policy = policy
        self._member_id = chat.member_id if isinstance(chat, MentionReading) else plain_member_id
        self.peers = PeerJudges(store, bank, clock, notes, self._settle_by_peers)

    # -- the member ------------------------------------------------------------

    async def appeal_latest(self, group: Group, member: MemberRef, note: str) -> Reply:
        """Appeal the member's grade of the channel's latest revealed question (`/appeal`)."""
        round_ = await self._store.latest_revealed_round(group.id)
        return await self._appeal(round_, member, note)

    async def appeal_round(self, member: MemberRef, value: str, note: str | None) -> Reply:
        """Appeal the member's grade in the round `value` names (feedback's button, its form).

        Without a note (the button), the form opens for one.
        """
        round_ = await self._store.get_round(int(value)) if value.isdigit() else None
        return await self._appeal(round_, member, note)

    async def _appeal(self, round_: Round | None, member: MemberRef, note: str | None) -> Reply:
        group = await self._store.get_group(round_.group_id) if round_ else None
        if round_ is None or group is None or group.channel.platform != member.platform:
            return messages.error(
                "No question here has been revealed yet, so there is nothing to appeal."
            )
        member_id = await self._store.member_id(member)
        review = await self._store.answer_under_review(round_.id, member_id)
        problem = self._appeal_problem(review, round_)
        if problem is not None:
            return messages.error(problem)
        assert review is not None
        if await self._store.appeal_of_answer(review.answer_id) is not None:
            return messages.error("You appealed this answer already: one appeal per question.")
        if note is None:
            return words.appeal_form(round_.id)
        if len(note) > words.APPEAL_NOTE_LIMIT:
            return messages.error(
                f"Your note is {len(note)} characters; keep it under {words.APPEAL_NOTE_LIMIT}."
                " Nothing was sent."
            )
        appeal = await self._store.open_appeal(
            review.answer_id, group.id, note.strip(), self._clock.now()
        )
        if appeal is None:
            return messages.error("You appealed this answer already: one appeal per question.")
        log.info("group %d: appeal %d opened", group.id, appeal.id)
        question = self._bank.get(review.question_id)
        by_peers = group.settings.appeals == "peers" and question is not None
        if by_peers and question and await self.peers.convene(group, review, appeal, question):
            self._scheduler.arm_appeal(appeal.id, appeal.opened_at + PEER_WAIT)
            return words.sent_to_peers()
        return words.appeal_sent(await self._tell_admins(group, review, appeal, member.user_id))

    async def human_grade(
        self, round_: Round, member_id: int
    ) -> tuple[tuple[bool, ...] | None, bool]:
        """Return the grade a human gave an answer (None: none did), and if it may be appealed."""
        review = await self._store.answer_under_review(round_.id, member_id)
        if review is None:
            return None, False
        appealed = await self._store.appeal_of_answer(review.answer_id) is not None
        may_appeal = not appealed and self._appeal_problem(review, round_) is None
        return (review.covered if review.regrades else None), may_appeal

    def _appeal_problem(self, review: AnswerUnderReview | None, round_: Round) -> str | None:
        if round_.revealed_at is None:
            return "That question is not revealed yet: appeals open at the reveal."
        if review is None:
            return "You didn't answer that question, so there is no grade to appeal."
        if review.late or review.points is None:
            return "Only an on-time answer's grade can be appealed: a late one earns no points."
        if self._clock.now() - round_.revealed_at > APPEAL_WINDOW:
            return "Appeals close 48 hours after the reveal, and this one's time is over."
        return None

    async def _tell_admins(
        self, group: Group, review: AnswerUnderReview, appeal: Appeal, appellant: str
    ) -> int:
        """Send the case to each listed admin but the appellant; return how many got it."""
        case = await self._case(group, review)
        if isinstance(case, Reply):
            return 0
        card = self._card(case)
        admins = dict.fromkeys((*group.settings.admins, group.settings.founder or ""))
        told = 0
        for user_id in admins:
            if not user_id or user_id == appellant:
                continue
            try:
                if await self._notes.send(MemberRef(group.channel.platform, user_id, ""), card):
                    told += 1
            except Exception as exc:  # the platform failed: the appeal waits in the list
                log.warning(
                    "group %d: appeal %d not sent to an admin: %s", group.id, appeal.id, exc
                )
        return told

    async def pass_due(self, appeal_id: int) -> None:
        """Pass a peer appeal to the admins if its judges left it undecided for PEER_WAIT."""
        appeal = await self._store.appeal(appeal_id)
        if appeal is not None and appeal.opened_at + PEER_WAIT <= self._clock.now():
            await self._pass_to_admins(appeal)

    async def sweep(self, at_start: bool) -> None:
        """Pass overdue undecided peer appeals to the admins; at start, arm the later ones."""
        now = self._clock.now()
        for appeal in await self._store.waiting_peer_appeals():
            due = appeal.opened_at + PEER_WAIT
            if due <= now:
                try:
                    await self._pass_to_admins(appeal)
                except Exception:
                    log.exception("group %d: appeal %d not passed on", appeal.group_id, appeal.id)
            elif at_start:
                self._scheduler.arm_appeal(appeal.id, due)

    async def _pass_to_admins(self, appeal: Appeal) -> None:
        """Send an undecided peer appeal to the admins, once, and tell its author."""
        if not await self._store.pass_to_admins(appeal.id, self._clock.now()):
            return  # decided, or passed on by another process
        group = await self._store.get_group(appeal.group_id)
        review = await self._store.answer_by_id(appeal.answer_id)
        if group is None or review is None:
            return
        told = await self._tell_admins(group, review, appeal, review.member_user_id)
        log.info("group %d: appeal %d passed to %d admins", group.id, appeal.id, told)
        await self._tell_member(group, review, words.passed_to_admins(told))

    # -- the admins ------------------------------------------------------------

    async def open_appeals(self, group: Group) -> Reply:
        """Return the group's undecided appeals (`/studybot appeals`)."""
        items = []
        for appeal in await self._store.open_appeals(group.id):
            review = await self._store.answer_by_id(appeal.answer_id)
            question = self._bank.get(review.question_id) if review else None
            if review is not None and question is not None:
                items.append((appeal, review.member_name, words.question_about(question)))
        return words.appeals_list(items, group.settings.timezone)

    async def regrade_card(self, group: Group, which: str) -> Reply:
        """Return an answer of the last 14 days to regrade (`/studybot regrade MEMBER DATE`)."""
        parts = which.split()
        if len(parts) != 2:
            return messages.error("Name a member and a date, e.g. @alice 2026-12-01.")
        user_id = self._member_id(parts[0])
        try:
            local_date = date.fromisoformat(parts[1])
        except ValueError:
            shown = user_text(parts[1], limit=20)
            return messages.error(f"'{shown}' is not a date: write it as 2026-12-01.")
        if user_id is None:
            return messages.error("Name the member as the platform mentions them, e.g. @alice.")
        round_ = await self._store.round_on(group.id, local_date)
        if round_ is None or round_.revealed_at is None:
            return messages.error(f"No question of {local_date:%a %d %b} was revealed here.")
        if self._clock.now() - round_.revealed_at > REGRADE_WINDOW:
            return messages.error("Only answers of the last 14 days can be regraded.")
        member_id = await self._store.member_id(MemberRef(group.channel.platform, user_id, ""))
        review = await self._store.answer_under_review(round_.id, member_id)
        if review is None or review.late:
            return messages.error("That member has no on-time answer to that question.")
        case = await self._case(group, review)
        return case if isinstance(case, Reply) else self._card(case)

    async def appeal_card(
        self, admin: MemberRef, value: str, place: ChannelRef | None = None
    ) -> Reply:
        """Return an appeal's case to an admin (a button of the list of open appeals).

        `place` is where the admin pressed it: the platform's right to manage a
        channel counts only in the group's own channel (never in a DM).
        """
        case = await self._appeal_case(admin, value, place)
        return case if isinstance(case, Reply) else self._card(case)

    async def change_form(
        self, admin: MemberRef, value: str, place: ChannelRef | None = None
    ) -> Reply:
        """Return the form an admin changes a grade with (the card's button)."""
        case = await self._answer_case(admin, value, place)
        if isinstance(case, Reply):
            return case
        seen = value.split(":")[-1]
        return words.regrade_form(value, tuple(c == "1" for c in seen))

    async def keep(
        self, admin: MemberRef, value: str, reason: str = "", place: ChannelRef | None = None
    ) -> Reply:
        """Keep an appealed grade as it was (the card's button, or the same grade named)."""
        case = await self._appeal_case(admin, value, place, deciding=True)
        if isinstance(case, Reply):
            return case
        if case.appeal is None or str(case.appeal.id) != value:
            return await self._decided_before(case, int(value))
        admin_id = await self._store.member_id(admin)
        kept = await self._store.keep_grade(case.appeal.id, admin_id, reason, self._clock.now())
        if kept is None:
            return await self._decided_before(case, case.appeal.id)
        note = words.member_told_kept(case.question, case.review, reason)
        await self._tell_member(case.group, case.review, note)
        return words.grade_kept(case.review)

    async def decide(
        self,
        admin: MemberRef,
        value: str,
        covered_text: str,
        reason: str,
        place: ChannelRef | None = None,
    ) -> Reply:
        """Give an answer the grade an admin named in the form, and rescore what follows."""
        case = await self._answer_case(admin, value, place, deciding=True)
        if isinstance(case, Reply):
            return case
        covered = parse_covered(covered_text, len(case.question.key_points))
        if isinstance(covered, str):
            return messages.error(covered + " Nothing was changed.")
        if len(reason) > words.REASON_LIMIT:
            return messages.error(
                f"Keep the reason under {words.REASON_LIMIT} characters. Nothing was changed."
            )
        appealed = value.split(":")[1]
        if not (appealed.isdigit() or appealed == ""):
            return messages.error("That button is out of date. Open the answer again.")
        if appealed and (case.appeal is None or str(case.appeal.id) != appealed):
            return await self._decided_before(case, int(appealed))
        seen = tuple(c == "1" for c in value.split(":")[-1])
        if covered == seen and (case.review.attempt or not any(covered)):
            if case.appeal is None:
                return messages.info("That is the grade it has already: nothing changed.")
            return await self.keep(admin, str(case.appeal.id), reason.strip(), place)
        decided_by = await self._store.member_id(admin)
        reply, _ = await self._regrade(case, decided_by, covered, seen, reason.strip())
        return reply

    async def _regrade(
        self,
        case: Case,
        decided_by: int,
        covered: tuple[bool, ...],
        seen: tuple[bool, ...],
        reason: str,
        by_peers: bool = False,
    ) -> tuple[Reply, RegradeOutcome]:
        """Apply a new grade; return the decider's reply and what the store did."""
        review, group = case.review, case.group
        write = RegradeWrite(
            answer_id=review.answer_id,
            group_id=group.id,
            member_id=review.member_id,
            covered=covered,
            attempt=review.attempt or any(covered),
            seen_covered=seen,
            decided_by=decided_by,
            reason=reason,
            now=self._clock.now(),
            appeal_id=case.appeal.id if case.appeal else None,
            by_peers=by_peers,
        )
        change = GradeChange(review.answer_id, sum(covered) / len(covered), write.attempt)
        outcome = await self._store.regrade(
            write,
            lambda answers, bridges: recount(
                answers, change, review.member_id, self._rules, bridges
            ),
            periods_of,
        )
        if outcome.busy:
            return words.reveal_running(), outcome
        if not outcome.done:
            tz = group.settings.timezone
            return words.decided_already(outcome.decided_by, outcome.decided_at, tz), outcome
        log.info("group %d: answer %d regraded", group.id, review.answer_id)
        today = self._clock.now().astimezone(group.settings.zone).date()
        boards = words.board_changes(outcome.periods, periods_of(today))
        note = words.member_told_change(case.question, review, covered, outcome, reason)
        await self._tell_member(group, review, note)
        return words.regraded(review, covered, outcome, boards), outcome

    async def _settle_by_peers(
        self, appeal_id: int, covered: tuple[bool, ...], judge_id: int
    ) -> words.Settled:
        """Give an appeal the grade its peer judges settled on.

        Return "changed", "kept", "decided" (someone decided first) or "busy" (a reveal
        of the group was scoring: the appeal stays open for the admins).
        """
        appeal = await self._store.appeal(appeal_id)
        review = await self._store.answer_by_id(appeal.answer_id) if appeal else None
        group = await self._store.get_group(review.group_id) if review else None
        case = await self._case(group, review) if group and review else None
        if not isinstance(case, Case) or case.appeal is None or case.appeal.id != appeal_id:
            return "decided"
        seen = case.review.covered or (False,) * len(covered)
        if covered == seen and (case.review.attempt or not any(covered)):
            kept = await self._store.keep_grade(appeal_id, None, PEERS_DECIDED, self._clock.now())
            if kept is None:
                return "decided"
            note = words.member_told_kept(case.question, case.review, PEERS_DECIDED)
            await self._tell_member(case.group, case.review, note)
            return "kept"
        _, outcome = await self._regrade(
            case, judge_id, covered, seen, PEERS_DECIDED, by_peers=True
        )
        return "changed" if outcome.done else "busy" if outcome.busy else "decided"

    async def _decided_before(self, case: Case, appeal_id: int) -> Reply:
        decided = await self._store.appeal(appeal_id)
        return words.decided_already(
            decided.decided_by if decided else None,
            decided.decided_at if decided else None,
            case.group.settings.timezone,
        )

    # -- finding the case --------------------------------------------------------

    async def _appeal_case(
        self, admin: MemberRef, value: str, place: ChannelRef | None, deciding: bool = False
    ) -> Case | Reply:
        appeal = await self._store.appeal(int(value)) if value.isdigit() else None
        review = await self._store.answer_by_id(appeal.answer_id) if appeal else None
        if review is None:
            return messages.error("That appeal is no longer there.")
        return await self._admin_case(admin, review, place, deciding)

    async def _answer_case(
        self, admin: MemberRef, value: str, place: ChannelRef | None, deciding: bool = False
    ) -> Case | Reply:
        answer_id, _, seen = value.partition(":")
        review = await self._store.answer_by_id(int(answer_id)) if answer_id.isdigit() else None
        if review is None or seen.count(":") != 1:
            return messages.error("That button is out of date. Open the answer again.")
        return await self._admin_case(admin, review, place, deciding)

    async def _admin_case(
        self,
        admin: MemberRef,
        review: AnswerUnderReview,
        place: ChannelRef | None,
        deciding: bool,
    ) -> Case | Reply:
        group = await self._store.get_group(review.group_id)
        if group is None or group.channel.platform != admin.platform:
            return messages.error("That answer's channel is gone.")
        if not self._may_decide(admin, group, place):
            return messages.error("Only the channel's admins decide on grades.")
        if deciding and review.member_user_id == admin.user_id:
            return messages.error("Another admin must decide on your own answer.")
        return await self._case(group, review)

    def _may_decide(self, admin: MemberRef, group: Group, place: ChannelRef | None) -> bool:
        """Tell whether a member may decide on the group's grades, acting where they are.

        The right to manage a channel counts only in the group's channel (a button
        names its group, so it could be pressed anywhere); the founder, who is sent
        every case, may decide on it from a private message.
        """
        here = place is not None and place.channel() == group.channel
        acting = replace(admin, can_manage=admin.can_manage and here)
        founder = group.settings.founder is not None and admin.user_id == group.settings.founder
        return founder or self._policy.may_administer(acting, group)

    async def _case(self, group: Group, review: AnswerUnderReview) -> Case | Reply:
        question = self._bank.get(review.question_id)
        if question is None:
            return messages.error("That question is no longer in the bank.")
        appeal = await self._store.appeal_of_answer(review.answer_id)
        open_appeal = appeal if appeal and appeal.status is AppealStatus.OPEN else None
        return Case(group, review, question, open_appeal)

    def _card(self, case: Case) -> Reply:
        question, review = case.question, case.review
        coverage = grade(review.text, question.key_points, question.prompt)
        tz = case.group.settings.timezone
        return words.appeal_card(question, review, coverage, case.appeal, tz)

    async def _tell_member(self, group: Group, review: AnswerUnderReview, note: Reply) -> None:
        member = MemberRef(group.channel.platform, review.member_user_id, review.member_name)
        try:
            await self._notes.send(member, note)
        except Exception as exc:  # the platform failed: the grade changed all the same
            log.warning("group %d: a regraded member could not be told: %s", group.id, exc)


@dataclass(frozen=True, slots=True)
class Case:
    """What an admin decides on: the group, the answer, its question, its open appeal."""

    group: Group
    review: AnswerUnderReview
    question: Question
    appeal: Appeal | None
