"""Per-channel groups: setting them up, their settings, and who may change them."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot import help_messages, messages
from bot.content.bank import QuestionBank
from bot.group_settings import SettingsError, apply_settings
from bot.jobs import JobScheduler
from bot.model import ChannelRef, Group, GroupSettings, MemberRef
from bot.replies import Reply, Visibility
from bot.store_ports import GroupStore

__all__ = ["GroupService", "may_administer"]

log = logging.getLogger(__name__)


def may_administer(member: MemberRef, group: Group | None) -> bool:
    """Tell whether a member may use admin commands in a group's channel."""
    if member.can_manage:
        return True
    return group is not None and member.user_id in group.settings.admins


class GroupService:
    """Setting up channels and changing their settings."""

    def __init__(self, store: GroupStore, bank: QuestionBank, scheduler: JobScheduler) -> None:
        self._store = store
        self._bank = bank
        self._scheduler = scheduler

    async def setup(self, channel: ChannelRef, changes: str) -> Reply:
        """Start daily rounds in a channel, with optional `key=value` settings."""
        if await self._store.group_for_channel(channel) is not None:
            return messages.error(
                "This channel is already set up. See or change its settings with "
                "/studybot settings."
            )
        try:
            settings, _ = apply_settings(GroupSettings(), changes, self._bank.categories)
        except SettingsError as exc:
            return messages.error(str(exc))
        group = await self._store.create_group(channel.channel(), settings)
        if group is None:
            return messages.error("This channel was set up a moment ago by someone else.")
        self._scheduler.arm_group(group)
        log.info("group %d set up in %s/%s", group.id, channel.platform, channel.channel_id)
        reply = help_messages.settings_reply(group, self._bank.categories, "Daily questions are on")
        return Reply(
            title=reply.title, text=reply.text, fields=reply.fields, visibility=Visibility.PUBLIC
        )

    async def change(self, group: Group, changes: str) -> Reply:
        """Show the settings, or apply `key=value` changes (all or nothing)."""
        if not changes.strip():
            return help_messages.settings_reply(group, self._bank.categories, "Settings")
        try:
            settings, keys = apply_settings(group.settings, changes, self._bank.categories)
        except SettingsError as exc:
            return messages.error(str(exc) + " Nothing was changed.")
        if (
            self._bank.select(settings.categories, [n for n, w in settings.difficulty_mix if w > 0])
            == []
        ):
            return messages.error(
                "No question matches those categories and difficulties. Nothing was changed."
            )
        return await self._save(group, settings, f"Settings changed: {', '.join(keys)}")

    async def set_paused(self, group: Group, paused: bool) -> Reply:
        """Pause or resume a group's daily rounds."""
        if group.settings.paused == paused:
            state = "already paused" if paused else "not paused"
            return messages.error(f"Daily questions here are {state}.")
        title = "Daily questions paused" if paused else "Daily questions resumed"
        return await self._save(group, replace(group.settings, paused=paused), title)

    async def _save(self, group: Group, settings: GroupSettings, title: str) -> Reply:
        await self._store.save_settings(group.id, settings)
        updated = Group(group.id, group.channel, settings)
        self._scheduler.arm_group(updated)
        reply = help_messages.settings_reply(updated, self._bank.categories, title)
        return Reply(
            title=reply.title, text=reply.text, fields=reply.fields, visibility=Visibility.PUBLIC
        )
