"""Application commands on the loopback Discord, kept per scope as Discord keeps them.

An application has one global list and one list per guild it is in; members of
a guild see both (a name in both shows twice). A bulk overwrite (PUT) replaces
a whole list, an empty one removes it; Discord refuses access (403 50001) to a
guild the application is not in, or was invited to without the
`applications.commands` scope, and refuses descriptions it would not show.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from loopback.discord.rules import description_problem

Json = dict[str, Any]
GLOBAL = "global"
MISSING_ACCESS = (403, 50001, "Missing Access")


class CommandStore:
    """The command lists of one application: `lists["global"]` and `lists[guild id]`."""

    def __init__(self, app_id: int, guilds: Collection[int], snowflake: Callable[[], int]) -> None:
        self.app_id = app_id
        self._guilds = guilds  # the guilds the app is in (the fake's live collection)
        self._snowflake = snowflake
        self.lists: dict[str, list[Json]] = {}
        self.no_scope: set[int] = set()  # guilds whose invite lacked applications.commands

    def _refused(self, app_id: int, guild_id: int | None) -> tuple[int, int, str] | None:
        if app_id != self.app_id:
            return MISSING_ACCESS
        if guild_id is not None and (guild_id not in self._guilds or guild_id in self.no_scope):
            return MISSING_ACCESS
        return None

    def get(self, app_id: int, guild_id: int | None) -> tuple[int, Any]:
        """Answer a GET of the global (no `guild_id`) or a guild's commands: (status, body)."""
        refused = self._refused(app_id, guild_id)
        if refused is not None:
            return refused[0], {"code": refused[1], "message": refused[2]}
        return 200, self.lists.get(_key(guild_id), [])

    def put(self, app_id: int, guild_id: int | None, body: list[Json]) -> tuple[int, Any]:
        """Answer a bulk overwrite of the global or a guild's commands: (status, body)."""
        refused = self._refused(app_id, guild_id)
        if refused is not None:
            return refused[0], {"code": refused[1], "message": refused[2]}
        for i, command in enumerate(body):
            problem = description_problem(str(i), command)
            if problem is not None:
                return 400, {"code": 50035, "message": f"Invalid Form Body: {problem}"}
        stored = []
        for command in body:
            item = {
                **command,
                "id": str(self._snowflake()),
                "application_id": str(app_id),
                "version": "1",
            }
            if guild_id is not None:
                item["guild_id"] = str(guild_id)
            stored.append(item)
        self.lists[_key(guild_id)] = stored
        return 200, stored

    def visible(self, guild_id: int) -> list[str]:
        """Return the command names members of a guild see: the global ones, then the guild's."""
        listed = self.lists.get(GLOBAL, []) + self.lists.get(str(guild_id), [])
        return [c["name"] for c in listed]


def _key(guild_id: int | None) -> str:
    return GLOBAL if guild_id is None else str(guild_id)
