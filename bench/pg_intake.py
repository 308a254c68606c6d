"""Answer intake on PostgreSQL: one replica process against three, under the same load.

Each replica is its own OS process with its own app (build_app) on the same PostgreSQL
schema, and it generates its share of the load itself, in-process: its members answer
all at once through `Core.handle` (half `/answer` invocations, half thread replies), so
no separate load generator competes with the replicas for the CPU. The groups and their
open rounds are created once beforehand, the members are known from earlier days (in
the database and in each replica's cache), and each replica is built and started before
the clock starts; a run is timed from the first replica's start to the last one's end.
Afterwards the database must hold exactly one on-time, unedited answer per member.
Every answer is committed (group commit) before it is acknowledged.

The replicas and the server share this machine's cores, so each timed window also says
where the CPU went (replica processes; the PostgreSQL processes serving this database;
other processes, e.g. other people's tests; idle), and from the CPU one answer costs,
how fast three replicas could go at most with every core free for them.

Target: three replicas take the same load at least 2x as fast as one.

    .venv/bin/python bench/pg_intake.py [--database postgresql://127.0.0.1:5432/test]
        [--answers 9000] [--groups 10] [--runs 3]

Each configuration of each run gets a throwaway schema, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from bot.app import App, build_app
from bot.clock import ManualClock
from bot.config import Config, default_content_dir
from bot.model import ChannelRef, MemberRef, MessageRef, PostedRound
from bot.ports import Event, Invocation, ThreadReply
from bot.replies import Reply

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TARGET = 2.0


class NullChat:
    """A chat platform that accepts every post (each round gets its own thread)."""

    async def post_round(self, channel: ChannelRef, card: Reply) -> PostedRound:
        thread = ChannelRef(
            channel.platform, channel.workspace_id, channel.channel_id, thread_of(channel)
        )
        return PostedRound(MessageRef(channel, "m"), thread)

    async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
        return MessageRef(place, "m")

    async def edit(self, message: MessageRef, reply: Reply) -> None:
        return None

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        return None


def thread_of(channel: ChannelRef) -> str:
    return f"thread-{channel.channel_id}"


def channel(group: int) -> ChannelRef:
    return ChannelRef("bench", "w", f"c{group}")


def member(k: int) -> MemberRef:
    return MemberRef("bench", f"u{k}", f"Member {k}")


def event(k: int, groups: int) -> Event:
    """Member k's answer, in the channel of group k % groups: by command or in the thread."""
    place = channel(k % groups)
    text = f"answer number {k} about bias and variance"
    if k % 2:
        return Invocation("answer", text, member(k), place)
    thread = ChannelRef(place.platform, place.workspace_id, place.channel_id, thread_of(place))
    return ThreadReply(thread, member(k), text, f"msg{k}")


async def open_app(url: str) -> App:
    config = Config(database_url=url, content_dir=default_content_dir())
    app = await build_app(config, NullChat(), ManualClock(NOW))
    await app.start()
    return app


def with_schema(url: str, schema: str) -> str:
    """The URL with `search_path` set (asyncpg passes unknown query keys as settings)."""
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}"


# -- a replica process -----------------------------------------------------------


async def replica(url: str, index: int, of: int, answers: int, groups: int) -> None:
    """Answer this replica's share when told to go; print its start and end times."""
    app = await open_app(url)
    mine = [k for k in range(answers) if k % of == index]
    # A replica in its stride: it has seen these members before and looked the groups up
    # within the group cache's lifetime (both caches live in the store).
    await asyncio.gather(*(app.store.member_id(member(k)) for k in mine))
    for g in range(groups):
        await app.store.group_for_channel(channel(g))
    print("ready", flush=True)
    read_line = asyncio.get_running_loop().run_in_executor
    await read_line(None, sys.stdin.readline)  # go
    start, cpu = time.monotonic(), time.process_time()
    replies = await asyncio.gather(*(app.core.handle(event(k, groups)) for k in mine))
    end, cpu = time.monotonic(), time.process_time() - cpu
    recorded = sum(1 for r in replies if r and r[0].text.startswith("Recorded your answer"))
    report = {"start": start, "end": end, "cpu": cpu, "answers": len(mine), "recorded": recorded}
    print(json.dumps(report), flush=True)
    await read_line(None, sys.stdin.readline)  # stop (the server's CPU was counted)
    await app.stop()


