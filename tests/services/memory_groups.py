"""The in-memory store's groups and members (as `bot.store.group_records`)."""

from __future__ import annotations

from dataclasses import replace

from bot.model import ChannelRef, Group, GroupSettings, MemberRef
from tests.services.memory_base import MemoryBase

__all__ = ["MemoryGroups"]


class MemoryGroups(MemoryBase):
    """Groups, one per channel, with their settings; members' ids and names."""

    async def member_id(self, member: MemberRef) -> int:
        """Return a member's id; an empty display name keeps the name on record."""
        key = (member.platform, member.user_id)
        known = self.members.get(key)
        member_id = known[0] if known else len(self.members) + 1
        name = member.display_name or (known[1] if known else "")
        self.members[key] = (member_id, name)
        return member_id

    async def create_group(self, channel: ChannelRef, settings: GroupSettings) -> Group | None:
        """Create the group of a channel; None when the channel already has one."""
        if await self.group_for_channel(channel) is not None:
            return None
        group = Group(len(self.groups) + 1, channel.channel(), settings)
        self.groups[group.id] = group
        return group

    async def group_for_channel(self, channel: ChannelRef) -> Group | None:
        """Return the group of a channel (its thread aside), if it was set up."""
        return next((g for g in self.groups.values() if g.channel == channel.channel()), None)

    async def get_group(self, group_id: int) -> Group | None:
        """Return a group by id."""
        return self.groups.get(group_id)

    async def list_groups(self) -> list[Group]:
        """Return every group, by id."""
        return [self.groups[i] for i in sorted(self.groups)]

    async def groups_scored_in(
        self, member_id: int, platform: str, workspace_id: str
    ) -> list[Group]:
        """Return the workspace's groups where the member has stats (a real attempt scored)."""
        return [
            g
            for g in await self.list_groups()
            if (g.id, member_id) in self.stats
            and (g.channel.platform, g.channel.workspace_id) == (platform, workspace_id)
        ]

    async def save_settings(self, group_id: int, settings: GroupSettings) -> None:
        """Replace a group's settings."""
        self.groups[group_id] = replace(self.groups[group_id], settings=settings)
