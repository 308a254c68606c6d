"""Permissions on the loopback Discord: roles, channel overwrites, and what a bot call needs.

Discord's computation: the @everyone role's permissions and the member's
roles' (everything for the owner or an administrator), then the channel's
overwrites (@everyone, the member's roles together, the member), a thread
taking its parent channel's. Without View Channel nothing is left, and
without Send Messages none of what depends on it. The fake asks `refusal`
what a REST call of the bot needs and answers 403 50001 (Missing Access: the
channel cannot be seen) or 50013 (Missing Permissions) as Discord does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Json = dict[str, Any]

CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL = (1 << 51) - 1

# What the README's invite link grants the bot's own role (its permissions integer).
BOT_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | SEND_MESSAGES_IN_THREADS
    | CREATE_PUBLIC_THREADS
    | EMBED_LINKS
    | ADD_REACTIONS
    | READ_MESSAGE_HISTORY
)
# Lost with Send Messages in a channel (Discord's implicit permissions).
_NEEDS_SEND = SEND_TTS_MESSAGES | EMBED_LINKS | ATTACH_FILES | MENTION_EVERYONE

# channel types
TEXT, DM, VOICE, CATEGORY, ANNOUNCEMENT = 0, 1, 2, 4, 5
PUBLIC_THREAD, PRIVATE_THREAD, STAGE, FORUM, MEDIA = 11, 12, 13, 15, 16
THREADS = (10, PUBLIC_THREAD, PRIVATE_THREAD)
MESSAGEABLE = (TEXT, VOICE, ANNOUNCEMENT, STAGE, *THREADS)  # forums and media: posts only
THREAD_PARENTS = (TEXT, ANNOUNCEMENT)  # where a thread may start on a message

MISSING_ACCESS = (403, 50001, "Missing Access")
MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")
WRONG_CHANNEL_TYPE = (400, 50024, "Cannot execute action on this channel type")
NOT_A_TEXT_CHANNEL = (400, 50008, "Cannot send messages in a non-text channel")


def overwrite(target_id: int | str, *, allow: int = 0, deny: int = 0, member: bool = False) -> Json:
    """Return a channel permission overwrite for a role (or, with `member`, a member)."""
    return {
        "id": str(target_id),
        "type": 1 if member else 0,
        "allow": str(allow),
        "deny": str(deny),
    }


def base_permissions(guild: Json, role_ids: Iterable[str], user_id: str) -> int:
    """Return a member's guild-wide permissions: @everyone's and their roles'."""
    if str(guild.get("owner_id")) == str(user_id):
        return ALL
    roles = {r["id"]: int(r["permissions"]) for r in guild["roles"]}
    permissions = roles.get(str(guild["id"]), 0)
    for role_id in role_ids:
        permissions |= roles.get(str(role_id), 0)
    return ALL if permissions & ADMINISTRATOR else permissions


def channel_permissions(
    guild: Json, channel: Json, role_ids: Iterable[str], user_id: str, parent: Json | None = None
) -> int:
    """Return a member's permissions in a channel (a thread's come from its `parent`)."""
    roles = [str(r) for r in role_ids]
    permissions = base_permissions(guild, roles, user_id)
    if permissions == ALL:
        return ALL
    source = parent if channel.get("type") in THREADS and parent is not None else channel
    overwrites = {o["id"]: o for o in source.get("permission_overwrites") or []}
    everyone = overwrites.get(str(guild["id"]))
    if everyone is not None:
        permissions = (permissions & ~int(everyone["deny"])) | int(everyone["allow"])
    allow = deny = 0
    for role_id in roles:
        role = overwrites.get(role_id)
        if role is not None and role.get("type", 0) == 0:
            allow |= int(role["allow"])
            deny |= int(role["deny"])
    permissions = (permissions & ~deny) | allow
    own = overwrites.get(str(user_id))
    if own is not None and own.get("type") == 1:
        permissions = (permissions & ~int(own["deny"])) | int(own["allow"])
    if not permissions & VIEW_CHANNEL:
        return 0
    if not permissions & SEND_MESSAGES and channel.get("type") not in THREADS:
        permissions &= ~_NEEDS_SEND
    return permissions


def refusal(
    action: str, channel: Json, permissions: int, **details: Any
) -> tuple[int, int, str] | None:
    """Return Discord's error (status, code, message) for a bot call in a guild channel, or None.

    `action` is one of `view`, `history`, `post`, `thread`, `react`. Details:
    `reply` (a post answering a message), `embeds_only` (a post whose only
    content is embeds), `new_emoji` (a reaction nobody has added yet).
    """
    kind = channel.get("type", TEXT)
    if not permissions & VIEW_CHANNEL:
        return MISSING_ACCESS
    if action == "post":
        if kind not in MESSAGEABLE:
            return NOT_A_TEXT_CHANNEL
        send = SEND_MESSAGES_IN_THREADS if kind in THREADS else SEND_MESSAGES
        if not permissions & send:
            return MISSING_PERMISSIONS
        if details.get("reply") and not permissions & READ_MESSAGE_HISTORY:
            return MISSING_PERMISSIONS
        if details.get("embeds_only") and not permissions & EMBED_LINKS:
            return MISSING_PERMISSIONS
    elif action == "thread":
        if kind not in THREAD_PARENTS:
            return WRONG_CHANNEL_TYPE
        if not permissions & CREATE_PUBLIC_THREADS:
            return MISSING_PERMISSIONS
    elif action == "react":
        if not permissions & READ_MESSAGE_HISTORY:
            return MISSING_PERMISSIONS
        if details.get("new_emoji") and not permissions & ADD_REACTIONS:
            return MISSING_PERMISSIONS
    return None
