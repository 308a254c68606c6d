"""The only place Slack payloads become core events (and members, channels, slash commands).

Slash commands are derived from the core's command table: one Slack command per
top-level name (`/practice` carries `answer` and `reveal` as subcommand words),
except `help`, which is `/studybot help`.

Text: members' text is decoded once, here, by `adapters.slack.text`.

Workspaces: a group lives in the workspace that installed the app. In a Slack
Connect channel a member of another workspace writes, votes and uses commands
too, and the payload's own `team_id` can then be theirs; `workspace` takes the
installing workspace instead, from the same places bolt does
(`authorizations[0]`, a modal's `view.app_installed_team_id`). Such a member
does not administer the group for being an admin of their own workspace.

Reactions: Slack names emoji (`+1`, `thumbsup`, `+1::skin-tone-3`). The names
of 👍 (the helpful vote) become the core's "👍"; every other reaction, a
reaction on anything but a message, and the bot's own reactions are dropped
here, so that the hearts and ✅s of a busy workspace never cost a users.info
lookup or a database query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.commands import ADMIN_COMMAND, HELP
from adapters.slack.render import FormContext, reaction_name
from adapters.slack.text import decode_text, mentioned_users
from bot.commands import COMMANDS, Command
from bot.model import ChannelRef, MemberRef
from bot.ports import (
    ButtonPress,
    FormSubmit,
    Invocation,
    MessageRemoved,
    ReactionAdded,
    ReactionRemoved,
    ThreadReply,
)
from bot.scoring import HELPFUL

__all__ = [
    "ADMIN_COMMAND",
    "PLATFORM",
    "HomeOpened",
    "MessageAction",
    "ReactionAction",
    "UserInfo",
    "button_action",
    "button_place",
    "button_press",
    "button_user",
    "channel",
    "core_command",
    "first_input_block",
    "form_place",
    "form_submit",
    "home_opened",
    "invocation",
    "member",
    "reaction",
    "reaction_emoji",
    "slash_commands",
    "thread_message",
    "user_info",
    "workspace",
]

PLATFORM = "slack"
# Message subtypes that are a member writing (the others are joins, bots, topic changes ...).
_WRITTEN = {None, "thread_broadcast", "file_share", "me_message"}
# Slack's names of the helpful vote: the name the bot itself reacts with (render's
# table) and its alias; a skin tone comes as a `::skin-tone-N` suffix.
_HELPFUL_NAMES = frozenset(name for name in (reaction_name(HELPFUL), "thumbsup") if name)
_SKIN_TONE = "::skin-tone-"
# Slack's skin tones 2-6 are the Fitzpatrick modifiers, light to dark.
_TONES = {str(n): chr(0x1F3FB + n - 2) for n in range(2, 7)}
# `/studybot` subcommands whose text names members (`admins=@alice`, `regrade @bob DATE`):
# their mentions reach the core as ids, `<@U…>`, not as the names they show.
_NAMING_MEMBERS = (["setup"], ["settings"], ["regrade"])


def slash_commands(commands: Iterable[Command] = COMMANDS) -> tuple[str, ...]:
    """Return the Slack slash commands (without `/`) for a command table, in its order."""
    names: list[str] = []
    for c in commands:
        top = c.name.split(" ", 1)[0]
        if top == HELP:
            top = ADMIN_COMMAND
        if top not in names:
            names.append(top)
    if ADMIN_COMMAND not in names:
        names.append(ADMIN_COMMAND)
    return tuple(names)


def invocation(
    command: str,
    text: str,
    actor: MemberRef,
    place: ChannelRef,
    names: Mapping[str, str] | None = None,
) -> Invocation:
    """Return the core command a Slack slash command stands for.

    `text` is as Slack sends it (encoded; see `decode_text`, with `names` of the
    members it mentions). `/studybot help [topic]` is the core's `help`; every
    other command, `/studybot` alone included (the core lists its subcommands),
    passes its text on for the core to parse (in `/studybot setup|settings|regrade`,
    which name members, with members as `<@U…>`: see `member_mention`).
    """
    slash = command.strip().lstrip("/").lower()
    ids = slash == ADMIN_COMMAND and text.lower().split()[:1] in _NAMING_MEMBERS
    name, args = core_command(command, decode_text(text, names, ids))
    return Invocation(name, args, actor, place)


def core_command(command: str, text: str) -> tuple[str, str]:
    """Return the name of the core command a Slack slash command stands for, and its text.

    `/studybot help [topic]` is the core's `help`; every other command is its own name.
    """
    name = command.strip().lstrip("/").lower()
    text = text.strip()
    if name == ADMIN_COMMAND:
        word, _, rest = text.partition(" ")
        if word.lower() == HELP:
            return HELP, rest.strip()
    return name, text


def workspace(body: Mapping[str, Any], installed_team: str | None = None) -> str:
    """Return the workspace a request belongs to: the one that installed the app.

    In order, as bolt finds it: a modal's `view.app_installed_team_id`; an event's
    `authorizations[0].team_id`; the installation's own team (`installed_team`,
    from auth.test, for a workspace install: None for an org-wide one); then the
    payload's `team`, `team_id`, or its member's team.
    """
    view = body.get("view")
    if isinstance(view, Mapping) and view.get("app_installed_team_id"):
        return str(view["app_installed_team_id"])
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list) and authorizations:
        first = authorizations[0]
        if isinstance(first, Mapping) and first.get("team_id"):
            return str(first["team_id"])
    if installed_team:
        return installed_team
    team = body.get("team")
    if isinstance(team, Mapping) and team.get("id"):
        return str(team["id"])
    if isinstance(team, str) and team:
        return team
    if body.get("team_id"):
        return str(body["team_id"])
    user = body.get("user")
    return str(user.get("team_id") or "") if isinstance(user, Mapping) else ""


@dataclass(frozen=True, slots=True)
class UserInfo:
    """What Slack says about a member: the name to show, whether they administer, and where.

    `teams` are the workspaces the member belongs to (empty when Slack did not
    say): an admin of another workspace is no admin here.
    """

    display_name: str
    can_manage: bool
    teams: frozenset[str] = frozenset()

    def manages(self, workspace_id: str) -> bool:
        """Tell whether the member administers `workspace_id` (their own workspace)."""
        return self.can_manage and (not self.teams or workspace_id in self.teams)


def user_info(user: Mapping[str, Any]) -> UserInfo:
    """Return a member's name, admin right and workspaces from a users.info `user` object.

    Workspace admins and owners may use admin commands in their own workspace;
    the core also accepts members listed in a group's settings.
    """
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user.get("id")
        or "someone"
    )
    admin = any(bool(user.get(k)) for k in ("is_admin", "is_owner", "is_primary_owner"))
    teams = {str(user["team_id"])} if user.get("team_id") else set()
    enterprise = user.get("enterprise_user") or {}
    teams.update(str(t) for t in enterprise.get("teams") or () if t)
    return UserInfo(str(name), admin, frozenset(teams))


def member(user_id: str, info: UserInfo, workspace_id: str | None = None) -> MemberRef:
    """Return the core's view of a Slack member (an admin only of their own workspace)."""
    manages = info.can_manage if workspace_id is None else info.manages(workspace_id)
    return MemberRef(PLATFORM, user_id, info.display_name, manages)


