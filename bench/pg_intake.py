"""Answer intake on PostgreSQL: one replica process against three, under the same load,
each replica under its own CPU limit as in production.

Each replica is its own OS process with its own app (build_app) on the same PostgreSQL
schema, and it generates its share of the load itself, in-process: its members answer
all at once through `Core.handle` (half `/answer` invocations, half thread replies), so
no separate load generator competes with the replicas for the CPU. The groups and their
open rounds are created once beforehand, the members are known from earlier days (in
the database and in each replica's cache), and each replica is built and started before
the clock starts; a run is timed from the first replica's start to the last one's end.
Afterwards the database must hold exactly one on-time, unedited answer per member.
Every answer is committed (group commit) before it is acknowledged.

Why a CPU limit per replica: a replica is one Python process, so it uses about one core
at most, and here the replicas share the machine's cores with the PostgreSQL server.
Uncapped, one replica already takes most of a core; on a 2-core machine three replicas
only add what the server leaves of the rest, so the ratio stays below 2 whatever the
code does (if one replica fills a core, it is at most 2*py/(py+pg), with py and pg the
replica's and the server's CPU per answer). In production each replica runs on its own
share of a node under its own CPU limit (`limits: cpu` in
deploy/kubernetes/*/deployment.yaml, 1 CPU there), and adding a replica adds that much
CPU. So by default each replica process is put, before it builds its app, in its own
cgroup with a CFS quota of --replica-cpu cores, which is how Kubernetes enforces a CPU
limit. The default, 0.5, is smaller than the deployments' limit so that three capped
replicas and the server still fit this machine's 2 cores (at 0.5 they just about do;
0.4 leaves room). That needs a writable cgroup `cpu` controller (v1 or
v2, e.g. as root); without one the bench says so and runs uncapped. The cgroups are
removed after each configuration, and how often the quota throttled each replica is
printed.

The replicas and the server share this machine's cores, so each timed window also says
where the CPU went (replica processes; the PostgreSQL processes serving this database;
other processes, e.g. other people's tests; idle), and from the CPU one answer costs,
how fast one and three replicas could go at most with every core free for them (each
replica at most its cap, or one core uncapped; all of them and the server at most the
machine's cores).

Target: three replicas take the same load at least 2x as fast as one.

    .venv/bin/python bench/pg_intake.py [--database postgresql://127.0.0.1:5432/test]
        [--answers 9000] [--groups 10] [--runs 3] [--replica-cpu 0.5]
    .venv/bin/python bench/pg_intake.py --replica-cpu 0    # uncapped: bounded by the machine

Each configuration of each run gets a throwaway schema, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import load_average, verdict
from bot.app import App, build_app
from bot.clock import ManualClock
from bot.config import Config, default_content_dir
from bot.model import ChannelRef, MemberRef, MessageRef, PostedRound
from bot.ports import Event, Invocation, ThreadReply
from bot.replies import Reply

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TARGET = 2.0
CORES = os.cpu_count() or 1


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
    config = Config(database_url=url, content_dir=default_content_dir(), member_limits=False)
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


# -- a CPU limit per replica -----------------------------------------------------


CGROUPS = Path("/sys/fs/cgroup")
PERIOD_US = 100_000  # the CFS period Kubernetes uses: the quota is per 100 ms
CGROUP_PREFIX = "studybot-bench"


def cpu_hierarchy() -> tuple[Path, int]:
    """The cgroup hierarchy holding the `cpu` controller, and its version (2 or 1).

    Raises OSError if there is none.
    """
    for unified in (CGROUPS, CGROUPS / "unified"):
        try:
            if "cpu" in (unified / "cgroup.controllers").read_text().split():
                return unified, 2
        except OSError:
            continue
    if (CGROUPS / "cpu" / "cpu.cfs_quota_us").exists():
        return CGROUPS / "cpu", 1
    raise OSError(f"no cgroup cpu controller under {CGROUPS}")


@dataclass(frozen=True, slots=True)
class Throttling:
    """A cgroup's CFS counters: periods it ran in, periods its quota ran out, time held back."""

    periods: int
    throttled: int
    seconds: float

    def since(self, before: Throttling) -> Throttling:
        """The counters' growth since `before`."""
        return Throttling(
            self.periods - before.periods,
            self.throttled - before.throttled,
            self.seconds - before.seconds,
        )

    @property
    def share(self) -> float:
        """Fraction of the periods it ran in that its quota ran out."""
        return self.throttled / self.periods if self.periods else 0.0


