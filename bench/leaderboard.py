"""Leaderboard queries: a page of ten, its columns and the caller's rank, SQLite or PostgreSQL.

Each board is timed on page 1 and page 50 (ranks 491-500), each time with what
/leaderboard asks: the page (OFFSET), the caller's place, the board's size and
the rounds and coverage of the members shown in that period.

The boards timed: this week, all time, and two closed periods as `/leaderboard
week last` and `/leaderboard month last` name them (boards without points at
10,000 answers, a single round, are left out there).

Builds one group with 100,000 members and 1,000,000 scored answers (daily rounds of
10,000 answers), then times what /leaderboard asks the store (top 10, then the caller's
place) for random callers on the board; and the same at 10,000 answers.

The history is scored as the reveal scores it (streaks from the previous stats, points,
leaderboard periods) and bulk-loaded into the tables the store keeps: rounds, answers,
score_totals, score_counts, score_hour_counts and member_stats (COPY on PostgreSQL).
First a small history is written both ways, through the store's reveal path
(`save_round_result`) and by the bulk loader, and every table must come out the same.

On PostgreSQL the queries are timed twice: as written (no page marked all-visible, as for
rows written since the last autovacuum) and after VACUUM; the targets are checked on the
first, the worse.

Targets: p99 under 10 ms per leaderboard (both queries) at 1,000,000 answers, and a mean
at most 1.5x the mean at 10,000 answers.

    .venv/bin/python bench/leaderboard.py [--database postgresql://127.0.0.1:5432/test]
        [--members 100000] [--answers 1000000] [--samples 1000]

Without --database each build is a temporary SQLite file; with a PostgreSQL URL each
build is a throwaway schema on that server, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import load_average, percentile, verdict
from bot.clock import ManualClock, from_micros, to_micros
from bot.model import AnswerSource, ChannelRef, GroupSettings
from bot.periods import board_period, period_days
from bot.scoring import ScoringRules, next_stats, period_key, periods_of, round_points
from bot.store.database import Database
from bot.store.migrations import SCORE_HOUR
from bot.store.postgres import open_postgres
from bot.store.records import MemberStats, RoundResult, ScoreEntry
from bot.store.sql_store import SqlStore
from bot.store.sqlite import open_sqlite

PER_ROUND = 10_000
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
OPEN_FOR = timedelta(hours=8)
KEY_POINTS = 4
GROUP = 1
TARGET_MS = 10.0
TARGET_RATIO = 1.5
WARM_UP = 20
# PostgreSQL: rows written since the last (auto)vacuum are not marked all-visible, so an
# index-only scan still reads the table for each; after VACUUM it does not.
AS_LOADED = "as written"
VACUUMED = "after VACUUM"

# Each table, its columns and its key (for comparing two databases row by row).
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "members": (("id", "platform", "user_id", "display_name"), "id"),
    "rounds": (
        (
            "id",
            "group_id",
            "local_date",
            "question_id",
            "status",
            "scheduled_for",
            "reveal_at",
            "posted_at",
            "revealed_at",
            "reveal_seq",
            "attempts",
            "last_error",
            "message_id",
            "thread_id",
            "reveal_message_id",
        ),
        "id",
    ),
    "answers": (
        (
            "id",
            "round_id",
            "member_id",
            "text",
            "source",
            "message_id",
            "submitted_at",
            "edited_at",
            "late",
            "coverage",
            "covered",
            "points",
            "attempt",
        ),
        "id",
    ),
    "member_stats": (
        (
            "group_id",
            "member_id",
            "streak",
            "best_streak",
            "last_seq",
            "rounds_answered",
            "coverage_sum",
        ),
        "group_id, member_id",
    ),
    "score_totals": (
        ("group_id", "period", "member_id", "points", "achieved_at"),
        "group_id, period, member_id",
    ),
    "score_counts": (("group_id", "period", "points", "members"), "group_id, period, points"),
    "score_hour_counts": (
        ("group_id", "period", "points", "achieved_hour", "members"),
        "group_id, period, points, achieved_hour",
    ),
}


@dataclass(frozen=True, slots=True)
class Answer:
    """One on-time answer of a round, as the intake stores it."""

    id: int
    member_id: int
    text: str
    submitted_at: int
    covered: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class PlayedRound:
    """A daily round: posted, answered, then revealed as number `seq` of the group."""

    id: int
    seq: int
    day: date
    answers: tuple[Answer, ...]

    @property
    def posted_at(self) -> datetime:
        return T0 + timedelta(days=self.seq - 1)

    @property
    def reveal_at(self) -> datetime:
        return self.posted_at + OPEN_FOR


def score_round(
    played: PlayedRound, previous: Mapping[int, MemberStats], rules: ScoringRules
) -> RoundResult:
    """Score a round as RoundService._finish_reveal does, from the members' previous stats."""
    scores: list[ScoreEntry] = []
    stats: list[MemberStats] = []
    periods = periods_of(played.day)  # the same for every answer of the round
    for a in played.answers:
        ratio = sum(a.covered) / len(a.covered)
        updated = next_stats(previous.get(a.member_id), a.member_id, played.seq, ratio)
        points = round_points(ratio, updated.streak, rules)
        scores.append(
            ScoreEntry(
                a.id,
                a.member_id,
                ratio,
                a.covered,
                points.total,
                periods,
                from_micros(a.submitted_at),
            )
        )
        stats.append(updated)
    return RoundResult(played.id, tuple(scores), tuple(stats))