def channel(team_id: str, channel_id: str, thread_ts: str | None = None) -> ChannelRef:
    """Return the core's view of a Slack channel (and a thread in it)."""
    return ChannelRef(PLATFORM, team_id, channel_id, thread_ts)


@dataclass(frozen=True, slots=True)
class MessageAction:
    """A member's message in a thread was written, edited or deleted."""

    user_id: str
    place: ChannelRef
    message_ts: str
    text: str  # as Slack sends it (encoded)
    removed: bool = False
    mentions_other: bool = False  # it mentions another member: discussion, not an answer

    def mentions(self) -> tuple[str, ...]:
        """Return the members the message mentions (whose names `event` needs).

        None for discussion: the core takes no text from it, so no name is looked up.
        """
        return () if self.removed or self.mentions_other else mentioned_users(self.text)

    def event(
        self, actor: MemberRef, names: Mapping[str, str] | None = None
    ) -> ThreadReply | MessageRemoved:
        """Return the core event, once the member (and those mentioned) are known."""
        if self.removed:
            return MessageRemoved(self.place, actor, self.message_ts)
        text = decode_text(self.text, names)
        return ThreadReply(self.place, actor, text, self.message_ts, self.mentions_other)


def _threaded(message: Mapping[str, Any]) -> str | None:
    """Return a message's thread, or None for a top-level message (or a thread's parent)."""
    thread = message.get("thread_ts")
    if not isinstance(thread, str) or thread == message.get("ts"):
        return None
    return thread