class CpuLimit:
    """A cgroup with a CFS CPU quota, the way Kubernetes applies a container's CPU limit."""

    def __init__(self, path: Path, version: int) -> None:
        self.path = path
        self.version = version

    @classmethod
    def create(cls, name: str, cores: float) -> CpuLimit:
        """Make cgroup `name` allowing `cores` CPUs per period; OSError if not allowed here."""
        root, version = cpu_hierarchy()
        if version == 2 and "cpu" not in (root / "cgroup.subtree_control").read_text().split():
            raise OSError(f"the cpu controller is not enabled in {root}/cgroup.subtree_control")
        path = root / name
        path.mkdir()
        limit = cls(path, version)
        quota = max(1000, int(cores * PERIOD_US))  # the kernel's least quota is 1 ms
        try:
            if version == 2:
                limit.write("cpu.max", f"{quota} {PERIOD_US}")
            else:
                limit.write("cpu.cfs_period_us", str(PERIOD_US))
                limit.write("cpu.cfs_quota_us", str(quota))
        except OSError:
            limit.remove()
            raise
        return limit

    def write(self, control: str, value: str) -> None:
        """Write `value` to one of the cgroup's control files."""
        (self.path / control).write_text(value)

    def add(self, pid: int) -> None:
        """Move process `pid`, with all its threads, into the cgroup."""
        self.write("cgroup.procs", str(pid))

    def throttling(self) -> Throttling:
        """The cgroup's CFS counters so far (from cpu.stat)."""
        lines = (self.path / "cpu.stat").read_text().splitlines()
        stat = {key: int(value) for key, value in (line.split() for line in lines)}
        if self.version == 2:
            held = stat["throttled_usec"] / 1e6
        else:
            held = stat["throttled_time"] / 1e9
        return Throttling(stat["nr_periods"], stat["nr_throttled"], held)

    def remove(self) -> None:
        """Remove the cgroup, once its processes have exited; say so if it cannot be."""
        for attempt in range(20):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError as error:
                if attempt == 19:
                    print(f"could not remove {self.path}: {error}", flush=True)
                    return
                time.sleep(0.05)  # an exited process may leave its cgroup a moment later


def cap_process(pid: int, name: str, cores: float) -> CpuLimit | None:
    """Put process `pid` in a new cgroup `name` limited to `cores` CPUs.

    If that cannot be done, say so and return None: the process runs uncapped.
    """
    try:
        limit = CpuLimit.create(name, cores)
    except OSError as error:
        print(f"cannot cap a replica at {cores:g} CPU ({error}); it runs uncapped", flush=True)
        return None
    try:
        limit.add(pid)
    except OSError as error:
        limit.remove()
        print(f"cannot cap a replica at {cores:g} CPU ({error}); it runs uncapped", flush=True)
        return None
    return limit


