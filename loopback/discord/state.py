"""The loopback Discord's world: ids, guilds, channels, members, messages and the bot itself.

Plain data and the payloads built from it, with no I/O: the REST routes, the
gateway and the members' actions all read and change one `State`.
"""

from __future__ import annotations

import itertools
import time

from loopback.discord.commands import CommandStore
from loopback.discord.permissions import (
    BOT_PERMISSIONS,
    FORUM,
    MANAGE_CHANNELS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    TEXT,
    VIEW_CHANNEL,
    VOICE,
    channel_permissions,
)
from loopback.discord.responses import Json, now_iso

DISCORD_EPOCH_MS = 1_420_070_400_000
EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | SEND_MESSAGES_IN_THREADS | READ_MESSAGE_HISTORY
)
ADMIN_PERMISSIONS = EVERYONE_PERMISSIONS | MANAGE_CHANNELS


class State:
    """Everything the fake Discord knows: its guilds, channels, messages and reactions."""

    def __init__(self, *, shard_count: int, token: str) -> None:
        self.shard_count = shard_count
        self.token = token
        self.guilds: dict[int, Json] = {}
        self.channels: dict[int, Json] = {}
        self.messages: dict[int, Json] = {}
        self.reactions: list[tuple[int, int, str]] = []  # the bot's: (channel, message, emoji)
        self.reacted: set[tuple[int, int, str, bool]] = set()  # (message, user, emoji, burst)
        self.closed_dms: set[int] = set()  # users whose DMs refuse the bot (403, 50007)
        self.gone_users: set[int] = set()  # deleted accounts: no DM opens (404, 10013)
        self.nonces: dict[tuple[int, str], int] = {}  # (channel, nonce) -> message id
        self.thread_ids: dict[int, int] = {}  # message id -> the thread started on it
        self.dm_channels: dict[int, int] = {}  # user id -> the DM channel with the bot
        self.files: dict[str, bytes] = {}  # attachment id -> the bytes uploaded
        self._ids = itertools.count(1)
        self._id_base = int(time.time() * 1000) - DISCORD_EPOCH_MS
        self.app_id = self.snowflake()
        self.command_store = CommandStore(self.app_id, self.guilds.keys(), self.snowflake)
        self.bot_user: Json = {
            "id": str(self.app_id),
            "username": "studybot",
            "global_name": "studybot",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "flags": 0,
        }

    # -- ids ----------------------------------------------------------------------

    def serial(self) -> int:
        """Return the next number of the fake's one counter (ids, sessions, tokens)."""
        return next(self._ids)

    def snowflake(self, shard: int | None = None) -> int:
        """Return a new id; with `shard`, a guild id that lands on that shard."""
        while True:
            n = self.serial()
            value = ((self._id_base + n) << 22) | (n & 0xFFF)
            if shard is None or (value >> 22) % self.shard_count == shard:
                return value

    def shard_of(self, guild_id: int) -> int:
        """Return the shard a guild belongs to (Discord's formula)."""
        return (guild_id >> 22) % self.shard_count

    # -- guilds, channels, users ----------------------------------------------------

    def user(self, name: str, user_id: int | None = None) -> Json:
        """Return a user payload."""
        uid = user_id or self.snowflake()
        return {
            "id": str(uid),
            "username": name,
            "global_name": name,
            "discriminator": "0",
            "avatar": None,
            "bot": False,
            "flags": 0,
        }

    def add_guild(self, name: str = "Study group", *, channels: int = 1, shard: int = 0) -> Json:
        """Create a guild with text channels, an @everyone role and an admin role."""
        gid = self.snowflake(shard)
        admin_role = self.snowflake()
        bot_role = self.snowflake()
        guild: Json = {
            "id": str(gid),
            "name": name,
            "owner_id": str(self.snowflake()),
            "unavailable": False,
            "member_count": 2,
            "large": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                role(gid, "@everyone", EVERYONE_PERMISSIONS, 0),
                role(admin_role, "admins", ADMIN_PERMISSIONS, 1),
                # the bot's own role, with what the invite link grants it
                {**role(bot_role, "studybot", BOT_PERMISSIONS, 2), "managed": True},
            ],
            "channels": [],
            "threads": [],
            "members": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": now_iso(),
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
            "admin_role_id": str(admin_role),
            "bot_role_id": str(bot_role),
        }
        self.guilds[gid] = guild
        for i in range(channels):
            self.add_channel(gid, f"study-{i}")
        return guild

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        kind: int = TEXT,
        overwrites: list[Json] | None = None,
    ) -> Json:
        """Add a channel to a guild: text by default, or a voice (2) or forum (15) channel."""
        cid = self.snowflake()
        channel: Json = {
            "id": str(cid),
            "type": kind,
            "guild_id": str(guild_id),
            "name": name,
            "position": len(self.guilds[guild_id]["channels"]),
            "permission_overwrites": list(overwrites or []),
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if kind == VOICE:
            channel.update(bitrate=64000, user_limit=0, rtc_region=None, video_quality_mode=1)
        elif kind == FORUM:
            channel.update(
                available_tags=[],
                default_reaction_emoji=None,
                default_sort_order=None,
                default_forum_layout=0,
                default_thread_rate_limit_per_user=0,
            )
        self.guilds[guild_id]["channels"].append(channel)
        self.channels[cid] = channel
        return channel

    # -- members and permissions ------------------------------------------------------

    def roles_of(self, user: Json, guild_id: int, admin: bool) -> list[str]:
        """Return a member's role ids: the bot's own role, the admin role, or none."""
        guild = self.guilds[guild_id]
        if user["id"] == self.bot_user["id"]:
            return [guild["bot_role_id"]]
        return [guild["admin_role_id"]] if admin else []

    def permissions_in(self, channel: Json, user: Json, *, admin: bool = False) -> int:
        """Return a member's (or the bot's) permissions in a guild channel or thread."""
        guild_id = int(channel["guild_id"])
        parent = self.channels.get(int(channel["parent_id"])) if channel.get("parent_id") else None
        return channel_permissions(
            self.guilds[guild_id],
            channel,
            self.roles_of(user, guild_id, admin),
            str(user["id"]),
            parent,
        )

    def bot_permissions(self, guild_id: int) -> int:
        """Return the bot's guild-wide permissions (its roles', without channel overwrites)."""
        return self.permissions_in({"guild_id": str(guild_id), "type": TEXT}, self.bot_user)

    def member(self, user: Json, guild_id: int, *, admin: bool = False) -> Json:
        """Return a guild member payload; an admin has the role with Manage Channels."""
        roles = self.roles_of(user, guild_id, admin)
        return {
            "user": user,
            "roles": roles,
            "nick": None,
            "avatar": None,
            "joined_at": now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }

    # -- messages and threads -----------------------------------------------------------

    def thread_of(self, message_id: int) -> Json | None:
        """Return the thread started on a message, if any."""
        tid = self.thread_ids.get(message_id)
        return self.channels.get(tid) if tid is not None else None

    def messages_in(self, channel_id: int) -> list[Json]:
        """Return the messages of a channel, oldest first."""
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id]

    def dm_channel(self, user_id: int) -> Json:
        """Return the bot's DM channel with a user, opening it the first time (as Discord does)."""
        cid = self.dm_channels.get(user_id)
        if cid is None:
            cid = self.snowflake()
            self.dm_channels[user_id] = cid
            self.channels[cid] = {
                "id": str(cid),
                "type": 1,
                "last_message_id": None,
                "recipients": [self.user(f"user{user_id}", user_id)],
            }
        return self.channels[cid]

    def dms_to(self, user_id: int) -> list[Json]:
        """Return the direct messages the bot sent a user."""
        cid = self.dm_channels.get(user_id)
        return self.messages_in(cid) if cid is not None else []

    def new_message(
        self,
        channel_id: int,
        author: Json,
        content: str,
        *,
        embeds: object = None,
        components: object = None,
        flags: int = 0,
        member: Json | None = None,
        reference: Json | None = None,
    ) -> Json:
        """Return a new message payload (not stored: the caller decides where it goes)."""
        channel = self.channels.get(channel_id, {})
        message: Json = {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": embeds or [],
            "components": components or [],
            "pinned": False,
            "type": 19 if reference else 0,
            "flags": flags,
        }
        if channel.get("guild_id"):
            message["guild_id"] = channel["guild_id"]
        if member is not None:
            message["member"] = {k: v for k, v in member.items() if k != "user"}
        if reference is not None:
            message["message_reference"] = reference
        return message

    def thread_payload(
        self, thread_id: int, parent: Json, name: str, owner_id: int, *, auto_archive: int = 1440
    ) -> Json:
        """Return a public thread's channel payload, in `parent`."""
        return {
            "id": str(thread_id),
            "type": 11,
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "owner_id": str(owner_id),
            "name": name,
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": auto_archive,
                "archive_timestamp": now_iso(),
                "locked": False,
            },
        }


def role(role_id: int, name: str, permissions: int, position: int) -> Json:
    """Return a guild role payload."""
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