def thread_message(
    event: Mapping[str, Any], team_id: str, own_id: str | None = None
) -> MessageAction | None:
    """Return what a `message` event means for answers, or None when it means nothing.

    A reply in a thread answers, an edit (`message_changed`) repeats its
    message id with the new text, a deletion (`message_deleted`) withdraws it.
    Slack threads have no reply to one message, so a message that mentions
    another member (`<@U…>`, not its author nor the bot, `own_id`) is taken
    for talk with them: `mentions_other`, discussion rather than an answer.
    Bots' messages, top-level messages and edits that left the text as it was
    are ignored.
    """
    channel_id = event.get("channel")
    if not isinstance(channel_id, str):
        return None
    subtype = event.get("subtype")
    if subtype == "message_changed":
        message = event.get("message") or {}
        before = event.get("previous_message") or {}
        if message.get("text") == before.get("text"):
            return None  # an unfurl, a reply count: not an edit of the answer
        return _action(message, channel_id, team_id, own_id)
    if subtype == "message_deleted":
        before = event.get("previous_message") or {}
        action = _action(before, channel_id, team_id)
        if action is None:
            return None
        return MessageAction(action.user_id, action.place, action.message_ts, "", removed=True)
    if subtype not in _WRITTEN:
        return None
    return _action(event, channel_id, team_id, own_id)


def _action(
    message: Mapping[str, Any], channel_id: str, team_id: str, own_id: str | None = None
) -> MessageAction | None:
    thread = _threaded(message)
    user, ts = message.get("user"), message.get("ts")
    if thread is None or message.get("bot_id") or not isinstance(user, str):
        return None
    if not isinstance(ts, str):
        return None
    text = str(message.get("text") or "")
    others = set(mentioned_users(text)) - {user, own_id}
    return MessageAction(
        user, channel(team_id, channel_id, thread), ts, text, mentions_other=bool(others)
    )


def button_place(body: Mapping[str, Any], installed_team: str | None = None) -> ChannelRef:
    """Return where a button was pressed: its message's channel and thread (see `workspace`)."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel_id = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    thread = _threaded(message) if message else container.get("thread_ts")
    return channel(workspace(body, installed_team), str(channel_id), thread)


def button_action(action: Mapping[str, Any]) -> str:
    """Return the core's action of a pressed button (its action_id, without a `#` suffix)."""
    return str(action.get("action_id", "")).split("#", 1)[0]


def button_press(
    body: Mapping[str, Any],
    action: Mapping[str, Any],
    actor: MemberRef,
    installed_team: str | None = None,
) -> ButtonPress:
    """Return the core event of a pressed button (`block_actions`; see `workspace`)."""
    return ButtonPress(
        button_action(action),
        actor,
        button_place(body, installed_team),
        str(action.get("value") or ""),
    )


def button_user(body: Mapping[str, Any]) -> str:
    """Return who pressed a button or submitted a form."""
    return str((body.get("user") or {}).get("id", ""))


def form_place(body: Mapping[str, Any]) -> ChannelRef | None:
    """Return where a submitted modal was opened from, or None if it is not one of ours."""
    view = body.get("view") or {}
    context = FormContext.decode(str(view.get("private_metadata") or ""))
    if context is None:
        return None
    return channel(context.team_id, context.channel_id, context.thread_ts)