# -- the conductor ---------------------------------------------------------------


TICK = os.sysconf("SC_CLK_TCK")


def server_ticks(database: str) -> dict[int, int]:
    """CPU ticks of the PostgreSQL processes: helpers, and backends of `database`."""
    ticks = {}
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            title = (proc / "cmdline").read_bytes().decode(errors="replace").strip("\0")
        except (OSError, ValueError):
            continue
        if not proc.name.isdigit() or "(postgres)" not in stat:
            continue
        words = title.split(": ", 2)[-1].split()  # "user database host state" for a backend
        if len(words) > 2 and "(" in words[2] and words[1] != database:
            continue  # another database's backend
        fields = stat.rsplit(")", 1)[1].split()
        ticks[int(proc.name)] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


def machine_ticks() -> tuple[int, int]:
    """Busy and idle ticks of all the machine's cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, idle


@dataclass(frozen=True, slots=True)
class Cpu:
    """CPU seconds spent during a timed window, by whom."""

    replicas: float
    server: float
    others: float
    idle: float

    def describe(self) -> str:
        return (
            f"CPU s: replicas {self.replicas:.1f}, PostgreSQL {self.server:.1f},"
            f" others {self.others:.1f}, idle {self.idle:.1f}"
        )

    def per_answer(self, answers: int) -> float:
        """Milliseconds of CPU (replicas and server) per answer."""
        return (self.replicas + self.server) * 1000 / answers


@dataclass(frozen=True, slots=True)
class Outcome:
    """One timed configuration."""

    replicas: int
    seconds: float
    per_replica: tuple[float, ...]  # each replica's own answers/s
    cpu: Cpu  # what the machine's CPU did meanwhile

    def rate(self, answers: int) -> float:
        return answers / self.seconds


async def prepare(url: str, answers: int, groups: int) -> None:
    """Create the groups, post their rounds and record the members, once."""
    app = await open_app(url)
    admin = MemberRef("bench", "admin", "Admin", can_manage=True)
    for g in range(groups):
        for command in ("setup days=daily", "post-now"):
            reply = await app.core.handle(Invocation("studybot", command, admin, channel(g)))
            assert not reply[0].is_error, reply[0].text
    await app.store.db.executemany(
        "INSERT INTO members (platform, user_id, display_name) VALUES ('bench', :u, :n)",
        [{"u": member(k).user_id, "n": member(k).display_name} for k in range(answers)],
    )
    await app.stop()


async def run_replicas(url: str, replicas: int, answers: int, groups: int) -> Outcome:
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--replica",
            f"{i}/{replicas}",
            "--database",
            url,
            "--answers",
            str(answers),
            "--groups",
            str(groups),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for i in range(replicas)
    ]
    for proc in procs:
        assert proc.stdout is not None
        line = await proc.stdout.readline()
        if line.strip() != b"ready":
            raise SystemExit(f"a replica did not start: {line!r}")
    database = urlsplit(url).path.strip("/")
    server, (busy, idle) = server_ticks(database), machine_ticks()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        await proc.stdin.drain()
    reports = []
    for proc in procs:
        assert proc.stdout is not None
        line = await proc.stdout.readline()
        if not line:
            raise SystemExit("a replica died while answering")
        reports.append(json.loads(line))
    server_after, (busy_after, idle_after) = server_ticks(database), machine_ticks()
    for proc in procs:
        await proc.communicate(b"stop\n")
        if proc.returncode != 0:
            raise SystemExit(f"a replica failed with exit code {proc.returncode}")
    if any(r["recorded"] != r["answers"] for r in reports):
        raise SystemExit(f"not every answer was acknowledged as recorded: {reports}")
    seconds = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    replicas_cpu = sum(r["cpu"] for r in reports)
    server_cpu = sum(t - server.get(pid, 0) for pid, t in server_after.items()) / TICK
    return Outcome(
        replicas,
        seconds,
        tuple(r["answers"] / (r["end"] - r["start"]) for r in reports),
        Cpu(
            replicas_cpu,
            server_cpu,
            max(0.0, (busy_after - busy) / TICK - replicas_cpu - server_cpu),
            (idle_after - idle) / TICK,
        ),
    )


async def verify(conn: asyncpg.Connection, answers: int, groups: int) -> None:
    """Exactly one on-time, unedited answer per member, in their group's round."""
    row = await conn.fetchrow(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT m.user_id) AS members,"
        " COUNT(*) FILTER (WHERE a.late = 0 AND a.edited_at IS NULL) AS clean,"
        " COUNT(DISTINCT a.round_id) AS rounds"
        " FROM answers a JOIN members m ON m.id = a.member_id"
    )
    expected = (answers, answers, answers, min(groups, answers))
    found = (row["n"], row["members"], row["clean"], row["rounds"])
    if found != expected:
        raise SystemExit(f"answers, members, clean answers, rounds: {found}, expected {expected}")


