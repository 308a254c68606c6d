"""The in-memory store's closed direct messages (as `bot.store.private_records`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tests.services.memory_base import MemoryBase

__all__ = ["MemoryPrivate"]


class MemoryPrivate(MemoryBase):
    """Members whose direct messages were refused, each with the time to try them again."""

    async def mark_private_closed(
        self, platform: str, user_id: str, closed_at: datetime, retry_after: datetime
    ) -> None:
        """Note a member's refused DMs (again: the new times)."""
        self.private_closed[(platform, user_id)] = (closed_at, retry_after)

    async def closed_private(
        self, platform: str, user_ids: Iterable[str], now: datetime
    ) -> frozenset[str]:
        """Return those of `user_ids` whose DMs are closed, not to be tried at `now`."""
        return frozenset(
            user_id
            for user_id in user_ids
            if (found := self.private_closed.get((platform, user_id))) and found[1] > now
        )
