"""Private messages the core sends by itself, leaving alone a member whose DMs are closed.

Appeal cases to admins, cards to peer judges, a regraded member's note, a
founder's warning (and reminders) all go through `PrivateNotes.send`. When the
platform refuses one for a reason of the member's own (`bot.ports.PrivateClosed`:
their direct messages are closed, their account is gone), the member is noted
in the store and left alone for `RETRY_AFTER`, so a daily message does not knock
on a closed door every day; after that the next message tries again, and reaches
a member who opened their DMs since. Nothing is posted in any channel about it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from bot import telemetry
from bot.clock import Clock
from bot.model import MemberRef
from bot.ports import ChatPort, PrivateClosed
from bot.replies import Reply
from bot.store_ports import PrivateStore

__all__ = ["RETRY_AFTER", "PrivateNotes"]

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(days=7)


class PrivateNotes:
    """Sends the core's private messages; notes and then skips members whose DMs are closed."""

    def __init__(self, store: PrivateStore, chat: ChatPort, clock: Clock) -> None:
        self._store = store
        self._chat = chat
        self._clock = clock

    async def send(self, member: MemberRef, reply: Reply) -> bool:
        """Send a member a private message; tell whether it went.

        False, without a call to the platform, for a member noted lately as closed;
        False, noting the member, when the platform refuses for a reason of theirs.
        Any other failure of the platform raises, as `ChatPort.send_private` does.
        """
        if await self.closed(member.platform, (member.user_id,)):
            log.info("private message skipped: %s member %s has closed DMs", *_who(member))
            telemetry.private_closed(member.platform, "skipped")
            return False
        try:
            await self._chat.send_private(member, reply)
        except PrivateClosed as exc:
            now = self._clock.now()
            await self._store.mark_private_closed(
                member.platform, member.user_id, now, now + RETRY_AFTER
            )
            log.info(
                "private message refused (%s): %s member %s noted, tried again after %d days",
                exc,
                *_who(member),
                RETRY_AFTER.days,
            )
            telemetry.private_closed(member.platform, "refused")
            return False
        return True

    async def closed(self, platform: str, user_ids: Iterable[str]) -> frozenset[str]:
        """Return those of `user_ids` to leave alone now: their DMs were refused lately."""
        return await self._store.closed_private(platform, user_ids, self._clock.now())


def _who(member: MemberRef) -> tuple[str, str]:
    """Return what a log line names a member by: platform and id (never their name)."""
    return member.platform, member.user_id
