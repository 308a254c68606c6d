"""The store calls of the web archive, as narrow Protocols.

Beside `bot.store_ports`, in the same spirit: the archive's link keeper and its
pages name just what they read and write, so each can be tested against an
in-memory fake.
"""

from __future__ import annotations

from typing import Protocol

from bot.model import Group
from bot.records import ArchivedRound, ArchiveLink, MemberAnswer
from bot.store_ports import StandingsStore

__all__ = ["ArchiveLinkStore", "ArchivePageStore"]


class ArchiveLinkStore(Protocol):
    """The store calls that turn a group's archive on and off and find a link's group."""

    async def open_archive(self, group_id: int, token_hash: str, show: bool) -> None:
        """Make `token_hash` the group's one live archive link, revoking any other."""
        ...

    async def close_archive(self, group_id: int) -> bool:
        """Revoke the group's live archive link; tell whether there was one."""
        ...

    async def show_archive_answers(self, group_id: int, show: bool) -> bool:
        """Show or hide members' answers on the group's live archive; False if it has none."""
        ...

    async def archive_of(self, group_id: int) -> ArchiveLink | None:
        """Return the group's live archive link, None while the archive is off."""
        ...

    async def archive_by_hash(self, token_hash: str) -> ArchiveLink | None:
        """Return the live archive link with this token hash, None if none (or revoked)."""
        ...

    async def get_group(self, group_id: int) -> Group | None:
        """Return a group by id."""
        ...


class ArchivePageStore(StandingsStore, Protocol):
    """The store calls the archive's pages read: the standings' (boards, stats), and these."""

    async def archived_rounds(
        self, group_id: int, category: str | None, limit: int, offset: int
    ) -> list[ArchivedRound]:
        """Return a page of a group's revealed rounds, newest first, of one category or all."""
        ...

    async def count_archived_rounds(self, group_id: int, category: str | None) -> int:
        """Return how many revealed rounds a group has, of one category or all."""
        ...

    async def archived_round(self, group_id: int, round_id: int) -> ArchivedRound | None:
        """Return one revealed round of a group; None if it is another group's or not revealed."""
        ...

    async def round_answers(self, round_id: int) -> list[MemberAnswer]:
        """Return a round's answers with their authors, in order of submission."""
        ...

    async def group_member_name(self, group_id: int, member_id: int) -> str | None:
        """Return the name of a member scored in a group; None for anyone else."""
        ...