def usable_cap(cores: float) -> float:
    """`cores` if replicas can be capped at that on this machine, else 0 (uncapped, said so)."""
    if cores <= 0:
        return 0.0
    try:
        CpuLimit.create(f"{CGROUP_PREFIX}-{uuid.uuid4().hex[:10]}-probe", cores).remove()
    except OSError as error:
        print(
            f"cannot cap the replicas at {cores:g} CPU ({error}): running uncapped, so the"
            f" ratio is bounded by this machine's {CORES} cores, not by the code"
        )
        return 0.0
    return cores


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

    def ceiling(self, replicas: int, answers: int, cap: float) -> tuple[float, str]:
        """Answers/s `replicas` replicas could take at most at this CPU per answer, and why.

        Each replica gets at most `cap` cores (one core if uncapped: Python runs the app
        in one thread); the replicas and the server together at most the machine's cores.
        """
        per_replica = min(cap, 1.0) if cap > 0 else 1.0
        by_replicas = replicas * per_replica * answers / self.replicas
        by_machine = CORES * answers / (self.replicas + self.server)
        if by_replicas <= by_machine:
            bound = f"{per_replica:g} CPU each" if cap > 0 else "one core each"
            return by_replicas, bound
        return by_machine, f"the {CORES} cores"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One timed configuration."""

    replicas: int
    seconds: float
    per_replica: tuple[float, ...]  # each replica's own answers/s
    cpu: Cpu  # what the machine's CPU did meanwhile
    throttling: tuple[Throttling, ...]  # each capped replica's, over the timed window

    def rate(self, answers: int) -> float:
        return answers / self.seconds

    def describe_throttling(self) -> str:
        """How much the CPU caps held the replicas back (empty if none was capped)."""
        if not self.throttling:
            return ""
        shares = ", ".join(f"{t.share:.0%}" for t in self.throttling)
        held = ", ".join(f"{t.seconds:.1f}" for t in self.throttling)
        whose = "its" if len(self.throttling) == 1 else "their"
        return (
            f"quota ran out in {shares} of {whose} {PERIOD_US // 1000} ms periods;"
            f" throttled s {held}"
        )


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


async def spawn_replica(
    url: str, index: int, replicas: int, answers: int, groups: int
) -> asyncio.subprocess.Process:
    """Start replica process `index` of `replicas`; it builds its app, then says "ready"."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--replica",
        f"{index}/{replicas}",
        "--database",
        url,
        "--answers",
        str(answers),
        "--groups",
        str(groups),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def run_replicas(url: str, replicas: int, answers: int, groups: int, cap: float) -> Outcome:
    """Start the replicas, each in its own CPU-capped cgroup if `cap`, and time them.

    The replicas are ended and their cgroups removed afterwards, also on errors.
    """
    procs: list[asyncio.subprocess.Process] = []
    limits: list[CpuLimit] = []
    name = f"{CGROUP_PREFIX}-{uuid.uuid4().hex[:10]}"
    try:
        for i in range(replicas):
            procs.append(await spawn_replica(url, i, replicas, answers, groups))
            limit = cap_process(procs[-1].pid, f"{name}-{i}", cap) if cap > 0 else None
            if limit is not None:
                limits.append(limit)
        return await time_replicas(url, procs, limits)
    finally:
        for proc in procs:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
            await proc.wait()
        for limit in limits:
            limit.remove()


async def time_replicas(
    url: str, procs: list[asyncio.subprocess.Process], limits: list[CpuLimit]
) -> Outcome:
    """Once every replica is ready, let them go together; measure them and the CPU."""
    for proc in procs:
        assert proc.stdout is not None
        line = await proc.stdout.readline()
        if line.strip() != b"ready":
            raise SystemExit(f"a replica did not start: {line!r}")
    database = urlsplit(url).path.strip("/")
    server, (busy, idle) = server_ticks(database), machine_ticks()
    throttled = [limit.throttling() for limit in limits]
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
    throttled = [limit.throttling().since(t) for limit, t in zip(limits, throttled, strict=True)]
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
        len(procs),
        seconds,
        tuple(r["answers"] / (r["end"] - r["start"]) for r in reports),
        Cpu(
            replicas_cpu,
            server_cpu,
            max(0.0, (busy_after - busy) / TICK - replicas_cpu - server_cpu),
            (idle_after - idle) / TICK,
        ),
        tuple(throttled),
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


async def configuration(url: str, replicas: int, answers: int, groups: int, cap: float) -> Outcome:
    """Time one configuration on a fresh schema, verify the answers, drop the schema."""
    admin = await asyncpg.connect(url)
    schema = f"bench_intake_{uuid.uuid4().hex[:10]}"
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        scoped = with_schema(url, schema)
        await prepare(scoped, answers, groups)
        outcome = await run_replicas(scoped, replicas, answers, groups, cap)
        await admin.execute(f"SET search_path = {schema}")
        await verify(admin, answers, groups)
        return outcome
    finally:
        await admin.execute("RESET search_path")
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


def describe_cap(cap: float) -> str:
    """Which CPU limit the replicas run under."""
    if cap > 0:
        return (
            f"each replica capped at {cap:g} CPU"
            f" (cgroup v{cpu_hierarchy()[1]} CFS quota, as a Kubernetes CPU limit)"
        )
    return (
        "replicas uncapped (each may take a whole core, so the ratio is bounded"
        f" by this machine's {CORES} cores)"
    )


