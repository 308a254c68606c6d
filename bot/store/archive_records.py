"""The store's web archive: each group's link (only its token's hash) and what its pages read.

A group's archive is on while it has a row in `web_archives` not revoked. The
row holds the SHA-256 of the link's token, never the token; turning the archive
off revokes the row, and a later `web=on` adds a new row with a new token. The
pages read only revealed rounds, and only those of the link's group.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import from_micros, to_micros
from bot.records import ArchivedRound, ArchiveLink
from bot.store.base import StoreBase
from bot.store.database import Row

__all__ = ["ARCHIVE_TABLES", "ARCHIVE_VERSION", "ArchiveRecords"]

# The schema version that brought the web archive, and its statements (never change them:
# add a migration instead).
ARCHIVE_VERSION = 20
ARCHIVE_TABLES = (
    # A group's archive link: the SHA-256 (hex) of its token; live while revoked_at is NULL.
    """CREATE TABLE web_archives (
        id {pk},
        group_id {bigint} NOT NULL REFERENCES groups (id),
        token_hash TEXT NOT NULL UNIQUE,
        created_at {bigint} NOT NULL,
        revoked_at {bigint},
        show_answers INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX web_archives_by_group ON web_archives (group_id, revoked_at)",
)

_LIVE = "revoked_at IS NULL"
# A revealed round of the group, with how many members answered it on time.
_ANSWERED = (
    "(SELECT COUNT(*) FROM answers a WHERE a.round_id = {}.id AND a.late = 0"
    " AND a.points IS NOT NULL)"
)
_ROUND_LIST = (
    "SELECT r.id, r.local_date, r.question_id, r.category, "
    + _ANSWERED.format("r")
    + " AS answered FROM rounds r WHERE r.group_id = :group_id AND r.status = 'revealed'"
)


class ArchiveRecords(StoreBase):
    """Web archive links (hashes only) and the revealed rounds their pages list."""

    async def open_archive(self, group_id: int, token_hash: str, show: bool) -> None:
        """Make `token_hash` the group's one live archive link, revoking any other."""
        now = to_micros(self._clock.now())
        show_answers = int(show)
        async with self.db.transaction() as tx:
            await tx.execute(
                f"UPDATE web_archives SET revoked_at = :now WHERE group_id = :group_id AND {_LIVE}",
                {"now": now, "group_id": group_id},
            )
            await tx.execute(
                "INSERT INTO web_archives (group_id, token_hash, created_at, show_answers)"
                " VALUES (:group_id, :hash, :now, :answers)",
                {"group_id": group_id, "hash": token_hash, "now": now, "answers": show_answers},
            )

    async def close_archive(self, group_id: int) -> bool:
        """Revoke the group's live archive link; tell whether there was one."""
        done = await self.db.execute(
            f"UPDATE web_archives SET revoked_at = :now WHERE group_id = :group_id AND {_LIVE}",
            {"now": to_micros(self._clock.now()), "group_id": group_id},
        )
        return done > 0

    async def show_archive_answers(self, group_id: int, show: bool) -> bool:
        """Show or hide members' answers on the group's live archive; False if it has none."""
        done = await self.db.execute(
            f"UPDATE web_archives SET show_answers = :show WHERE group_id = :group_id AND {_LIVE}",
            {"show": int(show), "group_id": group_id},
        )
        return done > 0

    async def archive_of(self, group_id: int) -> ArchiveLink | None:
        """Return the group's live archive link (its hash), None while the archive is off."""
        row = await self.db.fetchrow(
            "SELECT group_id, token_hash, created_at, show_answers FROM web_archives"
            f" WHERE group_id = :group_id AND {_LIVE}",
            {"group_id": group_id},
        )
        return None if row is None else _link(row)

    async def archive_by_hash(self, token_hash: str) -> ArchiveLink | None:
        """Return the live archive link with this token hash, None if none (or revoked)."""
        row = await self.db.fetchrow(
            "SELECT group_id, token_hash, created_at, show_answers FROM web_archives"
            f" WHERE token_hash = :hash AND {_LIVE}",
            {"hash": token_hash},
        )
        return None if row is None else _link(row)

    async def archived_rounds(
        self, group_id: int, category: str | None, limit: int, offset: int
    ) -> list[ArchivedRound]:
        """Return a page of a group's revealed rounds, newest first, of one category or all."""
        params: dict[str, object] = {"group_id": group_id, "limit": limit, "offset": offset}
        within = ""
        if category is not None:
            within, params["category"] = " AND r.category = :category", category
        # The page is cut first, so only its rounds' answers are counted (not the skipped ones').
        rows = await self.db.fetch(
            f"SELECT p.id, p.local_date, p.question_id, p.category, {_ANSWERED.format('p')}"
            " AS answered"
            " FROM (SELECT r.id, r.local_date, r.question_id, r.category FROM rounds r"
            f" WHERE r.group_id = :group_id AND r.status = 'revealed'{within}"
            " ORDER BY r.local_date DESC LIMIT :limit OFFSET :offset) p"
            " ORDER BY p.local_date DESC",
            params,
        )
        return [
            ArchivedRound(
                r["id"],
                date.fromisoformat(r["local_date"]),
                r["question_id"],
                r["category"],
                int(r["answered"]),
            )
            for r in rows
        ]

    async def count_archived_rounds(self, group_id: int, category: str | None) -> int:
        """Return how many revealed rounds a group has, of one category or all."""
        params: dict[str, object] = {"group_id": group_id}
        within = ""
        if category is not None:
            within, params["category"] = " AND category = :category", category
        row = await self.db.fetchrow(
            "SELECT COUNT(*) AS n FROM rounds WHERE group_id = :group_id"
            f" AND status = 'revealed'{within}",
            params,
        )
        return int(row["n"]) if row is not None else 0

    async def archived_round(self, group_id: int, round_id: int) -> ArchivedRound | None:
        """Return one revealed round of a group; None if it is another group's or not revealed."""
        row = await self.db.fetchrow(
            f"{_ROUND_LIST} AND r.id = :round_id", {"group_id": group_id, "round_id": round_id}
        )
        if row is None:
            return None
        return ArchivedRound(
            row["id"],
            date.fromisoformat(row["local_date"]),
            row["question_id"],
            row["category"],
            int(row["answered"]),
        )

    async def group_member_name(self, group_id: int, member_id: int) -> str | None:
        """Return the name of a member scored in a group; None for anyone else."""
        row = await self.db.fetchrow(
            "SELECT m.display_name FROM member_stats s JOIN members m ON m.id = s.member_id"
            " WHERE s.group_id = :group_id AND s.member_id = :member_id",
            {"group_id": group_id, "member_id": member_id},
        )
        return None if row is None else str(row["display_name"])


def _link(row: Row) -> ArchiveLink:
    created: datetime = from_micros(row["created_at"])
    return ArchiveLink(row["group_id"], row["token_hash"], created, bool(row["show_answers"]))
