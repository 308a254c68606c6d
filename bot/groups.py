"""Per-channel groups: setting them up, their settings, and who may change them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from bot import help_messages, messages, notices
from bot.archive_access import ARCHIVE_PATH, ArchiveAccess, ArchiveChange, describe_archive
from bot.clock import Clock
from bot.command_refs import mention
from bot.content.bank import QuestionBank
from bot.group_settings import SettingsError, apply_settings, plain_member_id
from bot.holidays import upcoming_holidays
from bot.jobs import JobScheduler
from bot.model import ChannelRef, Group, GroupSettings, MemberRef
from bot.ports import ChatPort, MentionReading, PostingCheck
from bot.replies import Field, Reply, Visibility
from bot.store_ports import GroupStore
from bot.web_setting import web_choice

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


def _refused(exc: SettingsError, outcome: str) -> Reply:
    """Return settings refused: each problem on its line, with what would work."""
    if len(exc.problems) == 1:
        return messages.error(f"{exc.problems[0]} {outcome}")
    lines = "\n".join(f"- {problem}" for problem in exc.problems)
    return messages.error(f"{len(exc.problems)} settings need fixing. {outcome}\n{lines}")


class GroupService:
    """Setting up channels and changing their settings.

    Admin work is quiet: the admin gets the settings privately, and the channel
    one line only when members should know (questions start, pause or resume,
    or their schedule changes).
    """

    def __init__(
        self,
        store: GroupStore,
        bank: QuestionBank,
        scheduler: JobScheduler,
        chat: ChatPort,
        clock: Clock,
        archive: ArchiveAccess | None = None,
        public_url: str | None = None,
    ) -> None:
        self._store = store
        # The web archive's links (`web=`), and the site's base URL the links start with.
        self._archive = archive
        self._public_url = public_url.rstrip("/") if public_url else None
        self._bank = bank
        self._scheduler = scheduler
        self._chat = chat
        self._clock = clock
        # The platform's check that rounds can be posted, if it has one.
        self._check = chat if isinstance(chat, PostingCheck) else None
        # How the platform names members in `admins=`, if it says.
        self._member_id = chat.member_id if isinstance(chat, MentionReading) else plain_member_id

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
            settings, _ = apply_settings(
                GroupSettings(), changes, self._bank.categories, self._member_id, self._clock.now()
            )
        except SettingsError as exc:
            return _refused(exc, "Nothing was set up.")
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
        told = await self._announce(group, notices.questions_start(settings))
        return await self._with_web(group, changes, "Daily questions are on", told)

    async def change(self, group: Group, changes: str) -> Reply:
        """Show the settings, or apply `key=value` changes (all or nothing)."""
        if not changes.strip():
            return await self._settings(group, "Settings", None)
        try:
            settings, keys = apply_settings(
                group.settings, changes, self._bank.categories, self._member_id, self._clock.now()
            )
        except SettingsError as exc:
            return _refused(exc, "Nothing was changed.")
        if (
            self._bank.select(settings.categories, [n for n, w in settings.difficulty_mix if w > 0])
            == []
        ):
            return messages.error(
                "No question matches those categories and difficulties. Nothing was changed."
            )
        before = group.settings
        group = await self._save(group, settings)
        told: bool | None = None  # members hear of a new schedule, not of admins or topics
        today = self._today(group.settings)
        if _schedule(group.settings, today) != _schedule(before, today):
            told = await self._announce(group, notices.schedule_changed(group.settings))
        if web_choice(changes) is not None:
            keys.append("web")
        return await self._with_web(group, changes, f"Settings changed: {', '.join(keys)}", told)

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
        group = await self._save(group, replace(group.settings, paused=paused, blocked=None))
        notice = notices.questions_paused() if paused else notices.questions_resume(group.settings)
        return await self._settings(group, title, await self._announce(group, notice))

    async def _posting_problem(self, channel: ChannelRef) -> str | None:
        return None if self._check is None else await self._check.posting_problem(channel)

    def _today(self, settings: GroupSettings) -> date:
        """Return the group's local date now."""
        return self._clock.now().astimezone(settings.zone).date()

    async def _save(self, group: Group, settings: GroupSettings) -> Group:
        """Store a group's settings (dropping holidays past) and arm its schedule anew."""
        holidays = upcoming_holidays(settings.holidays, self._today(settings))
        settings = replace(settings, holidays=holidays)
        await self._store.save_settings(group.id, settings)
        updated = Group(group.id, group.channel, settings)
        self._scheduler.arm_group(updated)
        return updated

    async def _announce(self, group: Group, notice: Reply) -> bool:
        """Post a one-line notice in the group's channel; tell whether it went out."""
        try:
            await self._chat.post(group.channel, notice)
        except Exception as exc:  # the change stands; the admin hears that members did not
            log.warning("group %d: could not tell the channel: %s", group.id, exc)
            return False
        return True

    async def _with_web(self, group: Group, changes: str, title: str, told: bool | None) -> Reply:
        """Apply a `web=` choice in the changes (if any); return the settings, with a new link."""
        choice = web_choice(changes)
        if choice is None or self._archive is None:
            return await self._settings(group, title, told)
        change = await self._archive.change(group.id, choice)
        state = describe_archive(change.on, change.show_answers)
        log.info("group %d: web archive %s", group.id, state)
        reply = await self._settings(group, title, told)
        if change.token is None:
            return reply
        return replace(
            reply,
            fields=(*reply.fields, self._link_field(change)),
            visibility=Visibility.PRIVATE,
        )

    def _link_field(self, change: ArchiveChange) -> Field:
        """Return the new archive link for the admin alone (the only time it is shown)."""
        path = f"{ARCHIVE_PATH}{change.token}/"
        if self._public_url is None:
            return Field(
                "Web archive link",
                "The web archive is on, but the operator must set STUDYBOT_PUBLIC_URL (the "
                f"site's address) before the link works from outside. Its path: {path}",
            )
        return Field(
            "Web archive link",
            f"{self._public_url}{path}\nAnyone with this link can read the archive: share "
            f"it with your group only. {mention('studybot settings', 'web=off')} revokes it.",
        )

    async def _settings(self, group: Group, title: str, told: bool | None) -> Reply:
        """Return the settings for the admin alone, saying whether the channel was told."""
        on, answers = (False, False)
        if self._archive is not None:
            on, answers = await self._archive.state(group.id)
        reply = help_messages.settings_reply(
            group,
            self._bank.categories,
            title,
            self._today(group.settings),
            describe_archive(on, answers),
        )
        if told is None:
            return reply
        footer = (
            "The channel was told in one line."
            if told
            else "I could not tell the channel; members may want to hear it from you."
        )
        return replace(reply, footer=footer, visibility=Visibility.PRIVATE)


def _schedule(settings: GroupSettings, today: date) -> tuple[object, ...]:
    """Return what members see of a group's settings: when questions come and answers show."""
    return (
        settings.post_time,
        settings.timezone,
        settings.weekdays,
        settings.reveal_after,
        settings.reveal_time,
        upcoming_holidays(settings.holidays, today),
    )
