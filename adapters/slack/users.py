"""Members as the core sees them: names and admin rights from users.info, cached."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import events
from adapters.slack.chat import slack_error
from bot.model import MemberRef

__all__ = ["USER_TTL", "UserDirectory"]

log = logging.getLogger(__name__)

USER_TTL = 300.0  # seconds a member's name and admin right are cached


class UserDirectory:
    """Members' names and admin rights from users.info, cached for a few minutes."""

    def __init__(self, client: AsyncWebClient, ttl: float = USER_TTL) -> None:
        self._client = client
        self._ttl = ttl
        self._cache: dict[str, tuple[float, events.UserInfo]] = {}

    async def member(self, user_id: str, workspace_id: str | None = None) -> MemberRef:
        """Return the core's view of a member (looked up at most once per few minutes).

        With `workspace_id`, the member manages only if they administer that
        workspace (not their own, in a Slack Connect channel).
        """
        now = time.monotonic()
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > now:
            return events.member(user_id, cached[1], workspace_id)
        try:
            response = await self._client.users_info(user=user_id)
            info = events.user_info(response["user"])
        except SlackApiError as exc:
            log.warning("users.info for %s failed: %s", user_id, slack_error(exc))
            return events.member(user_id, events.UserInfo(user_id, False))
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[user_id] = (now + self._ttl, info)
        return events.member(user_id, info, workspace_id)

    async def names(self, user_ids: Sequence[str]) -> dict[str, str]:
        """Return the display names of members (mentioned in a text), looked up at once."""
        found = await asyncio.gather(*(self.member(user_id) for user_id in user_ids))
        return {m.user_id: m.display_name for m in found}
