"""Members whose DMs are closed: the same on SQLite, PostgreSQL and the in-memory twin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store.sql_store import SqlStore
from tests.services.conftest import NOW
from tests.services.memory_store import MemoryStore
from tests.store.conftest import store_on

WEEK = timedelta(days=7)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """The in-memory store, and the SQL store on SQLite and PostgreSQL."""
    if request.param == "memory":
        yield MemoryStore()
        return
    async with store_on(request.param, tmp_path, NOW) as sql:
        yield sql


async def test_a_noted_member_is_closed_until_the_retry_time(store: Any) -> None:
    await store.mark_private_closed("discord", "42", NOW, NOW + WEEK)
    assert await store.closed_private("discord", ["42", "43"], NOW) == {"42"}
    assert await store.closed_private("discord", ["42"], NOW + WEEK - timedelta(0, 1)) == {"42"}
    assert await store.closed_private("discord", ["42"], NOW + WEEK) == frozenset()
    assert await store.closed_private("slack", ["42"], NOW) == frozenset()  # per platform
    assert await store.closed_private("discord", [], NOW) == frozenset()


async def test_noting_a_member_again_takes_the_new_times(store: Any) -> None:
    await store.mark_private_closed("slack", "U1", NOW, NOW + WEEK)
    later = NOW + WEEK + timedelta(hours=1)
    await store.mark_private_closed("slack", "U1", later, later + WEEK)
    assert await store.closed_private("slack", ["U1"], NOW + 2 * WEEK) == {"U1"}
    assert await store.closed_private("slack", ["U1"], later + WEEK) == frozenset()


async def test_many_members_are_asked_about_at_once(store: Any) -> None:
    ids = [f"U{n}" for n in range(1_200)]  # more than one statement's share of parameters
    for user_id in ids[::100]:
        await store.mark_private_closed("slack", user_id, NOW, NOW + WEEK)
    assert await store.closed_private("slack", [*ids, "U0"], NOW) == set(ids[::100])


async def test_the_table_comes_with_migration_15(tmp_path: Path) -> None:
    async with store_on("sqlite", tmp_path, NOW) as sql:
        assert isinstance(sql, SqlStore)
        row = await sql.db.fetchrow("SELECT version FROM schema_migrations WHERE version = 15")
        assert row is not None
        assert await sql.migrate() == []  # applied once
