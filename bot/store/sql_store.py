"""The store, written once in SQL that SQLite and PostgreSQL both run.

`SqlStore` combines one class per area, each in its own module over the shared
`StoreBase` (the database, the clock, the owner of leases and the caches):

- `GroupRecords` (bot.store.group_records): groups, their settings, members;
- `RoundRecords` (bot.store.round_records): claims, posts, leases, reveals' status,
  look-ups;
- `AnswerRecords` (bot.store.answer_records): answers, by group commit, and votes;
- `ScoreRecords` (bot.store.score_records): a reveal's results, leaderboards,
  members' stats and history;
- `PracticeRecords` (bot.store.practice_records): practice attempts and reviews;
- `DeliveryRecords` (bot.store.delivery_records): the platform deliveries seen;
- `AppealRecords` (bot.store.appeal_records): appeals, and regrades with what follows;
- `QuestionRecords` (bot.store.question_records): rounds' figures, problem reports.
- `RecapRecords` (bot.store.recap_records): weekly recaps' claims and their figures.
- `PrivateRecords` (bot.store.private_records): members whose direct messages are closed.
- `StreakRecords` (bot.store.streak_records): members' away days, streaks a reveal may bridge.
- `ChartRecords` (bot.store.chart_records): what the charts of /stats and /leaderboard read.
- `ReminderRecords` (bot.store.reminder_records): reminders before the reveal, claimed once.
- `ReviewNoteRecords` (bot.store.review_note_records): daily review notes, claimed once a day.
- `ArchiveRecords` (bot.store.archive_records): web archive links (hashes) and its pages' reads.

Row converters and shared SQL fragments are in `bot.store.rows`.
"""

from __future__ import annotations

from bot.store.answer_records import AnswerRecords
from bot.store.appeal_records import AppealRecords
from bot.store.archive_records import ArchiveRecords
from bot.store.category_backfill import CategoryOf
from bot.store.chart_records import ChartRecords
from bot.store.delivery_records import DeliveryRecords
from bot.store.group_records import GroupRecords
from bot.store.migrations import migrate
from bot.store.practice_records import PracticeRecords
from bot.store.private_records import PrivateRecords
from bot.store.question_records import QuestionRecords
from bot.store.recap_records import RecapRecords
from bot.store.reminder_records import ReminderRecords
from bot.store.review_note_records import ReviewNoteRecords
from bot.store.round_records import RoundRecords
from bot.store.rows import ROUND_COLUMNS
from bot.store.score_records import ScoreRecords
from bot.store.streak_records import StreakRecords

__all__ = ["ROUND_COLUMNS", "SqlStore"]


class SqlStore(
    GroupRecords,
    RoundRecords,
    AnswerRecords,
    ScoreRecords,
    PracticeRecords,
    DeliveryRecords,
    AppealRecords,
    QuestionRecords,
    RecapRecords,
    PrivateRecords,
    StreakRecords,
    ChartRecords,
    ReminderRecords,
    ReviewNoteRecords,
    ArchiveRecords,
):
    """Groups, rounds, answers, scores and practice, in a SQL database.

    Built as `SqlStore(db, clock, group_cache_seconds=5.0, owner="local")`;
    implements every Protocol of `bot.store_ports`.
    """

    async def migrate(self, category_of: CategoryOf | None = None) -> list[int]:
        """Bring the schema up to date; return the migrations applied.

        `category_of` (the bank's: a question id's category) gives rounds revealed
        before leaderboards per category theirs (migration 18).
        """
        return await migrate(self.db, self._clock, category_of)

    async def close(self) -> None:
        """Finish pending writes and close the database."""
        await self._answers.drain()
        await self.db.close()
