"""`studybot db copy | verify | migrate`: whole histories moved between real databases."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleSession
from adapters.console.chat import ConsoleChat
from bot.app import build_app
from bot.cli import main
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.jobs import ManualJobScheduler
from bot.model import ChannelRef, GroupSettings, MemberRef
from bot.store import migrations
from bot.store.sql_store import SqlStore
from bot.store.transfer import CopyMismatch, compare_urls, copy_url
from bot.store.urls import DatabaseToolError, open_database, redact
from tests.conftest import FIXTURE_CONTENT
from tests.postgres import postgres_schema, schema_url
from tests.store.conftest import END, ZOE

LATEST = migrations.MIGRATIONS[-1][0]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def dest_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A new, empty destination: a SQLite file, or a throwaway PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "dest.sqlite3")
        return
    async with postgres_schema() as schema:
        yield schema_url(schema)


@asynccontextmanager
async def pg_url() -> AsyncIterator[str]:
    async with postgres_schema() as schema:
        yield schema_url(schema)


def sqlite_counts(path: Path) -> dict[str, int]:
    """Row counts of every table but the migrations', read with plain sqlite3."""
    with sqlite3.connect(path) as conn:
        names = [
            n
            for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if n != "schema_migrations"
        ]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


VIEW = [f"/leaderboard {period}" for period in ("week", "month", "all")] + ["/stats"]
VIEW += ["/leaderboard week chart"]


def _pictures_by_content(text: str) -> str:
    """Return console output with each picture's file named by its bytes' digest."""
    return re.sub(
        r"\[picture: (.+)\]",
        lambda m: f"[picture {hashlib.sha256(Path(m[1]).read_bytes()).hexdigest()[:16]}]",
        text,
    )


async def bot_view(url: str, bank: QuestionBank) -> str:
    """What members see of leaderboards and stats (charts too), through the real bot on `url`."""
    config = Config(database_url=url, content_dir=FIXTURE_CONTENT)
    clock = ManualClock(END)
    out = io.StringIO()
    charts = tempfile.TemporaryDirectory()
    chat = ConsoleChat(out, chart_dir=Path(charts.name))
    app = await build_app(config, chat, clock, bank=bank)
    await app.start()
    assert isinstance(app.scheduler, ManualJobScheduler)
    session = ConsoleSession(app.core, chat, clock, app.scheduler, member="Alice")
    for channel in ("general", "evening"):
        for member in ("Alice", "Bob", ZOE, "Carol", "Dan", "Erin"):
            for line in [f":channel {channel}", f":as {member}", *VIEW]:
                assert await session.handle_line(line)
    await app.stop()
    with charts:
        return _pictures_by_content(out.getvalue())


async def store_view(url: str) -> list[object]:
    """Everything the store reads back, group by group, member by member."""
    db = await open_database(url, create=False)
    store = SqlStore(db, ManualClock(END))
    seen: list[object] = []
    try:
        groups = await store.list_groups()
        members = [int(r["id"]) for r in await db.fetch("SELECT id FROM members ORDER BY id")]
        periods = [
            (int(r["group_id"]), str(r["period"]))
            for r in await db.fetch(
                "SELECT DISTINCT group_id, period FROM score_totals ORDER BY group_id, period"
            )
        ]
        rounds = [int(r["id"]) for r in await db.fetch("SELECT id FROM rounds ORDER BY id")]
        seen.append(groups)
        for group_id, period in periods:
            seen.append(await store.top_scores(group_id, period, 50))
            seen.extend([await store.standing_of(group_id, period, m) for m in members])
        for group in groups:
            seen.append(await store.member_stats(group.id, members))
            seen.extend([await store.member_history(group.id, m) for m in members])
        for round_id in rounds:
            seen.append(await store.get_round(round_id))
            seen.append(await store.round_answers(round_id))
        for m in members:
            seen.append(await store.practice_summary(m, END, END + timedelta(days=7)))
            seen.append(await store.reviews(m))
            seen.append(await store.latest_practice(m))
    finally:
        await store.close()
    assert len(periods) >= 6 and len(rounds) == 10  # two groups, five days, three periods
    return seen


