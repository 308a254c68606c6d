"""Interactions through the loopback Discord gateway: studybot against a bare discord.py bot.

The fake Discord runs in its own process; it sends INTERACTION_CREATE over the
gateway and times each interaction until its callback arrives. Each bot runs in
a fresh process of its own for each round (neither inherits the other's heap,
caches or garbage collector state). Measured in the same run, on the same fake:

- a bare discord.py bot (AutoShardedClient) whose listener only responds;
- studybot (the real adapter, the core, SQLite in a temporary folder), with a
  set-up channel, members with points, answering a mix of /leaderboard,
  /stats and /help (each reads the store or the command table, then renders).

Targets: at a sustained 200 interactions a second for 10 s, studybot's 99th
percentile at most 1.5x the bare bot's; 1,000 arriving at once, every one
answered, the 99th percentile under 1 s (Discord's limit is 3 s).

    .venv/bin/python bench/discord_interactions.py [--rate 200] [--seconds 10] [--burst 1000]
        [--rounds 5]

The two bots take turns for `--rounds` rounds and the medians of their 99th
percentiles are compared: on this 2-core machine (the fake Discord in one
process, the bot in another) a p99 at 200/s is set by a few stalls of 10-100 ms
(the machine's, or either process's garbage collector) that hit both bots, so
one round decides nothing. Before each measured phase the fake forgets what it
recorded and freezes its heap, so that its own garbage collections do not grow
from phase to phase and land on whichever bot runs later.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import discord

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.discord.main import DiscordPlatform
from adapters.discord.settings import DiscordSettings
from bench.figures import latency_line, percentile, verdict
from bot.app import build_app
from bot.clock import ManualClock
from bot.config import Config, default_content_dir
from bot.model import ChannelRef, MemberRef
from bot.ports import Invocation, ThreadReply
from loopback.discord import FakeDiscordProcess, Json

MEMBERS = 50
COMMANDS: list[tuple[str, str | None, dict[str, str]]] = [
    ("leaderboard", None, {"period": "week"}),
    ("stats", None, {}),
    ("help", None, {}),
]


class BareBot(discord.AutoShardedClient):
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


async def payloads_for(
    fake: FakeDiscordProcess, channel: Json, users: list[Json], n: int
) -> list[Json]:
    out = []
    for i in range(n):
        name, sub, options = COMMANDS[i % len(COMMANDS)]
        opts = [{"type": 3, "name": k, "value": v} for k, v in options.items()]
        data = await fake.call("command_data", name, opts, sub)
        user = users[i % len(users)]
        out.append(await fake.call("interaction_payload", 2, data, user=user, channel=channel))
    return out


async def measure(
    fake: FakeDiscordProcess, channel: Json, users: list[Json], n: int, rate: float | None
) -> list[float]:
    payloads = await payloads_for(fake, channel, users, n)
    await fake.call("settle")  # the fake's garbage from earlier phases is not the bot's
    latencies: list[float] = await fake.call("drive", payloads, rate)
    return latencies


# -- the bots, each in a fresh process per round --------------------------------


async def serve_bare_bot(api_base: str, token: str, conn: Connection) -> None:
    """Run the bare bot until told to stop."""
    discord.http.Route.BASE = api_base
    intents = discord.Intents.none()
    intents.guilds = True
    client = BareBot(intents=intents)
    task = asyncio.create_task(client.start(token))
    conn.send("started")
    await asyncio.to_thread(conn.recv)  # stop
    await client.close()
    await task


async def serve_studybot(
    api_base: str, token: str, guild: Json, channel: Json, users: list[Json], conn: Connection
) -> None:
    """Run studybot (the adapter, the core, SQLite) on a channel with history, until told."""
    settings = DiscordSettings(token=token, api_base=api_base)
    platform = DiscordPlatform(settings, guild_ready_timeout=0.1)
    clock = ManualClock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory(dir=".") as folder:
        config = Config(
            database_url=f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
            content_dir=default_content_dir(),
            member_limits=False,  # 50 members at 200/s: measure the commands' work, not refusals
        )
        app = await build_app(config, platform.chat, clock)
        await app.start()
        place = ChannelRef("discord", guild["id"], channel["id"])
        admin = MemberRef("discord", "1", "Admin", can_manage=True)
        members = [MemberRef("discord", u["id"], u["username"]) for u in users]
        task = asyncio.create_task(platform.run(app))
        conn.send("started")
        await asyncio.to_thread(conn.recv)  # connected
        # a channel with history: a round answered by every member, revealed and scored
        await app.core.handle(Invocation("studybot", "setup days=daily reveal=18:00", admin, place))
        await app.core.handle(Invocation("studybot", "post-now", admin, place))
        thread = await app.core.answer_thread(place)
        assert thread is not None
        for i, m in enumerate(members):
            await app.core.handle(
                ThreadReply(thread, m, f"answer {i} about bias and variance", f"a{i}")
            )
        await app.core.handle(Invocation("studybot", "reveal", admin, place))
        conn.send("set up")
        await asyncio.to_thread(conn.recv)  # stop
        await platform.close()
        await task
        await app.stop()


def bot_process(kind: str, conn: Connection, *args: Any) -> None:
    """A child process's entry point: serve one bot."""
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("discord").setLevel(logging.CRITICAL)  # late answers of the bare bot
    if kind == "bare":
        asyncio.run(serve_bare_bot(*args, conn))
    else:
        asyncio.run(serve_studybot(*args, conn))