def play(
    members: int, answers: int, per_round: int = PER_ROUND, seed: int = 7
) -> list[PlayedRound]:
    """Return a history of daily rounds with `answers` answers from random members."""
    rng = random.Random(seed)
    per_round = min(per_round, members, answers)
    rounds: list[PlayedRound] = []
    next_answer = 1
    for r in range(max(1, answers // per_round)):
        posted = to_micros(T0 + timedelta(days=r))
        who = rng.sample(range(1, members + 1), per_round)
        batch = tuple(
            Answer(
                next_answer + i,
                m,
                f"answer {i % 97} about bias and variance",
                posted + 1 + i,
                tuple(rng.random() < 0.6 for _ in range(KEY_POINTS)),
            )
            for i, m in enumerate(who)
        )
        next_answer += len(batch)
        rounds.append(PlayedRound(r + 1, r + 1, (T0 + timedelta(days=r)).date(), batch))
    return rounds


@dataclass(frozen=True, slots=True)
class Tables:
    """The rows the store holds after a history was revealed round by round."""

    rows: dict[str, list[tuple[Any, ...]]]


def covered_text(covered: Sequence[bool]) -> str:
    return "".join("1" if c else "0" for c in covered)


def round_row(played: PlayedRound) -> tuple[Any, ...]:
    return (
        played.id,
        GROUP,
        played.day.isoformat(),
        f"q{played.id}",
        "revealed",
        to_micros(played.posted_at),
        to_micros(played.reveal_at),
        to_micros(played.posted_at),
        to_micros(played.reveal_at),
        played.seq,
        1,
        None,
        f"m{played.id}",
        f"t{played.id}",
        f"r{played.id}",
    )


def tables_of(members: int, history: list[PlayedRound], rules: ScoringRules) -> Tables:
    """Compute every row the reveal path would have written, in memory."""
    stats: dict[int, MemberStats] = {}
    totals: dict[tuple[str, int], tuple[int, int]] = {}
    counts: dict[tuple[str, int], int] = {}
    hour_counts: dict[tuple[str, int, int], int] = {}
    answer_rows: list[tuple[Any, ...]] = []
    for played in history:
        result = score_round(played, stats, rules)
        by_id = {a.id: a for a in played.answers}
        for s in result.scores:
            a = by_id[s.answer_id]
            answer_rows.append(
                (
                    a.id,
                    played.id,
                    a.member_id,
                    a.text,
                    AnswerSource.THREAD.value,
                    f"msg{a.id}",
                    a.submitted_at,
                    None,
                    0,
                    s.coverage,
                    covered_text(s.covered),
                    s.points,
                    int(s.attempt),
                )
            )
            if s.points <= 0:
                continue
            for period in s.periods:
                old = totals.get((period, s.member_id))
                if old is not None:  # the count tables: one member fewer at the old place
                    counts[(period, old[0])] -= 1
                    hour_counts[(period, old[0], old[1] // SCORE_HOUR)] -= 1
                new = (old[0] if old else 0) + s.points
                totals[(period, s.member_id)] = (new, a.submitted_at)  # = achieved_at
                counts[(period, new)] = counts.get((period, new), 0) + 1
                hour = (period, new, a.submitted_at // SCORE_HOUR)
                hour_counts[hour] = hour_counts.get(hour, 0) + 1
        stats.update((s.member_id, s) for s in result.stats)
    return Tables(
        {
            "members": [(i, "b", f"u{i}", f"Member {i}") for i in range(1, members + 1)],
            "rounds": [round_row(p) for p in history],
            "answers": answer_rows,
            "member_stats": [
                (
                    GROUP,
                    m,
                    s.streak,
                    s.best_streak,
                    s.last_seq,
                    s.rounds_answered,
                    s.coverage_sum,
                )
                for m, s in stats.items()
            ],
            "score_totals": [(GROUP, p, m, pts, at) for (p, m), (pts, at) in totals.items()],
            "score_counts": [(GROUP, p, pts, n) for (p, pts), n in counts.items()],
            "score_hour_counts": [(GROUP, p, pts, h, n) for (p, pts, h), n in hour_counts.items()],
        }
    )


class Loader(Protocol):
    async def load(self, table: str, rows: list[tuple[Any, ...]]) -> None: ...

    async def finish(self) -> None: ...

    async def vacuum(self) -> bool: ...


class SqliteLoader:
    """Plain multi-row inserts in one transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        columns = TABLES[table][0]
        await self._db.executemany(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" VALUES ({', '.join(':' + c for c in columns)})",
            [dict(zip(columns, row, strict=True)) for row in rows],
        )

    async def finish(self) -> None:
        return None

    async def vacuum(self) -> bool:
        return False  # SQLite has no visibility map: nothing changes


class CopyLoader:
    """COPY through asyncpg, then the identity sequences moved past the loaded ids."""

    def __init__(self, conn: Any, schema: str) -> None:
        self._conn = conn
        self._schema = schema

    async def load(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        await self._conn.copy_records_to_table(
            table, records=rows, columns=list(TABLES[table][0]), schema_name=self._schema
        )

    async def finish(self) -> None:
        for table in ("members", "rounds", "answers"):
            await self._conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{self._schema}.{table}', 'id'),"
                f" (SELECT MAX(id) FROM {self._schema}.{table}))"
            )
        await self._maintain("ANALYZE")  # planner statistics, as autovacuum keeps them

    async def vacuum(self) -> bool:
        await self._maintain("VACUUM ANALYZE")
        return True

    async def _maintain(self, command: str) -> None:
        await self._conn.execute(f"SET search_path = {self._schema}")
        for table in TABLES:
            await self._conn.execute(f"{command} {table}")
        await self._conn.execute("RESET search_path")


@asynccontextmanager
async def fresh_store(
    url: str | None, tmp: Path, name: str
) -> AsyncIterator[tuple[SqlStore, Loader]]:
    """An empty, migrated store with one group: a SQLite file, or a throwaway schema."""
    clock = ManualClock(T0)
    if url is None:
        store = SqlStore(await open_sqlite(tmp / f"{name}.sqlite3"), clock)
        loader: Loader = SqliteLoader(store.db)
        admin = None
    else:
        admin = await asyncpg.connect(url)
        schema = f"bench_leaderboard_{name}_{uuid.uuid4().hex[:8]}"
        await admin.execute(f"CREATE SCHEMA {schema}")
        store = SqlStore(await open_postgres(url, schema=schema), clock)
        loader = CopyLoader(admin, schema)
    try:
        await store.migrate()
        group = await store.create_group(ChannelRef("b", "w", "c"), GroupSettings())
        assert group is not None and group.id == GROUP
        yield store, loader
    finally:
        await store.close()
        if admin is not None:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")
            await admin.close()


async def bulk_load(loader: Loader, tables: Tables) -> None:
    """Load every table in foreign-key order."""
    for table in TABLES:
        await loader.load(table, tables.rows[table])
    await loader.finish()


async def through_store(store: SqlStore, members: int, history: list[PlayedRound]) -> None:
    """Write a history the way the bot does: claim, post, answers, reveal, scores."""
    rules = ScoringRules()
    await store.db.executemany(
        "INSERT INTO members (platform, user_id, display_name) VALUES ('b', :u, :n)",
        [{"u": f"u{i}", "n": f"Member {i}"} for i in range(1, members + 1)],
    )
    for played in history:
        round_ = await store.claim_round(GROUP, played.day, f"q{played.id}", played.posted_at)
        assert round_ is not None and round_.id == played.id
        assert await store.round_posted(
            round_.id, f"m{played.id}", f"t{played.id}", played.posted_at, played.reveal_at
        )
        await store.db.executemany(
            "INSERT INTO answers (round_id, member_id, text, source, message_id, submitted_at,"
            " late) VALUES (:r, :m, :t, 'thread', :g, :a, 0)",
            [
                {
                    "r": round_.id,
                    "m": a.member_id,
                    "t": a.text,
                    "g": f"msg{a.id}",
                    "a": a.submitted_at,
                }
                for a in played.answers
            ],
        )
        revealing = await store.claim_reveal(round_.id, played.reveal_at, played.reveal_at)
        assert revealing is not None and revealing.reveal_seq == played.seq
        previous = await store.member_stats(GROUP, [a.member_id for a in played.answers])
        assert await store.save_round_result(score_round(played, previous, rules))
        await store.reveal_posted(round_.id, f"r{played.id}")


async def dump(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (all columns, also those the loader leaves to defaults)."""
    return {
        table: [tuple(r) for r in await store.db.fetch(f"SELECT * FROM {table} ORDER BY {key}")]
        for table, (_, key) in TABLES.items()
    }


async def check_bulk_load(url: str | None, tmp: Path) -> None:
    """Write a small history both ways; every table must hold the same rows."""
    members, history = 300, play(300, 720, per_round=120, seed=3)
    async with fresh_store(url, tmp, "real") as (store, _):
        await through_store(store, members, history)
        real = await dump(store)
    async with fresh_store(url, tmp, "bulk") as (store, loader):
        await bulk_load(loader, tables_of(members, history, ScoringRules()))
        bulk = await dump(store)
    for table in TABLES:
        if real[table] != bulk[table]:
            first = next(
                ((a, b) for a, b in zip(real[table], bulk[table], strict=False) if a != b),
                f"{len(real[table])} rows against {len(bulk[table])}",
            )
            raise SystemExit(f"the bulk load differs from the reveal path in {table}: {first}")
    print(
        f"bulk load checked against the store's reveal path ({len(history)} rounds,"
        f" {sum(len(p.answers) for p in history)} answers, {len(TABLES)} tables): identical"
    )


def board_keys(last_day: date) -> dict[str, str]:
    """Return the boards timed, by label: the current week and all time, and closed periods.

    Last week and last month are named as a member names them (`/leaderboard week
    last`), through the core's `board_period`, on the last round's day.
    """
    return {
        "week": period_key("week", last_day),
        "all": period_key("all", last_day),
        "last week": board_period("week", "last", last_day).key,
        "last month": board_period("month", "last", last_day).key,
    }


PAGES = {"page 1": 1, "page 50": 50}  # the pages timed on each board


async def one_board(store: SqlStore, key: str, page: int, member: int) -> None:
    """Ask the store what /leaderboard asks for one page, with the columns, for one caller.

    As StandingsService.leaderboard: the page's ten, the caller's place and the
    board's size (the pages), then the rounds and coverage of those shown.
    """
    leaders, mine, _ = await store.together(
        store.top_scores(GROUP, key, 10, (page - 1) * 10),
        store.standing_of(GROUP, key, member),
        store.board_size(GROUP, key),
    )
    shown = [s.member_id for s in leaders] + ([mine.member_id] if mine else [])
    figures = await store.board_figures(GROUP, period_days(key), shown)
    assert len(leaders) == 10 and mine is not None and len(figures) == len(set(shown))


async def measure(store: SqlStore, last_day: date, samples: int) -> dict[str, list[float]]:
    """Time a page of ten with its columns plus the rank of random callers, per period and page.

    A board without points (a closed period before the history began), or too
    short for the page, is left out.
    """
    rng = random.Random(11)
    timings: dict[str, list[float]] = {}
    for label, key in board_keys(last_day).items():
        ranked = [
            r["member_id"]
            for r in await store.db.fetch(
                "SELECT member_id FROM score_totals WHERE group_id = :g AND period = :p",
                {"g": GROUP, "p": key},
            )
        ]
        for name, page in PAGES.items():
            if len(ranked) < page * 10:
                continue
            timed = timings[f"{label}, {name}"] = []
            for i in range(WARM_UP + samples):
                member = rng.choice(ranked)  # callers who are on the board: the full query
                start = time.perf_counter()
                await one_board(store, key, page, member)
                if i >= WARM_UP:
                    timed.append((time.perf_counter() - start) * 1000)
    return timings


def summary(values: list[float]) -> str:
    return (
        f"mean {statistics.mean(values):6.2f} ms, p99 {percentile(values, 0.99):6.2f} ms,"
        f" max {max(values):6.2f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database",
        help="postgresql://... (throwaway schemas there); default: temporary SQLite files",
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    backend = "SQLite (temporary files)" if args.database is None else args.database
    print(f"leaderboard on {backend}; {os.cpu_count()} CPU cores, {load_average()}")
    rules = ScoringRules()
    # results[state][answers][period]: timings in ms
    results: dict[str, dict[int, dict[str, list[float]]]] = {AS_LOADED: {}, VACUUMED: {}}
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        await check_bulk_load(args.database, Path(tmp))
        for n in (10_000, args.answers):
            started = time.perf_counter()
            history = play(args.members, n)
            tables = tables_of(args.members, history, rules)
            computed = time.perf_counter() - started
            async with fresh_store(args.database, Path(tmp), f"n{n}") as (store, loader):
                started = time.perf_counter()
                await bulk_load(loader, tables)
                loaded = time.perf_counter() - started
                print(
                    f"{n:>9,} answers, {args.members:,} members, {len(history)} rounds"
                    f" (scored in {computed:.0f} s, loaded in {loaded:.0f} s;"
                    f" {len(tables.rows['score_totals']):,} score_totals rows):"
                )
                for state in results:
                    if state == VACUUMED and not await loader.vacuum():
                        break
                    results[state][n] = await measure(store, history[-1].day, args.samples)
                    print(f"  {state} ({load_average()}):")
                    for period, values in results[state][n].items():
                        print(
                            f"    page + columns + caller's rank, {period:>21}: {summary(values)}"
                        )
    print(f"{args.samples} leaderboards per period, state and size, after {WARM_UP} untimed ones")
    if results[VACUUMED]:
        print(
            f"PostgreSQL '{AS_LOADED}': no page marked all-visible yet, as for the rows reveals"
            f" wrote since the last autovacuum (the current week's, typically); '{VACUUMED}':"
            f" as once autovacuum has processed them. Targets checked {AS_LOADED}."
        )
    checked = results[AS_LOADED]
    for period, values in checked[args.answers].items():
        worst = percentile(values, 0.99)
        small = checked[10_000].get(period)
        ratio = statistics.mean(values) / statistics.mean(small) if small else None
        against = (
            f"mean ratio to 10,000 answers {ratio:.2f}"
            f" (target <= {TARGET_RATIO}: {verdict(ratio <= TARGET_RATIO)})"
            if ratio is not None
            else "no such board at 10,000 answers (too short a history)"
        )
        print(
            f"{period:>21}: p99 {worst:.2f} ms at {args.answers:,} answers"
            f" (target < {TARGET_MS:.0f} ms, checked on p99: {verdict(worst < TARGET_MS)});"
            f" {against}"
        )


if __name__ == "__main__":
    asyncio.run(main())