async def test_sqlite_to_postgres_copies_every_table_and_the_bot_reads_the_same(
    history: Path, fixture_bank: QuestionBank
) -> None:
    counts = sqlite_counts(history)
    assert counts["answers"] >= 30 and counts["practice_reviews"] >= 1 and counts["votes"] >= 10
    before = await bot_view(sqlite_url(history), fixture_bank)
    async with pg_url() as url:
        copied: list[tuple[str, int]] = []
        report = await copy_url(sqlite_url(history), url, 7, lambda t, n: copied.append((t, n)))
        assert report.ok and report.schema_version == LATEST
        assert {t.name: t.copy.rows for t in report.tables} == counts
        assert copied == [(t.name, t.copy.rows) for t in report.tables]
        order = [t.name for t in report.tables]
        assert order.index("groups") < order.index("rounds") < order.index("answers")
        assert order.index("members") < order.index("answers") < order.index("votes")

        assert await store_view(url) == await store_view(sqlite_url(history))
        after = await bot_view(url, fixture_bank)
        assert after == before
        assert "1. Alice" in after and ZOE in after and "[picture " in after

        # New rows get fresh ids: the identity sequences moved past the copied ones.
        db = await open_database(url, create=False)
        store = SqlStore(db, ManualClock(END))
        group = await store.create_group(ChannelRef("console", "local", "new"), GroupSettings())
        member = await store.member_id(MemberRef("console", "newcomer", "Newcomer"))
        await store.close()
        # (Without the reset both inserts would collide with copied ids and fail.)
        assert group is not None and group.id > counts["groups"]
        assert member > counts["members"]


async def test_postgres_to_sqlite_and_back_round_trips(history: Path, tmp_path: Path) -> None:
    back = tmp_path / "back.sqlite3"
    async with pg_url() as url:
        there = await copy_url(sqlite_url(history), url, 5)
        again = await copy_url(url, sqlite_url(back), 3)
    assert there.ok and again.ok
    assert [(t.name, t.copy) for t in there.tables] == [(t.name, t.copy) for t in again.tables]
    assert (await compare_urls(sqlite_url(history), sqlite_url(back))).ok
    with sqlite3.connect(history) as a, sqlite3.connect(back) as b:
        for table in sqlite_counts(history):
            width = len(a.execute(f'PRAGMA table_info("{table}")').fetchall())
            order = ", ".join(str(n) for n in range(1, width + 1))
            query = f'SELECT * FROM "{table}" ORDER BY {order}'
            assert a.execute(query).fetchall() == b.execute(query).fetchall(), table


