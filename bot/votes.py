"""Helpful votes: a member's 👍 on another member's on-time answer before the reveal.

Which reaction is a vote, and that a member's vote is one however many of
their 👍s are on the answer, are the rules here; the store keeps the votes
to the open round's on-time answers of others.
"""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.model import Group
from bot.ports import ReactionAdded, ReactionRemoved, ReactionsCleared
from bot.records import VoteReaction
from bot.scoring import is_helpful
from bot.store_ports import VoteStore

__all__ = ["VoteService"]

log = logging.getLogger(__name__)


class VoteService:
    """Counts and uncounts helpful votes."""

    def __init__(self, store: VoteStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def react(self, group: Group, event: ReactionAdded | ReactionRemoved) -> None:
        """Count or take back a member's helpful vote; other reactions mean nothing."""
        if not is_helpful(event.emoji):
            return
        voter = await self._store.member_id(event.actor)
        helpful = isinstance(event, ReactionAdded)
        reaction = VoteReaction(event.emoji, event.burst)
        now = self._clock.now()
        if await self._store.set_vote(group.id, event.message_id, voter, reaction, helpful, now):
            log.debug("group %d: helpful vote %s", group.id, "added" if helpful else "taken back")

    async def cleared(self, group: Group, event: ReactionsCleared) -> None:
        """Take back the votes a moderator's clearing of a message's reactions removed."""
        if event.emoji is not None and not is_helpful(event.emoji):
            return
        await self._store.clear_votes(group.id, event.message_id, event.emoji)
