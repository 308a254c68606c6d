"""The loopback Slack's workspace and what happened in it: members, messages, modals, calls.

Plain data, no I/O: the Web API, response_url posts and Socket Mode read and
change one `SlackState`, and tests read what happened from it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

TEAM = "T0TEAM"  # the workspace that installed the app
PARTNER_TEAM = "T0PARTNER"  # another organisation, sharing a Slack Connect channel
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"


def dm_channel(user_id: str) -> str:
    """Return the id of the app's direct-message channel (an IM, `D…`) with a member.

    Slack takes a member's id as `chat.postMessage`'s channel and posts in that
    conversation (the app's Messages tab), answering with the IM's own id; the
    buttons of a message there are pressed in that channel.
    """
    return "D" + user_id.removeprefix("U").removeprefix("W")


def is_member_id(channel: str) -> bool:
    """Tell whether a `channel` argument is a member's id (`U…`, `W…`), not a conversation's."""
    return channel[:1] in ("U", "W")


@dataclass
class Call:
    """One call the fake received: a Web API method, or a post to a response_url."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    error: str | None = None  # the `error` of an answer with `ok: false`


class SlackState:
    """The workspace's members, each channel's messages, the modals, and every call."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)  # channel -> messages
        self.reactions: set[tuple[str, str, str]] = set()
        self.rejected: list[Call] = []  # calls answered 429
        self.views: dict[str, dict[str, Any]] = {}  # open modals by view id
        self.opened: list[str] = []  # view ids of the modals opened, in order
        # Channels the bot may not post in: public ones it was not invited to (or was
        # removed from), private ones it cannot see, archived ones. It is in every other.
        self.uninvited: set[str] = set()
        self.hidden: set[str] = set()
        self.archived: set[str] = set()
        # Members the app may not DM, with the error Slack refuses a post to them with
        # (`refuse_dms`).
        self.refused_dms: dict[str, str] = {}
        self._ts = itertools.count(1)

    def channel_refusal(self, channel: str) -> str | None:
        """Return the error Slack answers a post in `channel` with, if it refuses it."""
        if channel in self.hidden:
            return "channel_not_found"
        if channel in self.archived:
            return "is_archived"
        if channel in self.uninvited:
            return "not_in_channel"
        return None

    def refuse_dms(self, user_id: str, error: str = "cannot_dm_bot") -> None:
        """Refuse the app's direct messages to a member, answering posts to them with `error`.

        As Slack does for a bot user (`cannot_dm_bot`), a deactivated account
        (`user_disabled`), one it cannot find or see (`user_not_found`, `user_not_visible`).
        """
        self.refused_dms[user_id] = error

    def serial(self) -> int:
        """Return the next number of the counter message timestamps and view ids come from."""
        return next(self._ts)

    def new_ts(self) -> str:
        """Return a new message timestamp."""
        return f"1700000000.{self.serial():06d}"

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        admin: bool = False,
        owner: bool = False,
        team: str = TEAM,
    ) -> None:
        """Make users.info know a member (of `team`: another one for a Slack Connect guest)."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": team,
            "name": name.lower(),
            "real_name": name,
            "is_admin": admin,
            "is_owner": owner,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": name},
        }

    def record(self, call: Call) -> None:
        """Record a call the fake received."""
        self.calls.append(call)

    def of(self, method: str) -> list[Call]:
        """Return the calls of a method Slack did (not rate-limited, not refused), in order."""
        return [c for c in self.calls if c.method == method and c.status == 200 and c.error is None]

    def dms(self, user_id: str) -> list[dict[str, Any]]:
        """Return the messages the app posted in its direct messages with a member."""
        return self.messages.get(dm_channel(user_id), [])

    def modal(self, index: int = -1) -> dict[str, Any]:
        """Return what a modal shows now: the `index`-th opened, with its updates."""
        return self.views[self.opened[index]]

    def errors(self, method: str) -> list[str]:
        """Return the errors (`ok: false`) Slack answered calls of a method with, in order."""
        return [c.error for c in self.calls if c.method == method and c.error is not None]

    def summary(self) -> dict[str, Any]:
        """Return what happened: calls per method, 429s, posts per channel, when replies came."""
        methods: dict[str, int] = defaultdict(int)
        for call in self.calls:
            if call.status == 200:
                methods[call.method] += 1
        posts = self.of("chat.postMessage")
        per_channel: dict[str, int] = defaultdict(int)
        for call in posts:
            per_channel[str(call.args.get("channel"))] += 1
        return {
            "methods": dict(methods),
            "rejected": len(self.rejected),
            "posts_per_channel": dict(per_channel),
            "responses": {c.token: c.at for c in self.of("response_url")},
            "first_post": posts[0].at if posts else None,
            "last_post": posts[-1].at if posts else None,
        }
