"""Who may read a group's web archive: the link an admin turns on, and the token it carries.

`/studybot settings web=on` gives the admin a link with an unguessable token
(`secrets.token_urlsafe(32)`); the store keeps only the token's SHA-256, looked
up by hash and compared in constant time. `web=off` revokes the link: its token
then opens nothing, as an unknown one. `web=answers` also shows members'
on-time answers on round pages.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from bot.model import Group
from bot.store_archive_ports import ArchiveLinkStore

__all__ = [
    "ARCHIVE_PATH",
    "ArchiveAccess",
    "ArchiveChange",
    "describe_archive",
    "hash_token",
]

ARCHIVE_PATH = "/archive/"
_TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    """Return the SHA-256 (hex) of a token: what the store keeps and looks links up by."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def describe_archive(on: bool, show_answers: bool) -> str:
    """Return the archive's state as the settings show it, never the link."""
    if not on:
        return "off"
    return "on (answers shown)" if show_answers else "on (answers hidden)"


@dataclass(frozen=True, slots=True)
class ArchiveChange:
    """What `web=` did: the archive's state after it, and the new link's token if one was made."""

    on: bool
    show_answers: bool
    token: str | None = None


class ArchiveAccess:
    """Turns a group's archive on and off, and finds the group a link's token opens."""

    def __init__(self, store: ArchiveLinkStore) -> None:
        self._store = store

    async def state(self, group_id: int) -> tuple[bool, bool]:
        """Return whether a group's archive is on, and whether it shows members' answers."""
        link = await self._store.archive_of(group_id)
        return (link is not None, link is not None and link.show_answers)

    async def change(self, group_id: int, choice: str) -> ArchiveChange:
        """Apply `web=on|off|answers` to a group's archive.

        `on` and `answers` make a new link only when the archive was off; when it
        is on they show or hide answers and keep the link the admin already has.
        """
        if choice == "off":
            await self._store.close_archive(group_id)
            return ArchiveChange(on=False, show_answers=False)
        show = choice == "answers"
        if await self._store.show_archive_answers(group_id, show):
            return ArchiveChange(on=True, show_answers=show)
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        await self._store.open_archive(group_id, hash_token(token), show)
        return ArchiveChange(on=True, show_answers=show, token=token)

    async def open(self, token: str) -> tuple[Group, bool] | None:
        """Return the group a live link's token opens and whether answers show; else None."""
        if not token or len(token) > 100:
            return None
        wanted = hash_token(token)
        link = await self._store.archive_by_hash(wanted)
        if link is None or not hmac.compare_digest(link.token_hash, wanted):
            return None
        group = await self._store.get_group(link.group_id)
        return None if group is None else (group, link.show_answers)
