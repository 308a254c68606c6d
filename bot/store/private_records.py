"""The store's closed direct messages: members the platform would not let the bot DM lately."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.clock import to_micros
from bot.store.base import StoreBase
from bot.store.rows import numbered_params

__all__ = ["PrivateRecords"]

# Ids asked about in one statement: well under SQLite's and PostgreSQL's limits on parameters.
_CHUNK = 500


class PrivateRecords(StoreBase):
    """Members whose direct messages were refused, each with the time to try them again."""

    async def mark_private_closed(
        self, platform: str, user_id: str, closed_at: datetime, retry_after: datetime
    ) -> None:
        """Note a member whose DMs were refused at `closed_at`; try them after `retry_after`.

        A member noted before gets the new times.
        """
        await self.db.execute(
            "INSERT INTO private_closed (platform, user_id, closed_at, retry_after)"
            " VALUES (:platform, :user_id, :closed_at, :retry_after)"
            " ON CONFLICT (platform, user_id) DO UPDATE"
            " SET closed_at = :closed_at, retry_after = :retry_after",
            {
                "platform": platform,
                "user_id": user_id,
                "closed_at": to_micros(closed_at),
                "retry_after": to_micros(retry_after),
            },
        )

    async def closed_private(
        self, platform: str, user_ids: Iterable[str], now: datetime
    ) -> frozenset[str]:
        """Return those of `user_ids` whose direct messages are closed, not to be tried at `now`."""
        ids = list(dict.fromkeys(user_ids))
        closed: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            names, params = numbered_params("user", ids[start : start + _CHUNK])
            rows = await self.db.fetch(
                "SELECT user_id FROM private_closed WHERE platform = :platform"
                f" AND user_id IN ({names}) AND retry_after > :now",
                {"platform": platform, "now": to_micros(now), **params},
            )
            closed.update(str(r["user_id"]) for r in rows)
        return frozenset(closed)
