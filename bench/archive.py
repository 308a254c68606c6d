"""How long the web archive's pages take, over HTTP, with 1,000 rounds and 10,000 members.

One group on SQLite (or PostgreSQL with `--database postgresql://...`) holds
1,000 revealed rounds, one a day, each answered on time by 100 of its 10,000
members (every member answers 10), with the leaderboards' totals and counts as
reveals write them. Each page is fetched through aiohttp's test server, the
archive mounted as `studybot run` mounts it (templates rendered, headers
added; the rate limit set out of the way): the rounds list's first page and
its last, a round page (100 results), the leaderboards (all time, and the last
week), and a member's page without its chart. Target: every page under 50 ms
at the 99th percentile.

    .venv/bin/python bench/archive.py [--runs 200] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import asyncpg  # noqa: E402
from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from bench.figures import latency_line, load_average, percentile, verdict  # noqa: E402
from bot.archive_access import ArchiveAccess, hash_token  # noqa: E402
from bot.charts import ChartService  # noqa: E402
from bot.clock import ManualClock, to_micros  # noqa: E402
from bot.config import default_content_dir  # noqa: E402
from bot.content.bank import QuestionBank, load_bank  # noqa: E402
from bot.model import ChannelRef, GroupSettings  # noqa: E402
from bot.scoring import period_key  # noqa: E402
from bot.store.database import Database  # noqa: E402
from bot.store.postgres import open_postgres  # noqa: E402
from bot.store.sql_store import SqlStore  # noqa: E402
from bot.store.sqlite import open_sqlite  # noqa: E402
from bot.web.pages import ArchivePages  # noqa: E402
from bot.web.site import RateLimit, archive_app  # noqa: E402

TARGET = 0.050
ROUNDS = 1_000
MEMBERS = 10_000
PER_ROUND = 100
LAST_DAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
TOKEN = "bench-token-bench-token-bench-token-bench-t"


async def _fill(store: SqlStore, question_ids: list[tuple[str, str]]) -> int:
    """Write the group's history in bulk; return the group's id."""
    group = await store.create_group(ChannelRef("console", "local", "bench"), GroupSettings())
    assert group is not None
    db = store.db
    await db.executemany(
        "INSERT INTO members (id, platform, user_id, display_name) VALUES (:id, 'console', :u, :n)",
        [{"id": m, "u": f"u{m}", "n": f"Member {m} <b>"} for m in range(1, MEMBERS + 1)],
    )
    rounds, answers = [], []
    totals: dict[tuple[str, int], int] = defaultdict(int)
    stats: dict[int, list[float]] = defaultdict(list)
    for n in range(ROUNDS):
        day = LAST_DAY - timedelta(days=n)
        question, category = question_ids[n % len(question_ids)]
        round_id = n + 1
        rounds.append(
            {
                "id": round_id,
                "g": group.id,
                "d": day.isoformat(),
                "q": question,
                "c": category,
                "seq": ROUNDS - n,
            }
        )
        for k in range(PER_ROUND):
            member = (n * PER_ROUND + k) % MEMBERS + 1
            points, coverage = 10 + (member * 7 + n) % 20, ((member + n) % 10) / 10
            answers.append(
                {
                    "r": round_id,
                    "m": member,
                    "t": f"An answer of member {member} <i>",
                    "at": to_micros(NOW),
                    "cov": coverage,
                    "pts": points,
                }
            )
            for key in (period_key("week", day), period_key("month", day), "all"):
                totals[(key, member)] += points
            stats[member].append(coverage)
    await db.executemany(
        "INSERT INTO rounds (id, group_id, local_date, question_id, status, scheduled_for,"
        " category, reveal_seq) VALUES (:id, :g, :d, :q, 'revealed', 0, :c, :seq)",
        rounds,
    )
    await db.executemany(
        "INSERT INTO answers (round_id, member_id, text, source, submitted_at, late, coverage,"
        " covered, points, attempt) VALUES (:r, :m, :t, 'thread', :at, 0, :cov, '101', :pts, 1)",
        answers,
    )
    await _totals(db, group.id, totals, stats)
    if db.dialect == "postgresql":
        await db.execute("ANALYZE")
    return group.id


async def _totals(
    db: Database, group_id: int, totals: dict[tuple[str, int], int], stats: dict[int, list[float]]
) -> None:
    await db.executemany(
        "INSERT INTO member_stats (group_id, member_id, streak, best_streak, last_seq,"
        " rounds_answered, coverage_sum) VALUES (:g, :m, 0, 1, 0, :n, :s)",
        [{"g": group_id, "m": m, "n": len(c), "s": sum(c)} for m, c in stats.items()],
    )
    await db.executemany(
        "INSERT INTO score_totals (group_id, period, member_id, points, achieved_at)"
        " VALUES (:g, :p, :m, :pts, :at)",
        [{"g": group_id, "p": p, "m": m, "pts": pts, "at": m} for (p, m), pts in totals.items()],
    )
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for (p, _), pts in totals.items():
        counts[(p, pts)] += 1
    await db.executemany(
        "INSERT INTO score_counts (group_id, period, points, members) VALUES (:g, :p, :pts, :n)",
        [{"g": group_id, "p": p, "pts": pts, "n": n} for (p, pts), n in counts.items()],
    )


async def _time(client: TestClient, url: str, runs: int) -> list[float]:
    """Return the seconds each of `runs` fetches of a page took (after one to warm up)."""
    response = await client.get(url)
    text = await response.text()
    assert response.status == 200, (url, response.status, text)
    rows = text.count("<tr>") - 1  # less the header row
    assert rows >= 1, (url, rows)  # the page lists what it should
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        response = await client.get(url)
        await response.read()
        took.append(time.perf_counter() - start)
        assert response.status == 200
    return took


@asynccontextmanager
async def _open(database: str | None, folder: Path) -> AsyncIterator[Database]:
    """A SQLite file in `folder`, or a throwaway schema of the PostgreSQL database."""
    if not database:
        yield await open_sqlite(folder / "archive.sqlite3")
        return
    schema = f"bench_archive_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        yield await open_postgres(database, schema=schema)
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


async def main(runs: int, database: str | None) -> bool:
    bank = load_bank(default_content_dir())
    with TemporaryDirectory() as folder:
        async with _open(database, Path(folder)) as db:
            return await _run(SqlStore(db, ManualClock(NOW)), bank, runs)


async def _run(store: SqlStore, bank: QuestionBank, runs: int) -> bool:
    """Fill the store, then time each page; return whether every page met the target."""
    clock = ManualClock(NOW)
    await store.migrate(bank.category_of)
    started = time.perf_counter()
    group_id = await _fill(store, [(q.id, q.category) for q in bank.questions])
    access = ArchiveAccess(store)
    token = await _token(store, group_id)
    print(f"filled in {time.perf_counter() - started:.1f} s on {store.db.dialect}")
    pages = ArchivePages(store, bank, clock, ChartService(store, clock))
    root = web.Application()
    root.add_subapp("/archive/", archive_app(access, pages, RateLimit(burst=10**9)))
    base = f"/archive/{token}"
    urls: dict[str, str] = {
        "rounds list, page 1": f"{base}/",
        "rounds list, page 20 (the last)": f"{base}/?page=20",
        "rounds list, nlp, page 1": f"{base}/?category=nlp",
        "round page (100 results, answers)": f"{base}/rounds/500",
        "leaderboard, all time": f"{base}/leaderboard?period=all",
        "leaderboard, all time, page 200": f"{base}/leaderboard?period=all&page=200",
        "leaderboard, last week": f"{base}/leaderboard?period=week&when=last",
        "leaderboard, month 2026-11": f"{base}/leaderboard?period=month&when=2026-11",
        "member page (no chart)": f"{base}/members/4242",
    }
    met = True
    print(load_average())
    async with TestClient(TestServer(root)) as client:
        for name, url in urls.items():
            took = await _time(client, url, runs)
            print(latency_line(name, took))
            met = met and percentile(took, 0.99) < TARGET
    await store.close()
    print(f"target: every page under {TARGET * 1000:.0f} ms at p99: {verdict(met)}")
    return met


async def _token(store: SqlStore, group_id: int) -> str:
    """Give the group a link of a known token, answers shown (as `web=answers` makes one)."""
    await store.open_archive(group_id, hash_token(TOKEN), True)
    return TOKEN


def _args(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database", help="a postgresql:// URL (default: a SQLite file)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _args()
    sys.exit(0 if asyncio.run(main(args.runs, args.database)) else 1)
