"""`studybot db backup`: online SQLite backups, taken while the bot writes."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import ManualClock
from bot.commands import UsageError
from bot.model import AnswerSource, MemberRef
from bot.records import AnswerWrite
from bot.store.backup import backup_sqlite
from bot.store.sql_store import SqlStore
from bot.store.sqlite import open_sqlite
from bot.store.transfer import compare_urls
from bot.store.urls import DatabaseToolError
from tests.store.conftest import END
from tests.store.test_transfer import LATEST, sqlite_counts, sqlite_url

WRITES_BEFORE_BACKUP = 20


@pytest.fixture
def source(history: Path) -> Path:
    """The database backed up: a copy of the shared history (tests/store/conftest.py)."""
    return history


def backup_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_backup_of_a_running_bot_has_every_committed_row_and_no_half_done_one(
    source: Path, tmp_path: Path
) -> None:
    store = SqlStore(await open_sqlite(source), ManualClock(END))  # the bot, still running
    newcomers = [await store.member_id(MemberRef("console", f"n{i}", f"New {i}")) for i in range(5)]
    for member in newcomers:
        saved = await store.save_answer(
            AnswerWrite(1, member, "late words", AnswerSource.THREAD, END)
        )
        assert saved is not None
    wal = await asyncio.to_thread(Path(f"{source}-wal").stat)
    assert wal.st_size > 0  # committed rows still in the WAL

    other = sqlite3.connect(source, isolation_level=None)  # a writer mid-transaction
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "INSERT INTO members (platform, user_id, display_name) VALUES ('x', 'y', 'Ghost')"
    )
    try:
        out = tmp_path / "backups"
        out.mkdir()
        report = await backup_sqlite(sqlite_url(source), out / "b.sqlite3")
    finally:
        other.execute("ROLLBACK")
        other.close()

    committed = sqlite_counts(source)
    assert dict(report.tables)["members"] == committed["members"]
    assert {k: v for k, v in report.tables if k != "schema_migrations"} == committed
    with sqlite3.connect(out / "b.sqlite3") as conn:
        names = {n for (n,) in conn.execute("SELECT display_name FROM members")}
        assert {f"New {i}" for i in range(5)} <= names and "Ghost" not in names
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert backup_files(out) == ["b.sqlite3"]  # one self-contained file, no leftovers
    assert report.size == (out / "b.sqlite3").stat().st_size
    assert (await compare_urls(sqlite_url(source), sqlite_url(out / "b.sqlite3"))).ok

    # The bot never noticed: it keeps writing after the backup.
    later = await store.member_id(MemberRef("console", "after", "After"))
    await store.close()
    assert later > newcomers[-1]


def writer(path: Path, started: threading.Event, stop: threading.Event, done: list[int]) -> None:
    """Commit, until told to stop, transactions that each add a member and their answer."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            member = conn.execute(
                "INSERT INTO members (platform, user_id, display_name) VALUES ('w', ?, 'W')",
                (f"w{len(done)}",),
            ).lastrowid
            conn.execute(
                "INSERT INTO answers (round_id, member_id, text, source, submitted_at, late)"
                " VALUES (1, ?, 'streamed', 'thread', 0, 1)",
                (member,),
            )
            conn.execute("COMMIT")
            done.append(1)
            if len(done) == WRITES_BEFORE_BACKUP:
                started.set()
    finally:
        conn.close()


async def test_backups_taken_while_a_writer_commits_are_consistent(
    source: Path, tmp_path: Path
) -> None:
    base = sqlite_counts(source)
    gap = base["members"] - base["answers"]  # every writer transaction keeps this gap
    started, stop, done = threading.Event(), threading.Event(), []
    thread = threading.Thread(target=writer, args=(source, started, stop, done))
    thread.start()
    try:
        assert await asyncio.to_thread(started.wait, 30)
        reports = [
            await backup_sqlite(sqlite_url(source), tmp_path / f"b{i}.sqlite3") for i in range(4)
        ]
        writes_during = len(done)
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 30)
    assert writes_during >= WRITES_BEFORE_BACKUP and len(done) >= writes_during
    seen = []
    for i, report in enumerate(reports):
        counts = dict(report.tables)
        assert counts["members"] - counts["answers"] == gap
        assert counts["members"] > base["members"]
        with sqlite3.connect(tmp_path / f"b{i}.sqlite3") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            assert conn.execute("SELECT COUNT(*) FROM members").fetchone()[0] == counts["members"]
        seen.append(counts["members"])
    assert seen == sorted(seen)  # later backups never lose what earlier ones had


def test_cli_backup_prints_what_it_wrote(
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUDYBOT_DATABASE_URL", sqlite_url(source))
    assert main(["db", "backup", "nightly.sqlite3"]) == 0
    out = capsys.readouterr().out
    assert f"Backed up {source} to nightly.sqlite3" in out and f"schema version {LATEST}" in out
    assert "Integrity check: ok" in out
    for table, rows in sqlite_counts(source).items():
        assert any(line.split() == [table, str(rows)] for line in out.splitlines()), table

    assert main(["db", "backup", "nightly.sqlite3"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["db", "backup", "again.sqlite3", "--database", sqlite_url(source)]) == 0


@pytest.mark.parametrize(
    ("database", "dest", "message"),
    [
        ("postgresql://u:pw@127.0.0.1/db", "b.sqlite3", "use pg_dump"),
        ("sqlite:///missing.sqlite3", "b.sqlite3", "no SQLite database at missing.sqlite3"),
        ("sqlite:///:memory:", "b.sqlite3", "in-memory"),
        ("mysql://h/db", "b.sqlite3", "not a sqlite:/// URL"),
        ("sqlite:///plain.sqlite3", "b.sqlite3", "not a studybot database"),
        ("sqlite:///plain.sqlite3", "no/such/folder/b.sqlite3", "does not exist"),
    ],
)
def test_backup_refuses_clearly(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database: str,
    dest: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    with sqlite3.connect(tmp_path / "plain.sqlite3") as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    assert main(["db", "backup", dest, "--database", database]) == 2
    err = capsys.readouterr().err
    assert message in err and "pw@" not in err and "Traceback" not in err
    assert backup_files(tmp_path) == ["plain.sqlite3"]


async def test_a_damaged_source_gives_no_backup(source: Path, tmp_path: Path) -> None:
    with sqlite3.connect(source) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'answers'"
        ).fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    with source.open("r+b") as raw:  # scribble over the answers table's first page
        raw.seek((root - 1) * page_size + 8)
        raw.write(b"\xff" * 64)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DatabaseToolError) as caught:
        await backup_sqlite(sqlite_url(source), out / "b.sqlite3")
    assert not isinstance(caught.value, UsageError) and caught.value.status == 1
    assert "nothing was written" in str(caught.value)
    assert backup_files(out) == []
