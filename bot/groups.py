"""Per-channel groups: setting them up, their settings, and who may change them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from bot import help_messages, messages
from bot.command_refs import mention
from bot.content.bank import QuestionBank
from bot.group_settings import SettingsError, apply_settings
from bot.jobs import JobScheduler
from bot.model import ChannelRef, Group, GroupSettings, MemberRef
from bot.ports import PostingCheck
from bot.replies import Reply, Visibility
from bot.store_ports import GroupStore

__all__ = ["AdminPolicy", "GroupService"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AdminPolicy:
    """Who may use admin commands.

    Members the platform lets manage the channel, members listed in the group's
    `admins=` setting, and the operator's organisers (`STUDYBOT_ORGANISERS`)
    administer a group. Unless the operator turned it off, any member may set up
    a channel nobody has set up, and so becomes its first listed admin: an
    organiser needs no workspace admin to start a group.
    """

    organisers: frozenset[tuple[str, str]] = frozenset()  # (platform, user id)
    members_set_up: bool = True

    def may_administer(self, member: MemberRef, group: Group | None) -> bool:
        """Tell whether a member may use admin commands in a group's channel."""
        if member.can_manage or (member.platform, member.user_id) in self.organisers:
            return True
        return group is not None and member.user_id in group.settings.admins

    def may_run(self, command: str, member: MemberRef, group: Group | None) -> bool:
        """Tell whether a member may run an admin command (`studybot setup`, ...) here."""
        if self.may_administer(member, group):
            return True
        return command == SETUP and group is None and self.members_set_up


SETUP = "studybot setup"


class GroupService:
    """Setting up channels and changing their settings."""

    def __init__(
        self,
        store: GroupStore,
        bank: QuestionBank,
        scheduler: JobScheduler,
        check: PostingCheck | None = None,
    ) -> None:
        self._store = store
        self._bank = bank
        self._scheduler = scheduler
        self._check = check  # the platform's check that rounds can be posted, if it has one

    async def setup(
        self, channel: ChannelRef, changes: str, founder: MemberRef | None = None
    ) -> Reply:
        """Start daily rounds in a channel, with optional `key=value` settings.

        A `founder` the platform does not let manage the channel becomes the
        group's first listed admin, so whoever started it can run it.
        """
        if await self._store.group_for_channel(channel) is not None:
            return messages.error(
                "This channel is already set up. See or change its settings with "
                f"{mention('studybot settings')}."
            )
        try:
            settings, _ = apply_settings(GroupSettings(), changes, self._bank.categories)
        except SettingsError as exc:
            return messages.error(str(exc))
        problem = await self._posting_problem(channel.channel())
        if problem is not None:
            return messages.cannot_post_here(problem)
        if founder is not None:
            settings = replace(settings, founder=founder.user_id)
            if not founder.can_manage and founder.user_id not in settings.admins:
                settings = replace(settings, admins=(*settings.admins, founder.user_id))
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
        if not paused and group.settings.blocked is not None:
            problem = await self._posting_problem(group.channel)
            if problem is not None:
                return messages.cannot_post_here(problem + " Daily questions stay paused.")
        title = "Daily questions paused" if paused else "Daily questions resumed"
        return await self._save(group, replace(group.settings, paused=paused, blocked=None), title)

    async def _posting_problem(self, channel: ChannelRef) -> str | None:
        return None if self._check is None else await self._check.posting_problem(channel)

    async def _save(self, group: Group, settings: GroupSettings, title: str) -> Reply:
        await self._store.save_settings(group.id, settings)
        updated = Group(group.id, group.channel, settings)
        self._scheduler.arm_group(updated)
        reply = help_messages.settings_reply(updated, self._bank.categories, title)
        return Reply(
            title=reply.title, text=reply.text, fields=reply.fields, visibility=Visibility.PUBLIC
        )
