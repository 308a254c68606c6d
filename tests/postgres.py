"""The test PostgreSQL server: throwaway schemas and databases; skips when no server answers."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

POSTGRES_URL = os.environ.get("STUDYBOT_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")


async def _connect_or_skip() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(POSTGRES_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_URL}: {exc}")


def schema_url(schema: str) -> str:
    """Return the test server's URL with a schema as the search path."""
    joiner = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{joiner}search_path={schema}"


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """A fresh schema on the test server, dropped afterwards; skip if no server answers."""
    admin = await _connect_or_skip()
    name = f"studybot_test_{uuid.uuid4().hex[:12]}"
    await admin.execute(f"CREATE SCHEMA {name}")
    try:
        yield name
    finally:
        await admin.execute(f"DROP SCHEMA {name} CASCADE")
        await admin.close()


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A fresh database on the test server (its URL), dropped afterwards; skip if no server."""
    admin = await _connect_or_skip()
    name = f"studybot_test_{uuid.uuid4().hex[:12]}"
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
