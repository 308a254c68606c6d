"""Peer judges (`appeals=peers`): three members of the round decide an appeal by majority.

The judges are drawn at random among the members whose on-time answer to the
same question was a real attempt, never the appellant. Each gets the case
privately, with the answer's author left out, and names the key points it
states; a key point is credited when two of the three do. The appeal is
settled as soon as the outcome cannot change: two identical votes, or three.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Awaitable, Callable, Sequence

from bot import appeal_messages as words
from bot import messages
from bot.clock import Clock
from bot.content.bank import QuestionBank
from bot.grading import grade
from bot.markup import user_text
from bot.model import Group, MemberRef, Question
from bot.private_notes import PrivateNotes
from bot.records import AnswerUnderReview, Appeal, AppealStatus
from bot.replies import Reply
from bot.store_appeal_ports import PeerStore

__all__ = ["PANEL", "PeerJudges", "Settle", "parse_covered", "peer_verdict"]

log = logging.getLogger(__name__)

PANEL = 3

# Settles an appeal with the panel's grade: (appeal id, covered, deciding judge's member id)
# -> "changed", "kept", "decided" (someone decided first) or "busy" (a reveal was scoring).
Settle = Callable[[int, tuple[bool, ...], int], Awaitable[words.Settled]]


def parse_covered(text: str, count: int) -> tuple[bool, ...] | str:
    """Return the key points an admin or a judge named (`1 3`, `all`, `none`), or what is wrong."""
    tokens = [t for t in re.split(r"[\s,;]+", text.strip().lower()) if t]
    if tokens == ["all"]:
        return (True,) * count
    if tokens in ([], ["none"], ["0"]):
        return (False,) * count if tokens else "Name the key points it covers, or none."
    chosen: set[int] = set()
    for token in tokens:
        if not token.isdigit() or not 1 <= int(token) <= count:
            shown = user_text(token, limit=12)
            return f"'{shown}' is not a key point: use numbers from 1 to {count}, all or none."
        chosen.add(int(token))
    return tuple(n in chosen for n in range(1, count + 1))


def peer_verdict(votes: Sequence[tuple[bool, ...]]) -> tuple[bool, ...] | None:
    """Return the grade a panel's votes settle on, once no vote to come can change it."""
    if len(votes) >= PANEL:
        panel = votes[:PANEL]
        return tuple(sum(v[n] for v in panel) * 2 > PANEL for n in range(len(panel[0])))
    if len(votes) == PANEL - 1 and votes[0] == votes[1]:
        return votes[0]
    return None


class PeerJudges:
    """Convenes a panel for an appeal, takes its votes, and settles the appeal by majority."""

    def __init__(
        self,
        store: PeerStore,
        bank: QuestionBank,
        clock: Clock,
        notes: PrivateNotes,
        settle: Settle,
        draw: Callable[[Sequence[tuple[int, str]], int], list[tuple[int, str]]] | None = None,
    ) -> None:
        self._store = store
        self._bank = bank
        self._clock = clock
        self._notes = notes
        self._settle = settle
        self._draw = draw or random.SystemRandom().sample

    async def convene(
        self, group: Group, review: AnswerUnderReview, appeal: Appeal, question: Question
    ) -> bool:
        """Ask three members of the round to judge an appeal; False if fewer than three can."""
        candidates = await self._store.peer_candidates(review.round_id, review.member_id)
        if len(candidates) < PANEL:
            return False
        judges = self._draw(candidates, PANEL)
        await self._store.add_judges(appeal.id, [member_id for member_id, _ in judges])
        coverage = grade(review.text, question.key_points, question.prompt)
        card = words.judge_card(question, review, coverage, appeal)
        for _, user_id in judges:
            try:
                await self._notes.send(MemberRef(group.channel.platform, user_id, ""), card)
            except Exception as exc:  # the platform failed: the admins can still decide
                log.warning("group %d: a judge of appeal %d not told: %s", group.id, appeal.id, exc)
        log.info("group %d: appeal %d goes to %d peers", group.id, appeal.id, PANEL)
        return True

    async def form(self, member: MemberRef, value: str) -> Reply:
        """Return the voting form to one of an appeal's judges (the case's button)."""
        found = await self._judged(member, value)
        if isinstance(found, Reply):
            return found
        _, question, _ = found
        return words.judge_form(int(value), len(question.key_points))

    async def vote(self, member: MemberRef, value: str, covered_text: str) -> Reply:
        """Record a judge's vote, privately; settle the appeal once a majority is certain."""
        found = await self._judged(member, value)
        if isinstance(found, Reply):
            return found
        appeal, question, judge_id = found
        covered = parse_covered(covered_text, len(question.key_points))
        if isinstance(covered, str):
            return messages.error(covered + " Your vote was not recorded.")
        text = "".join("1" if c else "0" for c in covered)
        votes = await self._store.cast_vote(appeal.id, judge_id, text, self._clock.now())
        if votes is None:
            return messages.error("You voted on this appeal already, or it was decided.")
        verdict = peer_verdict([tuple(ch == "1" for ch in v) for v in votes])
        if verdict is None:
            return words.vote_recorded(None)
        return words.vote_recorded(await self._settle(appeal.id, verdict, judge_id))

    async def _judged(self, member: MemberRef, value: str) -> tuple[Appeal, Question, int] | Reply:
        """Return the appeal a judge may still vote on, its question and the judge's id."""
        appeal = await self._store.appeal(int(value)) if value.isdigit() else None
        review = await self._store.answer_by_id(appeal.answer_id) if appeal else None
        question = self._bank.get(review.question_id) if review else None
        if appeal is None or review is None or question is None:
            return messages.error("That appeal is no longer there.")
        judge_id = await self._store.member_id(member)
        votes = await self._store.judges_votes(appeal.id)
        if judge_id not in votes:
            return messages.error("Only the three members asked to judge this appeal can vote.")
        if votes[judge_id] is not None or appeal.status is not AppealStatus.OPEN:
            return messages.error("You voted on this appeal already, or it was decided.")
        return appeal, question, judge_id