async def run_bot(
    fake: FakeDiscordProcess,
    kind: str,
    guild: Json,
    channel: Json,
    users: list[Json],
    n: int,
    rate: float,
    burst: int,
) -> tuple[list[float], list[float]]:
    """Start a bot in a fresh process, measure it (warm-up, sustained, at once), stop it."""
    context = multiprocessing.get_context("spawn")
    conn, child = context.Pipe()
    args = (fake.api_base, fake.token) + ((guild, channel, users) if kind != "bare" else ())
    # not a daemon: studybot's chart drawer is a child process, which a daemon may not have
    process = context.Process(target=bot_process, args=(kind, child, *args), daemon=False)
    process.start()
    try:
        assert await asyncio.to_thread(conn.recv) == "started"
        await fake.call("wait_ready")
        if kind != "bare":
            conn.send("go on")
            assert await asyncio.to_thread(conn.recv) == "set up"
        await measure(fake, channel, users, 200, None)  # warm up
        sustained = await measure(fake, channel, users, n, rate)
        at_once = await measure(fake, channel, users, burst, None) if burst else []
        conn.send("stop")
        await asyncio.to_thread(process.join, 30)
    finally:
        if process.is_alive():
            process.kill()
        conn.close()
    return sustained, at_once


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("discord").setLevel(logging.CRITICAL)  # late answers of the bare bot
    n = int(args.rate * args.seconds)

    fake = FakeDiscordProcess().start()
    try:
        guild = await fake.call("add_guild", "bench")
        channel = guild["channels"][0]
        users = [await fake.call("user", f"member{i}") for i in range(MEMBERS)]
        bare_p99: list[float] = []
        ours_p99: list[float] = []
        for round_ in range(args.rounds):  # alternate the bots: a busy machine hits both alike
            last = round_ == args.rounds - 1
            at_once = args.burst if last else 0
            bare, bare_burst = await run_bot(
                fake, "bare", guild, channel, users, n, args.rate, at_once
            )
            ours, burst = await run_bot(
                fake, "studybot", guild, channel, users, n, args.rate, at_once
            )
            print(f"round {round_ + 1}:")
            print(latency_line("  bare discord.py bot (only responds)", bare))
            print(latency_line("  studybot (leaderboard/stats/help)", ours))
            for k, (name, _, _) in enumerate(COMMANDS):
                print(latency_line(f"    of which /{name}", ours[k :: len(COMMANDS)]))
            bare_p99.append(percentile(bare, 0.99))
            ours_p99.append(percentile(ours, 0.99))
    finally:
        fake.stop()

    print(f"interactions through the loopback gateway, {args.rate:.0f}/s for {args.seconds:.0f} s")
    ratio = statistics.median(ours_p99) / statistics.median(bare_p99)
    print(
        f"median p99 over {args.rounds} rounds: bare {statistics.median(bare_p99) * 1000:.1f} ms, "
        f"studybot {statistics.median(ours_p99) * 1000:.1f} ms"
    )
    print(f"p99 ratio studybot / bare: {ratio:.2f} (target <= 1.5): {verdict(ratio <= 1.5)}")
    if not args.burst:
        return
    print(latency_line(f"bare bot, {args.burst} at once", bare_burst))
    print(latency_line(f"studybot, {args.burst} at once", burst))
    p99 = percentile(burst, 0.99)
    answered = all(x != float("inf") for x in burst)
    ok = p99 < 1.0 and answered
    print(
        f"{args.burst} at once: all answered={answered}, "
        f"p99 {p99 * 1000:.0f} ms (target < 1000 ms, Discord's limit 3000 ms): "
        f"{verdict(ok)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
