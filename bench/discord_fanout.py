"""The daily post to thousands of Discord channels at the same minute, under Discord's limits.

The fake Discord (in its own process) enforces the global limit of 50
requests a second and per-route buckets (5 requests per 5 s per channel, with
X-RateLimit headers), and counts every request over a limit. Studybot, on the
real adapter and discord.py, has N channels set up for 09:00; at 09:00 every
group's post job runs at once (as the scheduler fires them), each posting its
round (a message with an embed and buttons) and opening its thread: 2 requests
a channel, all through the adapter's pacer.

Target: finished within 1.15x of the time the global limit allows for those
requests (requests / 50 per second), no channel missed, none posted twice,
and, besides, no request refused (no 429 relied upon).

    .venv/bin/python bench/discord_fanout.py [--channels 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.discord.chat import DEFAULT_RATE
from bench.figures import verdict
from bench.loopback_guilds import add_channels, platform_on
from bot.app import build_app
from bot.clock import ManualClock
from bot.config import Config, default_content_dir
from bot.model import MemberRef, RoundStatus
from bot.ports import Invocation
from loopback.discord import FakeDiscordProcess

GLOBAL_LIMIT = 50
POST_TIME = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=2000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    fake = FakeDiscordProcess(global_limit=GLOBAL_LIMIT, route_limit=(5, 5.0)).start()
    try:
        places = await add_channels(fake, args.channels)
        platform = platform_on(fake)
        clock = ManualClock(POST_TIME.replace(hour=8))
        with tempfile.TemporaryDirectory(dir=".") as tmp:
            config = Config(
                database_url=f"sqlite:///{Path(tmp) / 'fanout.sqlite3'}",
                content_dir=default_content_dir(),
                member_limits=False,  # one admin sets up every channel at once
            )
            app = await build_app(config, platform.chat, clock)
            await app.start()
            serving = asyncio.create_task(platform.run(app))
            await fake.call("wait_ready", within=60.0)
            admin = MemberRef("discord", "1", "Admin", can_manage=True)
            await asyncio.gather(
                *(
                    app.core.handle(
                        Invocation("studybot", "setup time=09:00 tz=UTC days=daily", admin, p)
                    )
                    for p in places
                )
            )
            groups = await app.store.list_groups()
            assert len(groups) == args.channels, len(groups)
            await fake.call("forget_calls")

            clock.set(POST_TIME)
            started, cpu_started = time.monotonic(), time.process_time()
            await asyncio.gather(*(app.rounds.post_due(g.id) for g in groups))
            elapsed = time.monotonic() - started
            cpu = time.process_time() - cpu_started

            rounds = [await app.store.round_on(g.id, POST_TIME.date()) for g in groups]
            open_rounds = sum(1 for r in rounds if r is not None and r.status is RoundStatus.OPEN)
            report = await fake.call("bench_report")
            await platform.close()
            await serving
            await app.stop()
    finally:
        fake.stop()

    requests = report["calls"]
    allowed = requests / GLOBAL_LIMIT
    ratio = elapsed / allowed
    posts, threads = report["posts"], report["threads"]
    missed = args.channels - len(posts)
    doubled = sum(1 for n in posts.values() if n > 1)
    unthreaded = args.channels - sum(1 for n in threads.values() if n == 1)
    refused = sum(1 for s in report["statuses"] if s >= 400)
    print(f"daily post to {args.channels} channels at the same minute")
    print(f"requests: {requests} ({requests / args.channels:.1f} a channel), refused: {refused}")
    print(
        f"over the global limit: {report['global_violations']}, "
        f"over a route bucket: {report['route_violations']}"
    )
    print(f"time the {GLOBAL_LIMIT}/s limit allows: {allowed:6.1f} s")
    print(f"time taken:                  {elapsed:6.1f} s  (ratio {ratio:.3f}, target <= 1.15)")
    print(
        f"first request {report['first'] - started:.1f} s after 09:00, "
        f"last {report['last'] - started:.1f} s; the adapter paces at {DEFAULT_RATE:.0f}/s "
        f"(a margin under {GLOBAL_LIMIT}/s), which alone takes {requests / DEFAULT_RATE:.1f} s"
    )
    per_channel = cpu / args.channels * 1000
    print(f"the bot's CPU time meanwhile: {cpu:5.1f} s ({per_channel:.1f} ms a channel)")
    print(
        f"rounds open: {open_rounds}/{args.channels}; channels missed: {missed}, "
        f"posted twice: {doubled}, without a thread: {unthreaded}"
    )
    ok = ratio <= 1.15 and missed == 0 and doubled == 0 and unthreaded == 0
    print(f"target (time, no channel missed, none twice): {verdict(ok)}")
    print(
        f"paced without leaning on 429s: {'yes' if refused == 0 else 'no'} "
        f"({refused} refused and retried by discord.py)"
    )


if __name__ == "__main__":
    asyncio.run(main())