def form_submit(body: Mapping[str, Any], actor: MemberRef) -> FormSubmit | None:
    """Return the core event of a submitted modal, or None if it is not one of ours.

    An input split over several boxes (Slack holds 3,000 characters in one)
    comes back joined.
    """
    view = body.get("view") or {}
    context = FormContext.decode(str(view.get("private_metadata") or ""))
    if context is None:
        return None
    parts: dict[str, list[tuple[int, str]]] = {}
    state = (view.get("state") or {}).get("values") or {}
    for block_id, inputs in state.items():
        input_id, _, part = str(block_id).partition("#")
        value = ((inputs or {}).get("value") or {}).get("value") or ""
        parts.setdefault(input_id, []).append((int(part) if part.isdigit() else 1, str(value)))
    values = {
        key: "\n".join(text for _, text in sorted(chunks) if text) for key, chunks in parts.items()
    }
    return FormSubmit(
        str(view.get("callback_id", "")),
        actor,
        channel(context.team_id, context.channel_id, context.thread_ts),
        values,
        context.value,
    )


def first_input_block(body: Mapping[str, Any]) -> str | None:
    """Return the block id of a modal's first input (where a refusal is shown)."""
    for block in (body.get("view") or {}).get("blocks") or ():
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


@dataclass(frozen=True, slots=True)
class HomeOpened:
    """A member opened the bot's Home tab."""

    user_id: str
    team_id: str


def home_opened(event: Mapping[str, Any], team_id: str) -> HomeOpened | None:
    """Return an `app_home_opened` event on the Home tab, or None for the Messages tab."""
    user = event.get("user")
    if event.get("tab", "home") != "home" or not isinstance(user, str):
        return None
    return HomeOpened(user, team_id)


@dataclass(frozen=True, slots=True)
class ReactionAction:
    """A member added (or took back) a reaction the core cares about on a message."""

    user_id: str
    place: ChannelRef
    message_ts: str
    emoji: str
    removed: bool = False

    def event(self, actor: MemberRef) -> ReactionAdded | ReactionRemoved:
        """Return the core event, once the member is known."""
        if self.removed:
            return ReactionRemoved(self.place, actor, self.message_ts, self.emoji)
        return ReactionAdded(self.place, actor, self.message_ts, self.emoji)


def reaction_emoji(name: str) -> str | None:
    """Return the Unicode emoji of a Slack reaction name the core acts on, or None.

    Only the helpful vote counts: `+1` and `thumbsup` are "👍", and with a skin
    tone (`+1::skin-tone-3`) the same emoji in that tone ("👍🏼"): a member who
    reacts in two tones holds the vote twice, and keeps it when taking one back.
    """
    base, _, tone = name.partition(_SKIN_TONE)
    if base not in _HELPFUL_NAMES:
        return None
    return HELPFUL + _TONES.get(tone, "")


def reaction(
    event: Mapping[str, Any], team_id: str, bot_user_id: str | None = None
) -> ReactionAction | None:
    """Return what a `reaction_added`/`reaction_removed` event means, or None if nothing.

    The place is the message's channel (Slack's reaction events carry no thread;
    the core finds the answer by the message's ts in the channel). Reactions
    on files, reactions other than 👍, and the bot's own reactions mean nothing.
    """
    kind = event.get("type")
    if kind not in ("reaction_added", "reaction_removed"):
        return None
    user, name = event.get("user"), event.get("reaction")
    item = event.get("item") or {}
    channel_id, ts = item.get("channel"), item.get("ts")
    if item.get("type") != "message" or not isinstance(user, str) or not isinstance(name, str):
        return None
    if not isinstance(channel_id, str) or not isinstance(ts, str):
        return None
    if bot_user_id is not None and user == bot_user_id:
        return None
    emoji = reaction_emoji(name)
    if emoji is None:
        return None
    return ReactionAction(
        user, channel(team_id, channel_id), ts, emoji, removed=kind == "reaction_removed"
    )
