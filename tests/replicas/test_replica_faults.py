"""Several replica processes on one PostgreSQL, with one killed at random points.

Ten groups in several time zones run for 200 simulated days on three
replicas (`tests/replicas/replica.py`); the driver moves the shared simulated
clock, and now and then SIGKILLs a replica in the middle of its work and
starts it again later. Every round must be posted once and revealed once,
none missed, and every answer a replica acknowledged must be in the
database and scored.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_app
from bot.clock import ManualClock, to_micros
from bot.config import Config
from bot.model import ChannelRef, MemberRef
from bot.ports import Invocation
from bot.scoring import period_key
from bot.store.database import Database, Row
from bot.store.urls import open_database
from tests.conftest import FIXTURE_CONTENT, REPO
from tests.postgres import postgres_database
from tests.replicas.sim_chat import SIM_TABLES, SimChat

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # spans both DST changes
DAYS = int(os.environ.get("STUDYBOT_FAULT_DAYS", "200"))
STEP = timedelta(hours=4)  # less than the replicas' lease (tests/replicas/replica.py)
GROUPS = (
    ("UTC", "06:00"),
    ("Europe/Berlin", "09:00"),
    ("Europe/London", "13:30"),
    ("America/New_York", "08:00"),
    ("America/Los_Angeles", "07:15"),
    ("Asia/Tokyo", "10:00"),
    ("Asia/Kolkata", "18:45"),
    ("Australia/Sydney", "20:00"),
    ("America/Sao_Paulo", "12:00"),
    ("Pacific/Auckland", "05:30"),
)
REPLICAS = ("r1", "r2", "r3")


@pytest.fixture
async def fault_db() -> AsyncIterator[str]:
    async with postgres_database() as url:
        # Killing replicas tests the bot, not the server's durability: the server stays up,
        # so commits need not wait for its disk (this keeps 200 days within CI's time).
        name = url.rsplit("/", 1)[1]
        db = await open_database(url)
        await db.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
        await db.close()
        yield url


@dataclass
class Replica:
    name: str
    log: Path
    process: subprocess.Popen[bytes] | None = None
    handle: IO[bytes] | None = None
    kills: int = 0

    def start(self, url: str) -> None:
        self.handle = self.log.open("ab")
        env = {**os.environ, "STUDYBOT_LOG_LEVEL": "WARNING", "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.replicas.replica", url, self.name],
            cwd=REPO,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills += 1
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@dataclass
class Driver:
    db: Database
    url: str
    replicas: list[Replica]
    now: datetime = START
    rng: random.Random = field(default_factory=lambda: random.Random(20261123))

    async def wait_for(self, replicas: list[Replica], at: datetime, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        names = [r.name for r in replicas]
        while True:
            rows = await self.db.fetch("SELECT replica, at FROM sim_progress")
            seen = {r["replica"]: r["at"] for r in rows}
            if all(seen.get(n, -1) >= to_micros(at) for n in names):
                return
            for r in replicas:
                if not r.alive():
                    pytest.fail(f"replica {r.name} died on its own:\n{r.output()}")
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {r.name}\n{r.output()}" for r in replicas)
                pytest.fail(f"replicas did not reach {at} in {limit} s: {seen}\n{logs}")
            await asyncio.sleep(0.005)


async def _set_up_groups(url: str) -> None:
    """Create the schema and the ten groups through the real core, as an admin would."""
    chat = SimChat(await open_database(url), "setup")
    config = Config(database_url=url, content_dir=FIXTURE_CONTENT, cache_dir=None)
    app = await build_app(config, chat, ManualClock(START))
    await app.start()
    admin = MemberRef("sim", "admin", "Admin", can_manage=True)
    for i, (zone, at) in enumerate(GROUPS):
        place = ChannelRef("sim", "w", f"c{i}")
        setup = f"setup time={at} tz={zone} days=daily reveal=9h"
        replies = await app.core.handle(Invocation("studybot", setup, admin, place))
        assert not replies[0].is_error, replies[0].text
    await app.stop()


def _expected_dates(zone: str, at: str) -> set[date]:
    """The local dates whose post time falls inside the simulated window, a day's margin off."""
    hour, minute = map(int, at.split(":"))
    tz = ZoneInfo(zone)
    first = (START + timedelta(days=1)).astimezone(tz).date()
    end = START + timedelta(days=DAYS) - timedelta(hours=9) - 2 * STEP  # revealed by the end
    dates: set[date] = set()
    day = first
    while True:
        fire = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
        if fire.astimezone(UTC) > end:
            return dates
        dates.add(day)
        day += timedelta(days=1)