async def configuration(url: str, replicas: int, answers: int, groups: int) -> Outcome:
    """Time one configuration on a fresh schema, verify the answers, drop the schema."""
    admin = await asyncpg.connect(url)
    schema = f"bench_intake_{uuid.uuid4().hex[:10]}"
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        scoped = with_schema(url, schema)
        await prepare(scoped, answers, groups)
        outcome = await run_replicas(scoped, replicas, answers, groups)
        await admin.execute(f"SET search_path = {schema}")
        await verify(admin, answers, groups)
        return outcome
    finally:
        await admin.execute("RESET search_path")
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


def load_average() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--answers", type=int, default=9000)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--replica", help=argparse.SUPPRESS)  # "i/n": run as replica i of n
    args = parser.parse_args()
    if args.replica:
        index, of = (int(x) for x in args.replica.split("/"))
        await replica(args.database, index, of, args.answers, args.groups)
        return
    print(
        f"answer intake on {args.database}: {args.answers:,} answers from as many members"
        f" in {args.groups} groups, all at once"
    )
    print(
        f"machine: {os.cpu_count()} CPU cores, shared by the PostgreSQL server and every"
        f" replica process (each replica generates its own share of the load); {load_average()}"
    )
    ratios, outcomes = [], []
    for run in range(1, args.runs + 1):
        one = await configuration(args.database, 1, args.answers, args.groups)
        three = await configuration(args.database, 3, args.answers, args.groups)
        outcomes.append((one, three))
        ratio = three.rate(args.answers) / one.rate(args.answers)
        ratios.append(ratio)
        each = ", ".join(f"{r:.0f}" for r in three.per_replica)
        print(
            f"run {run}: ratio {ratio:.2f}; {load_average()}\n"
            f"  1 replica:  {one.rate(args.answers):6.0f} answers/s in {one.seconds:5.2f} s;"
            f" {one.cpu.describe()}\n"
            f"  3 replicas: {three.rate(args.answers):6.0f} answers/s in {three.seconds:5.2f} s;"
            f" {three.cpu.describe()}; each replica {each} answers/s"
        )
    print("every run: the database held exactly one answer per member, none lost or doubled")
    cost_one = min(one.cpu.per_answer(args.answers) for one, _ in outcomes)
    cost_three = min(three.cpu.per_answer(args.answers) for _, three in outcomes)
    best_one = max(one.rate(args.answers) for one, _ in outcomes)
    ceiling = (os.cpu_count() or 1) * 1000 / cost_three
    print(
        f"CPU per answer (replicas + PostgreSQL, lowest): 1 replica {cost_one:.2f} ms,"
        f" 3 replicas {cost_three:.2f} ms; so with all {os.cpu_count()} cores free, three"
        f" replicas take at most {ceiling:.0f} answers/s,"
        f" {ceiling / best_one:.2f}x the best single-replica rate"
    )
    low, mid = min(ratios), statistics.median(ratios)
    print(
        f"ratio 3 replicas / 1 replica: median {mid:.2f}, lowest {low:.2f}"
        f" (target >= {TARGET}: {'met' if mid >= TARGET else 'NOT met'}, on the median)"
    )


if __name__ == "__main__":
    asyncio.run(main())