def report_run(run: int, ratio: float, one: Outcome, three: Outcome, answers: int) -> None:
    """Print one run: the ratio, and each configuration's rate, CPU and throttling."""
    each = ", ".join(f"{r:.0f}" for r in three.per_replica)
    print(f"run {run}: ratio {ratio:.2f}; {load_average()}")
    print(
        f"  1 replica:  {one.rate(answers):6.0f} answers/s in {one.seconds:5.2f} s;"
        f" {one.cpu.describe()}"
    )
    if one.throttling:
        print(f"              {one.describe_throttling()}")
    print(
        f"  3 replicas: {three.rate(answers):6.0f} answers/s in {three.seconds:5.2f} s;"
        f" {three.cpu.describe()}; each replica {each} answers/s"
    )
    if three.throttling:
        print(f"              {three.describe_throttling()}")


def report_ceiling(outcomes: list[tuple[Outcome, Outcome]], answers: int, cap: float) -> None:
    """Print the CPU one answer cost and the rates that allows at most, with every core free.

    The ceiling of three replicas over the best measured single-replica rate bounds the ratio.
    """
    one = min((o for o, _ in outcomes), key=lambda o: o.cpu.per_answer(answers))
    three = min((t for _, t in outcomes), key=lambda t: t.cpu.per_answer(answers))
    top_one, why_one = one.cpu.ceiling(1, answers, cap)
    top_three, why_three = three.cpu.ceiling(3, answers, cap)

    def split(outcome: Outcome) -> str:
        cpu = outcome.cpu
        return (
            f"{cpu.per_answer(answers):.2f} ms ({cpu.replicas * 1000 / answers:.2f} replica"
            f" + {cpu.server * 1000 / answers:.2f} PostgreSQL)"
        )

    best_one = max(o.rate(answers) for o, _ in outcomes)
    print(
        f"CPU per answer (replicas + PostgreSQL, lowest): 1 replica {split(one)},"
        f" 3 replicas {split(three)}; so with all {CORES} cores free, one replica takes at"
        f" most {top_one:.0f} answers/s (bound by {why_one}) and three at most"
        f" {top_three:.0f} (bound by {why_three}), {top_three / best_one:.2f}x the best"
        " single-replica rate"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--answers", type=int, default=9000)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--replica-cpu",
        type=float,
        default=0.5,
        metavar="CORES",
        help="CPU limit of each replica (cgroup CFS quota); 0: uncapped",
    )
    parser.add_argument("--replica", help=argparse.SUPPRESS)  # "i/n": run as replica i of n
    args = parser.parse_args()
    if args.replica:
        index, of = (int(x) for x in args.replica.split("/"))
        await replica(args.database, index, of, args.answers, args.groups)
        return
    cap = usable_cap(args.replica_cpu)
    print(
        f"answer intake on {args.database}: {args.answers:,} answers from as many members"
        f" in {args.groups} groups, all at once; {describe_cap(cap)}"
    )
    print(
        f"machine: {CORES} CPU cores, shared by the PostgreSQL server and every"
        f" replica process (each replica generates its own share of the load); {load_average()}"
    )
    ratios, outcomes = [], []
    for run in range(1, args.runs + 1):
        one = await configuration(args.database, 1, args.answers, args.groups, cap)
        three = await configuration(args.database, 3, args.answers, args.groups, cap)
        outcomes.append((one, three))
        ratio = three.rate(args.answers) / one.rate(args.answers)
        ratios.append(ratio)
        report_run(run, ratio, one, three, args.answers)
    print("every run: the database held exactly one answer per member, none lost or doubled")
    report_ceiling(outcomes, args.answers, cap)
    low, mid = min(ratios), statistics.median(ratios)
    print(
        f"ratio 3 replicas / 1 replica: median {mid:.2f}, lowest {low:.2f}"
        f" (target >= {TARGET}: {verdict(mid >= TARGET)}, on the median)"
    )


if __name__ == "__main__":
    asyncio.run(main())