@pytest.mark.slow
# 1,200 steps of the simulated clock, each waiting for three replicas on PostgreSQL: 110 s
# on a quiet 2-core machine, over 300 s with eight other jobs on it. A hang is caught per
# step by the driver's 60 s limit, so the suite's 300 s per test would only cut load short.
@pytest.mark.timeout(1200)
async def test_three_replicas_kill_one_at_random_points(fault_db: str, tmp_path: Path) -> None:
    url = fault_db
    await _set_up_groups(url)
    db = await open_database(url)
    for statement in SIM_TABLES:
        await db.execute(statement)
    await db.execute("INSERT INTO sim_clock (id, at) VALUES (1, :a)", {"a": to_micros(START)})
    replicas = [Replica(name, tmp_path / f"{name}.log") for name in REPLICAS]
    driver = Driver(db, url, replicas)
    for r in replicas:
        r.start(url)
    await driver.wait_for(replicas, START)
    down: dict[str, int] = {}  # replica -> steps until it is started again
    warming: dict[str, datetime] = {}  # restarted replica -> the time it started at
    steps = int(timedelta(days=DAYS) / STEP)
    try:
        for _ in range(steps):
            driver.now += STEP
            await db.execute(
                "UPDATE sim_clock SET at = :a WHERE id = 1", {"a": to_micros(driver.now)}
            )
            for name in list(down):
                down[name] -= 1
                if down[name] <= 0:
                    del down[name]
                    replica = next(r for r in replicas if r.name == name)
                    replica.start(url)
                    warming[name] = driver.now
            if not down and not warming and driver.rng.random() < 0.03:
                victim = driver.rng.choice(replicas)
                await asyncio.sleep(driver.rng.uniform(0, 0.02))  # somewhere in its work
                victim.kill()
                down[victim.name] = driver.rng.randint(1, 12)
            # The clock waits for every replica that runs, a restarted one too: simulated
            # hours pass in milliseconds here, so a replica still starting while the clock
            # ran on would see its leases pass mid-post, which real minutes-long leases and
            # millisecond posts never do (a double post the test would blame on the bot).
            progress = {
                row["replica"]: row["at"]
                for row in await db.fetch("SELECT replica, at FROM sim_progress")
            }
            for name, since in list(warming.items()):
                if progress.get(name, -1) >= to_micros(since):
                    del warming[name]
            running = [r for r in replicas if r.name not in down]
            await driver.wait_for(running, driver.now)
    finally:
        await db.execute("UPDATE sim_clock SET stop = 1 WHERE id = 1")
        for r in replicas:
            if r.process is not None:
                try:
                    r.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    r.kill()
            if r.handle is not None:
                r.handle.close()

    total_kills = sum(r.kills for r in replicas)
    assert total_kills >= min(10, DAYS // 20), (
        "the run should have killed replicas a fair number of times"
    )

    groups = {
        row["channel_id"]: row["id"] for row in await db.fetch("SELECT id, channel_id FROM groups")
    }
    rounds = await db.fetch(
        "SELECT id, group_id, local_date, status, message_id, reveal_message_id FROM rounds"
    )
    by_group: dict[int, dict[date, str]] = {}
    for row in rounds:
        by_group.setdefault(row["group_id"], {})[date.fromisoformat(row["local_date"])] = row[
            "status"
        ]
    for i, (zone, at) in enumerate(GROUPS):
        statuses = by_group.get(groups[f"c{i}"], {})
        for day in sorted(_expected_dates(zone, at)):
            assert statuses.get(day) == "revealed", (
                f"group c{i} ({zone}) {day}: {statuses.get(day)}"
            )

    posts = Counter(row["post_key"] for row in await db.fetch("SELECT post_key FROM sim_posts"))
    for row in rounds:
        if row["status"] in ("open", "revealing", "revealed"):
            assert posts[f"round-{row['id']}"] == 1, (
                f"round {row['id']} posted {posts['round-' + str(row['id'])]} times"
            )
        if row["status"] == "revealed" and row["reveal_message_id"] is not None:
            assert posts[f"reveal-{row['id']}"] == 1, f"round {row['id']} revealed twice"
    doubled = {key: n for key, n in posts.items() if n > 1}
    assert not doubled, f"posted more than once: {doubled}"
    _check_recaps(rounds, posts, await db.fetch("SELECT group_id, week, status FROM recaps"))

    status_of = {row["id"]: row["status"] for row in rounds}
    acks = await db.fetch("SELECT round_id, user_id, text, late FROM sim_acks")
    assert len(acks) > DAYS * 15
    stored = {
        (row["round_id"], row["user_id"]): row
        for row in await db.fetch(
            "SELECT a.round_id, m.user_id, a.text, a.late, a.points FROM answers a"
            " JOIN members m ON m.id = a.member_id"
        )
    }
    for ack in acks:
        answer = stored.get((ack["round_id"], ack["user_id"]))
        assert answer is not None, f"acknowledged answer lost: {dict(ack)}"
        acked_at = int(ack["text"].split()[0])
        assert int(answer["text"].split()[0]) >= acked_at, "an acknowledged edit was lost"
        if not ack["late"] and status_of[ack["round_id"]] == "revealed":
            assert answer["points"] is not None, f"acknowledged answer not scored: {dict(ack)}"
    await db.close()


def _check_recaps(rounds: Sequence[Row], posts: Counter[str], recaps: Sequence[Row]) -> None:
    """Each week of revealed rounds followed by a question that went out has one recap posted."""
    went_out = ("open", "revealing", "revealed")
    expected: set[tuple[int, str]] = set()
    for row in rounds:
        day = date.fromisoformat(row["local_date"])
        if row["status"] != "revealed":
            continue
        week = period_key("week", day)
        after = period_key("week", day + timedelta(days=7))
        if any(
            r["group_id"] == row["group_id"]
            and r["status"] in went_out
            and period_key("week", date.fromisoformat(r["local_date"])) == after
            for r in rounds
        ):
            expected.add((row["group_id"], week))
    posted = {(r["group_id"], r["week"]) for r in recaps if r["status"] == "posted"}
    assert expected and posted == expected, (expected - posted, posted - expected)
    for group_id, week in posted:
        assert posts[f"recap-{group_id}-{week}"] == 1