def test_cli_copies_and_verifies_sqlite_to_sqlite(
    history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "copy" / "dest.sqlite3"
    assert main(["db", "copy", sqlite_url(history), sqlite_url(dest), "--batch-size", "4"]) == 0
    out, err = capsys.readouterr()
    tables = sqlite_counts(history)
    for table, rows in tables.items():
        assert f"copied {table}: {rows} rows" in err
        line = next(x for x in out.splitlines() if x.startswith(table + " "))
        assert line.split()[1:3] == [str(rows), str(rows)] and line.endswith("ok")
    assert f"OK: {len(tables)} tables copied and verified" in out
    assert sqlite_counts(dest) == tables

    assert main(["db", "verify", sqlite_url(history), sqlite_url(dest)]) == 0
    assert f"OK: {len(tables)} tables hold the same rows" in capsys.readouterr().out


async def corrupt(url: str, sql: str) -> None:
    db = await open_database(url, create=False)
    try:
        assert await db.execute(sql) == 1
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("answers", "UPDATE answers SET text = text || '.' WHERE id = 3"),
        (
            "answers",
            "UPDATE answers SET coverage = coverage + 1e-12 WHERE coverage > 0"
            " AND id = (SELECT MIN(id) FROM answers WHERE coverage > 0)",
        ),
        ("members", "UPDATE members SET display_name = 'Zoe' WHERE display_name LIKE 'Zo%'"),
        (
            "score_totals",
            "DELETE FROM score_totals WHERE member_id = 1 AND period = 'all' AND group_id = 2",
        ),
    ],
)
async def test_a_corrupted_destination_row_is_caught(
    history: Path, dest_url: str, table: str, change: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = sqlite_url(history)
    assert (await copy_url(source, dest_url)).ok
    await corrupt(dest_url, change)
    report = await compare_urls(source, dest_url)
    assert [t.name for t in report.tables if not t.ok] == [table]
    assert await asyncio.to_thread(main, ["db", "verify", source, dest_url]) == 1
    out = capsys.readouterr().out
    assert next(x for x in out.splitlines() if x.startswith(table + " ")).endswith("MISMATCH")


SQLITE_MANGLER = """CREATE TRIGGER mangle AFTER INSERT ON members
    WHEN NEW.display_name = 'Carol'
    BEGIN UPDATE members SET display_name = 'carol' WHERE id = NEW.id; END"""
POSTGRES_MANGLER = (
    """CREATE FUNCTION mangle() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.display_name = 'Carol' THEN NEW.display_name := 'carol'; END IF;
    RETURN NEW; END $$""",
    "CREATE TRIGGER mangle BEFORE INSERT ON members FOR EACH ROW EXECUTE FUNCTION mangle()",
)


async def test_a_destination_that_changes_rows_gets_nothing(
    history: Path, dest_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, ["db", "migrate", "--database", dest_url]) == 0
    db = await open_database(dest_url, create=False)
    for statement in (SQLITE_MANGLER,) if db.dialect == "sqlite" else POSTGRES_MANGLER:
        await db.execute(statement)
    await db.close()
    with pytest.raises(CopyMismatch) as caught:
        await copy_url(sqlite_url(history), dest_url)
    assert [t.name for t in caught.value.report.tables if not t.ok] == ["members"]
    assert "nothing was written" in str(caught.value)

    capsys.readouterr()
    code = await asyncio.to_thread(main, ["db", "copy", sqlite_url(history), dest_url])
    out, err = capsys.readouterr()
    assert code == 1 and "MISMATCH" in out and "does not match the source in: members" in err
    db = await open_database(dest_url, create=False)
    for table in sqlite_counts(history):
        row = await db.fetchrow(f'SELECT COUNT(*) AS n FROM "{table}"')
        assert row is not None and row["n"] == 0, table
    await db.close()


async def test_a_destination_with_data_is_refused_and_left_alone(
    history: Path, dest_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = sqlite_url(history)
    first = await copy_url(source, dest_url)
    code = await asyncio.to_thread(main, ["db", "copy", source, dest_url])
    assert code == 1
    err = capsys.readouterr().err
    assert "already holds studybot data" in err and "answers (" in err
    after = await compare_urls(source, dest_url)
    assert after.ok and [t.copy for t in after.tables] == [t.copy for t in first.tables]


def future_migration(monkeypatch: pytest.MonkeyPatch) -> None:
    """Add a migration this code has never seen: a new table (FK to rounds) and a column."""
    new = (
        LATEST + 1,
        "a future table and column",
        (
            """CREATE TABLE aa_round_notes (
                round_id {bigint} NOT NULL REFERENCES rounds (id),
                author TEXT NOT NULL,
                weight {float},
                PRIMARY KEY (round_id, author)
            )""",
            "ALTER TABLE members ADD COLUMN pronouns TEXT",
        ),
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, new))


async def test_a_future_table_and_column_are_copied_without_code_changes(
    history: Path, dest_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    future_migration(monkeypatch)
    assert await asyncio.to_thread(main, ["db", "migrate", "--database", sqlite_url(history)]) == 0
    with sqlite3.connect(history) as conn:
        conn.execute("UPDATE members SET pronouns = 'she/her' WHERE display_name = 'Alice'")
        conn.executemany(
            "INSERT INTO aa_round_notes VALUES (?, ?, ?)",
            [(r, a, w) for r in (1, 2, 3) for a, w in (("Bob", 0.1), ("Zoë", None))],
        )
    report = await copy_url(sqlite_url(history), dest_url, 4)
    assert report.ok and report.schema_version == LATEST + 1
    names = [t.name for t in report.tables]
    assert names.index("rounds") < names.index("aa_round_notes")
    db = await open_database(dest_url, create=False)
    notes = await db.fetch("SELECT round_id, author, weight FROM aa_round_notes ORDER BY 1, 2")
    alice = await db.fetchrow("SELECT pronouns FROM members WHERE display_name = 'Alice'")
    await db.close()
    assert [tuple(n) for n in notes] == [
        (r, a, w) for r in (1, 2, 3) for a, w in (("Bob", 0.1), ("Zoë", None))
    ]
    assert alice is not None and alice["pronouns"] == "she/her"


async def test_an_old_or_foreign_source_is_refused(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    future_migration(monkeypatch)
    with pytest.raises(DatabaseToolError, match="migrate the source first"):
        await copy_url(sqlite_url(history), sqlite_url(tmp_path / "a.sqlite3"))
    plain = tmp_path / "plain.sqlite3"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    with pytest.raises(DatabaseToolError, match="not a studybot database"):
        await copy_url(sqlite_url(plain), sqlite_url(tmp_path / "b.sqlite3"))


async def test_text_keys_are_ordered_alike_whatever_the_destination_collation(
    history: Path,
) -> None:
    # Ordered by code point: 'A' < 'Z' < '_z' < 'a-b' < 'aB' < 'ab'; en-US orders them otherwise.
    ids = ["ab", "_z", "Z", "aB", "a-b", "A", "é", "e"]
    with sqlite3.connect(history) as conn:
        conn.executemany(
            "INSERT INTO practice_reviews VALUES (1, ?, 0, 1, 0.25, 2, NULL, 1.0, 5.0, 0)",
            [(q,) for q in ids],
        )
    async with pg_url() as url:
        assert await asyncio.to_thread(main, ["db", "migrate", "--database", url]) == 0
        db = await open_database(url, create=False)
        await db.execute(
            'ALTER TABLE practice_reviews ALTER COLUMN question_id TYPE TEXT COLLATE "en-US-x-icu"'
        )
        await db.close()
        report = await copy_url(sqlite_url(history), url, 2)
        assert report.ok
        assert (await compare_urls(sqlite_url(history), url, 3)).ok


@pytest.fixture
def no_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in an empty folder (no .env), with no database URL in the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STUDYBOT_DATABASE_URL", raising=False)
    yield tmp_path


def test_migrate_brings_a_new_database_up_and_is_idempotent(
    no_env_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    all_versions = ", ".join(str(v) for v, _, _ in migrations.MIGRATIONS)
    assert main(["db", "migrate"]) == 0  # the default: a SQLite file under ./studybot-data
    assert f"schema version 0 -> {LATEST} (applied {all_versions})" in capsys.readouterr().out
    assert (no_env_file / "studybot-data" / "studybot.sqlite3").is_file()

    monkeypatch.setenv("STUDYBOT_DATABASE_URL", sqlite_url(no_env_file / "env.sqlite3"))
    assert main(["db", "migrate"]) == 0
    assert main(["db", "migrate"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(f"schema version 0 -> {LATEST} (applied {all_versions})")
    assert out[1].endswith(f"schema version {LATEST} -> {LATEST} (already up to date)")
    assert "env.sqlite3" in out[1]


async def test_migrate_on_postgres(capsys: pytest.CaptureFixture[str]) -> None:
    async with pg_url() as url:
        for _ in range(2):
            assert await asyncio.to_thread(main, ["db", "migrate", "--database", url]) == 0
    out = capsys.readouterr().out.splitlines()
    applied = ", ".join(str(v) for v, _, _ in migrations.MIGRATIONS)
    assert out[0].endswith(f"0 -> {LATEST} (applied {applied})")
    assert out[1].endswith("(already up to date)")


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["db", "copy", "mysql://h/db", "sqlite:///x.sqlite3"], 2, "scheme 'mysql'"),
        (["db", "copy", "sqlite:///missing.sqlite3", "sqlite:///x.sqlite3"], 2, "no SQLite"),
        (["db", "copy", "sqlite:///a.sqlite3", "sqlite:///./a.sqlite3"], 2, "the same database"),
        (["db", "copy", "sqlite:///:memory:", "sqlite:///x.sqlite3"], 2, "in-memory"),
        (["db", "migrate", "--database", "studybot.sqlite3"], 2, "cannot use the database URL"),
        (["db", "migrate", "--database", "sqlite:///."], 2, "is a folder"),
        (
            ["db", "migrate", "--database", "postgresql://bob:s3cret@127.0.0.1:1/db"],
            1,
            "cannot connect to PostgreSQL at postgresql://bob:***@127.0.0.1:1/db",
        ),
        (["db", "migrate", "--database", "postgresql://h:port/db"], 2, "cannot read the"),
        (["db", "verify", "sqlite:///a.sqlite3", "sqlite:///b.sqlite3"], 2, "no SQLite"),
        (
            ["db", "verify", "sqlite:///notes.txt", "sqlite:///a.sqlite3"],
            2,
            "not a SQLite database",
        ),
        (
            ["db", "copy", "sqlite:///a.sqlite3", "sqlite:///b.sqlite3", "--batch-size", "0"],
            2,
            "batch size",
        ),
    ],
)
def test_bad_urls_and_missing_files_get_friendly_errors(
    no_env_file: Path,
    argv: list[str],
    status: int,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sqlite3.connect(no_env_file / "a.sqlite3").close()  # an empty SQLite file
    (no_env_file / "notes.txt").write_text("not a database, just notes\n" * 100)
    assert main(argv) == status
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "s3cret" not in err


def test_a_bad_setting_is_a_usage_error(
    no_env_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STUDYBOT_GRACE_MINUTES", "soon")
    assert main(["db", "migrate"]) == 2
    assert "STUDYBOT_GRACE_MINUTES" in capsys.readouterr().err


def test_redact_hides_only_the_password() -> None:
    assert redact("postgresql://u:pw@h:5432/db?x=1") == "postgresql://u:***@h:5432/db?x=1"
    assert redact("postgresql://u@h/db") == "postgresql://u@h/db"
    assert redact("sqlite:///a/b.sqlite3") == "sqlite:///a/b.sqlite3"


SQLITE_REFUSER = """CREATE TRIGGER refuse BEFORE INSERT ON answers
    WHEN length(NEW.text) > 30 BEGIN SELECT RAISE(ABORT, 'answer too long'); END"""
POSTGRES_REFUSER = "ALTER TABLE answers ADD CONSTRAINT short CHECK (length(text) <= 30)"


async def test_a_row_the_destination_refuses_leaves_it_empty(history: Path, dest_url: str) -> None:
    assert await asyncio.to_thread(main, ["db", "migrate", "--database", dest_url]) == 0
    db = await open_database(dest_url, create=False)
    await db.execute(SQLITE_REFUSER if db.dialect == "sqlite" else POSTGRES_REFUSER)
    await db.close()
    with pytest.raises(DatabaseToolError, match="refused a row of answers") as caught:
        await copy_url(sqlite_url(history), dest_url, 5)
    assert caught.value.status == 1 and "nothing was written" in str(caught.value)
    db = await open_database(dest_url, create=False)
    for table in ("groups", "members", "rounds", "answers"):
        row = await db.fetchrow(f"SELECT COUNT(*) AS n FROM {table}")
        assert row is not None and row["n"] == 0, table
    await db.close()
