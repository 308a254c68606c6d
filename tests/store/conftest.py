"""The store tests' shared parts: a store on either database, and five days of history.

The history is two groups driven through the real bot, built once and copied.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.store.database import Database
from bot.store.postgres import open_postgres
from bot.store.sql_store import SqlStore
from bot.store.sqlite import open_sqlite
from tests.conftest import open_console
from tests.postgres import POSTGRES_URL, postgres_schema

START = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
# When the history ends: after the last reveal, before the next day's first post.
END = datetime(2026, 12, 4, 5, 0, tzinfo=UTC)
ZOE = 'Zoë "Z" O\'Neil'


@asynccontextmanager
async def store_on(
    database: str, tmp_path: Path, now: datetime, migrated: bool = True, file: str = "s.sqlite3"
) -> AsyncIterator[SqlStore]:
    """A store on a real SQLite file (`sqlite`) or a throwaway PostgreSQL schema (`postgresql`).

    Its clock stands at `now`; `migrated=False` leaves the database empty, for tests of
    the migrations themselves; `file` names the SQLite file in `tmp_path` (two stores of
    one test need two). PostgreSQL skips, with its reason, where no server answers.
    """
    async with _database(database, tmp_path / file) as db:
        store = SqlStore(db, ManualClock(now))
        if migrated:
            await store.migrate()
        try:
            yield store
        finally:
            await store.close()


@asynccontextmanager
async def _database(database: str, sqlite_file: Path) -> AsyncIterator[Database]:
    if database == "sqlite":
        yield await open_sqlite(sqlite_file)
        return
    async with postgres_schema() as schema:
        yield await open_postgres(POSTGRES_URL, schema=schema)


async def fill_history(path: Path, bank: QuestionBank) -> None:
    """Drive the real bot through five days in two groups (two time zones) into `path`."""
    c = await open_console(path, bank, START)
    await c.run(
        "/studybot setup time=09:00 tz=UTC days=daily reveal=17:00",
        ":channel evening",
        "/studybot setup time=20:00 tz=Asia/Tokyo days=daily reveal=3h",
    )
    for day in ("2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"):
        general = [":channel general", f":at {day}T09:05", ":as Alice"]
        general += ["bias is error from wrong assumptions; variance is sensitivity", ":as Bob"]
        general += ["no idea, sorry"]  # no real attempt: kept, but earns no points
        general += [f":as {ZOE}", "/answer", "overfitting — régularisation, AUC ✓ 0.5"]
        general += [":as Bob", ":edit on second thought: variance, leakage, cosine similarity"]
        general += [":as Dan", ":like Alice", ":as Alice", ":like Bob"]  # helpful votes
        practice = [":as Carol", "/practice", "/hint", "/practice answer sparse weights, L1"]
        evening = [":channel evening", f":at {day}T11:05", ":as Alice"]
        evening += ["*Embeddings* map each word to a dense `code` vector."]
        evening += [":as Dan", "the answer is 42", f":at {day}T17:30", ":channel general"]
        evening += [":as Erin", "a late answer after the reveal"]
        await c.run(*general, *practice, *evening)
    out = await c.run(f":at {END:%Y-%m-%dT%H:%M}", ":as Carol", "/practice", "/practice reveal")
    assert "Practice" in out
    await c.app.stop()


@pytest.fixture(scope="session")
def history_template(tmp_path_factory: pytest.TempPathFactory, fixture_bank: QuestionBank) -> Path:
    """A SQLite file holding the history, built once and copied by each test."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    asyncio.run(fill_history(path, fixture_bank))
    return path


@pytest.fixture
def history(history_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the history for one test."""
    path = tmp_path / "source.sqlite3"
    shutil.copy(history_template, path)
    return path
