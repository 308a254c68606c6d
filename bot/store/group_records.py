"""The store's groups (with their settings, cached briefly) and members."""

from __future__ import annotations

import asyncio
import time

from bot.clock import to_micros
from bot.group_settings import settings_to_json
from bot.markup import visible_name
from bot.model import ChannelRef, Group, GroupSettings, MemberRef
from bot.store.base import StoreBase
from bot.store.rows import GROUP_COLUMNS, group_from_row

__all__ = ["GroupRecords"]

_NAME_CHARS = 100  # a display name is stored this long at most (Discord's: 32, Slack's: 80)


class GroupRecords(StoreBase):
    """Groups and members: setting a group up, finding it, its settings; members' ids."""

    async def create_group(self, channel: ChannelRef, settings: GroupSettings) -> Group | None:
        """Create the group of a channel; None when the channel already has one."""
        row = await self._write_fetchrow(
            "INSERT INTO groups (platform, workspace_id, channel_id, settings, created_at)"
            " VALUES (:platform, :workspace_id, :channel_id, :settings, :created_at)"
            " ON CONFLICT (platform, workspace_id, channel_id) DO NOTHING"
            f" RETURNING {GROUP_COLUMNS}",
            {
                "platform": channel.platform,
                "workspace_id": channel.workspace_id,
                "channel_id": channel.channel_id,
                "settings": settings_to_json(settings),
                "created_at": to_micros(self._clock.now()),
            },
        )
        self._groups.clear()
        return None if row is None else group_from_row(row)

    async def group_for_channel(self, channel: ChannelRef) -> Group | None:
        """Return the group of a channel, if it was set up."""
        key = (channel.platform, channel.workspace_id, channel.channel_id)
        cached = self._groups.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._group_cache_seconds:
            return cached[1]
        # Events arriving together for a channel share one lookup (no stampede on expiry).
        lookup = self._group_lookups.get(key)
        if lookup is None:
            lookup = asyncio.ensure_future(self._load_group(channel))
            self._group_lookups[key] = lookup
            lookup.add_done_callback(lambda _: self._group_lookups.pop(key, None))
        return await asyncio.shield(lookup)

    async def _load_group(self, channel: ChannelRef) -> Group | None:
        """Read a channel's group from the database, and cache what was found."""
        row = await self.db.fetchrow(
            f"SELECT {GROUP_COLUMNS} FROM groups WHERE platform = :platform"
            " AND workspace_id = :workspace_id AND channel_id = :channel_id",
            {
                "platform": channel.platform,
                "workspace_id": channel.workspace_id,
                "channel_id": channel.channel_id,
            },
        )
        group = None if row is None else group_from_row(row)
        key = (channel.platform, channel.workspace_id, channel.channel_id)
        self._groups[key] = (time.monotonic(), group)
        return group

    async def get_group(self, group_id: int) -> Group | None:
        """Return a group by id."""
        row = await self.db.fetchrow(
            f"SELECT {GROUP_COLUMNS} FROM groups WHERE id = :id", {"id": group_id}
        )
        return None if row is None else group_from_row(row)

    async def list_groups(self) -> list[Group]:
        """Return every group."""
        rows = await self.db.fetch(f"SELECT {GROUP_COLUMNS} FROM groups ORDER BY id")
        return [group_from_row(r) for r in rows]

    async def groups_scored_in(
        self, member_id: int, platform: str, workspace_id: str
    ) -> list[Group]:
        """Return the groups of one workspace in which the member has been scored."""
        rows = await self.db.fetch(
            "SELECT g.id, g.platform, g.workspace_id, g.channel_id, g.settings FROM groups g"
            " JOIN member_stats s ON s.group_id = g.id AND s.member_id = :member_id"
            " WHERE g.platform = :platform AND g.workspace_id = :workspace_id ORDER BY g.id",
            {"member_id": member_id, "platform": platform, "workspace_id": workspace_id},
        )
        return [group_from_row(r) for r in rows]

    async def save_settings(self, group_id: int, settings: GroupSettings) -> None:
        """Replace a group's settings."""
        await self.db.execute(
            "UPDATE groups SET settings = :settings WHERE id = :id",
            {"settings": settings_to_json(settings), "id": group_id},
        )
        self._groups.clear()

    # -- members --------------------------------------------------------------

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them (or their new name) if needed.

        An empty display name means the platform did not say (a reaction taken
        back, say): the name on record stays.
        """
        key = (member.platform, member.user_id)
        name = visible_name(member.display_name)[:_NAME_CHARS]
        known = self._members.get(key)
        if known is not None and name in (known[1], ""):
            return known[0]
        row = await self._write_fetchrow(
            "INSERT INTO members (platform, user_id, display_name)"
            " VALUES (:platform, :user_id, :display_name)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET display_name = CASE"
            " WHEN excluded.display_name = '' THEN members.display_name"
            " ELSE excluded.display_name END"
            " RETURNING id, display_name",
            {"platform": member.platform, "user_id": member.user_id, "display_name": name},
        )
        assert row is not None  # an upsert always returns its row
        self._members[key] = (row["id"], row["display_name"])
        return int(row["id"])
