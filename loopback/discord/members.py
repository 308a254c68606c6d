"""What members (and moderators) do on the loopback Discord, and the events it sends for it.

Messages posted, edited and deleted, reactions added and taken back (as
MESSAGE_REACTION_ADD / MESSAGE_REACTION_REMOVE, the bot's own too), reactions
cleared, forum posts opened and channel overwrites changed: each changes the
`State` and dispatches what Discord would.
"""

from __future__ import annotations

from loopback.discord.gateway import Gateway
from loopback.discord.responses import Json, now_iso
from loopback.discord.state import State


class Members:
    """The members' side of the fake: their actions, dispatched through the gateway."""

    def __init__(self, state: State, gateway: Gateway) -> None:
        self.state = state
        self.gateway = gateway

    async def set_overwrites(self, channel_id: int, overwrites: list[Json]) -> None:
        """Replace a channel's permission overwrites (CHANNEL_UPDATE is dispatched)."""
        channel = self.state.channels[channel_id]
        channel["permission_overwrites"] = list(overwrites)
        await self.gateway.dispatch("CHANNEL_UPDATE", channel, int(channel["guild_id"]))

    async def add_forum_post(self, forum_id: int, name: str, author: Json) -> Json:
        """Open a member's post in a forum channel: a public thread whose parent is the forum."""
        state = self.state
        forum = state.channels[forum_id]
        tid = state.snowflake()
        thread = state.thread_payload(tid, forum, name, int(author["id"]))
        state.channels[tid] = thread
        guild_id = int(forum["guild_id"])
        state.guilds[guild_id]["threads"].append(thread)
        await self.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, guild_id)
        return thread

    async def user_message(
        self,
        channel_id: int,
        user: Json,
        content: str,
        *,
        admin: bool = False,
        reply_to: Json | None = None,
    ) -> Json:
        """Post a member's message (MESSAGE_CREATE is dispatched).

        With `reply_to`, it is Discord's reply to that message (type 19): it
        names the message in `message_reference` and carries it, as Discord
        does, in `referenced_message` (one level deep).
        """
        state = self.state
        channel = state.channels[channel_id]
        guild_id = int(channel["guild_id"])
        member = state.member(user, guild_id, admin=admin)
        reference = None
        if reply_to is not None:
            reference = {
                "message_id": reply_to["id"],
                "channel_id": reply_to["channel_id"],
                "guild_id": str(guild_id),
            }
        message = state.new_message(channel_id, user, content, member=member, reference=reference)
        if reply_to is not None:
            replied = state.messages.get(int(reply_to["id"]))
            message["referenced_message"] = (
                None
                if replied is None
                else {k: v for k, v in replied.items() if k != "referenced_message"}
            )
        state.messages[int(message["id"])] = message
        await self.gateway.dispatch("MESSAGE_CREATE", message, guild_id)
        return message

    async def edit_user_message(self, message_id: int, content: str) -> Json:
        """Edit a member's message (MESSAGE_UPDATE is dispatched)."""
        message = self.state.messages[message_id]
        message["content"] = content
        message["edited_timestamp"] = now_iso()
        await self.gateway.dispatch("MESSAGE_UPDATE", message, int(message["guild_id"]))
        return message

    async def delete_message(self, message_id: int) -> None:
        """Delete a message (MESSAGE_DELETE is dispatched)."""
        message = self.state.messages.pop(message_id)
        await self.gateway.dispatch(
            "MESSAGE_DELETE",
            {
                "id": str(message_id),
                "channel_id": message["channel_id"],
                "guild_id": message["guild_id"],
            },
            int(message["guild_id"]),
        )

    async def react(
        self,
        message: Json,
        user: Json,
        emoji: str,
        *,
        custom_id: int | None = None,
        admin: bool = False,
        burst: bool = False,
    ) -> bool:
        """React to a message as a member (MESSAGE_REACTION_ADD, with the member, is dispatched).

        `emoji` is a Unicode emoji, or with `custom_id` the name of the guild's custom
        emoji; `burst` makes it a super reaction, which a member may hold beside the
        normal one of the same emoji. As on Discord, reacting twice with the same emoji
        and kind changes nothing and sends nothing the second time; returns whether the
        reaction was new.
        """
        return await self.toggle_reaction(
            message, user, emoji, custom_id, added=True, admin=admin, burst=burst
        )

    async def unreact(
        self,
        message: Json,
        user: Json,
        emoji: str,
        *,
        custom_id: int | None = None,
        burst: bool = False,
    ) -> bool:
        """Take a member's reaction back (MESSAGE_REACTION_REMOVE, without the member).

        Returns whether there was such a reaction (Discord sends nothing otherwise).
        """
        return await self.toggle_reaction(message, user, emoji, custom_id, added=False, burst=burst)

    async def clear_reactions(self, message: Json, emoji: str | None = None) -> None:
        """Remove a message's reactions as a moderator: all, or one Unicode emoji's.

        Dispatches MESSAGE_REACTION_REMOVE_ALL, or MESSAGE_REACTION_REMOVE_EMOJI.
        """
        message_id = int(message["id"])
        self.state.reacted = {
            k
            for k in self.state.reacted
            if k[0] != message_id or (emoji is not None and k[2] != emoji)
        }
        data: Json = {
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "guild_id": message["guild_id"],
        }
        guild_id = int(message["guild_id"])
        if emoji is None:
            await self.gateway.dispatch("MESSAGE_REACTION_REMOVE_ALL", data, guild_id)
            return
        data["emoji"] = {"id": None, "name": emoji}
        await self.gateway.dispatch("MESSAGE_REACTION_REMOVE_EMOJI", data, guild_id)

    def reaction_payload(
        self,
        message: Json,
        user: Json,
        emoji: str,
        custom_id: int | None = None,
        *,
        added: bool = True,
        admin: bool = False,
        burst: bool = False,
    ) -> Json:
        """Return Discord's Message Reaction Add (or Remove) event data for a reaction."""
        data: Json = {
            "user_id": user["id"],
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "emoji": {"id": None if custom_id is None else str(custom_id), "name": emoji},
            "burst": burst,
            "type": 1 if burst else 0,  # 0: normal, 1: burst ("super")
        }
        if custom_id is not None:
            data["emoji"]["animated"] = False
        if "guild_id" in message:
            data["guild_id"] = message["guild_id"]
            if added:  # the member who reacted, in a guild, only when added
                data["member"] = self.state.member(user, int(message["guild_id"]), admin=admin)
        if added:
            data["message_author_id"] = message["author"]["id"]
            data["burst_colors"] = ["#5865f2"] if burst else []
        return data

    async def toggle_reaction(
        self,
        message: Json,
        user: Json,
        emoji: str,
        custom_id: int | None,
        *,
        added: bool,
        admin: bool = False,
        burst: bool = False,
    ) -> bool:
        """Add (or take back) a reaction and dispatch it; return whether anything changed."""
        guild_id = int(message["guild_id"])  # reactions in DMs are not modelled
        name = emoji if custom_id is None else str(custom_id)
        key = (int(message["id"]), int(user["id"]), name, burst)
        if (key in self.state.reacted) == added:
            return False
        if added:
            self.state.reacted.add(key)
        else:
            self.state.reacted.discard(key)
        data = self.reaction_payload(
            message, user, emoji, custom_id, added=added, admin=admin, burst=burst
        )
        event = "MESSAGE_REACTION_ADD" if added else "MESSAGE_REACTION_REMOVE"
        await self.gateway.dispatch(event, data, guild_id)
        return True
