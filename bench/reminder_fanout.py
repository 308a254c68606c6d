"""Reminders of 2,000 groups falling in the same minute, as DMs on Discord, under its limits.

The fake Discord (in its own process) enforces the global limit of 50 requests
a second and per-route buckets (5 requests per 5 s, with X-RateLimit headers),
and counts every request over a limit. Studybot, on the real adapter and
discord.py, has N groups posting at 09:00 and revealing at 17:00, so each
group's reminder (`remind=2h`) falls at 15:00. Each group has a few members
who answered yesterday (a real attempt, a streak of 1) and not yet today: at
15:00 every group's reminder job runs at once (as the scheduler fires them),
and each member gets one DM, through the adapter's pacer.

The members were reminded before (on earlier days), so the bot knows their DM
channels: a reminder is one request. Opening a DM channel is a call of its own
(POST /users/@me/channels), which Discord limits apart; the warm-up opens them
once, with the fake's limits lifted, and is not measured.

Target: finished within 1.15x of the time the global limit allows for those
requests (requests / 50 per second), no member missed, none reminded twice,
and, besides, no request refused (no 429 relied upon).

    .venv/bin/python bench/reminder_fanout.py [--groups 2000] [--members 3]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.discord.chat import DEFAULT_RATE, Pacer
from adapters.discord.main import DiscordPlatform
from bench.figures import verdict
from bench.loopback_guilds import add_channels, platform_on
from bot.app import App, build_app
from bot.clock import ManualClock, to_micros
from bot.config import Config, default_content_dir
from bot.model import MemberRef, RoundStatus
from bot.ports import Invocation
from bot.replies import Reply
from loopback.discord import FakeDiscordProcess

GLOBAL_LIMIT = 50
ROUTE_LIMIT = (5, 5.0)
TODAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday: yesterday's round was revealed
REMIND_AT = TODAY.replace(hour=15)
FIRST_USER = 4_000_000_000_000_000  # members' user ids (snowflake-sized)


async def seed(app: App, members: int, question: str) -> dict[int, list[MemberRef]]:
    """Give each group yesterday's revealed round (its members answered) and today's open one.

    Written straight to the database, as the rounds' life is not what is measured;
    today's reminder is planned at 15:00 as posting the round plans it.
    """
    groups = await app.store.list_groups()
    who: dict[int, list[MemberRef]] = {}
    yesterday = TODAY - timedelta(days=1)
    async with app.store.db.transaction() as tx:
        for n, group in enumerate(groups):
            refs = [
                MemberRef("discord", str(FIRST_USER + n * members + k), f"Member {n}-{k}")
                for k in range(members)
            ]
            who[group.id] = refs
            for day, status, seq in ((yesterday, "revealed", 1), (TODAY, "open", None)):
                await tx.execute(
                    "INSERT INTO rounds (group_id, local_date, question_id, status, scheduled_for,"
                    " reveal_at, posted_at, revealed_at, reveal_seq, attempts, message_id,"
                    " thread_id) VALUES (:g, :d, :q, :s, :at, :rv, :at, :rd, :seq, 1, 'm', 't')",
                    {
                        "g": group.id,
                        "q": question,
                        "d": day.date().isoformat(),
                        "s": status,
                        "at": to_micros(day),
                        "rv": to_micros(day.replace(hour=17)),
                        "rd": to_micros(day.replace(hour=17)) if seq else None,
                        "seq": seq,
                    },
                )
            rows = await tx.fetch(
                "SELECT id, status FROM rounds WHERE group_id = :g", {"g": group.id}
            )
            ids = {r["status"]: int(r["id"]) for r in rows}
            for ref in refs:
                member = await tx.fetchrow(
                    "INSERT INTO members (platform, user_id, display_name) VALUES"
                    " ('discord', :u, :n) RETURNING id",
                    {"u": ref.user_id, "n": ref.display_name},
                )
                assert member is not None
                await tx.execute(
                    "INSERT INTO answers (round_id, member_id, text, source, submitted_at, late,"
                    " coverage, covered, points, attempt) VALUES (:r, :m, 'an answer', 'thread',"
                    " :at, 0, 0.5, '[true]', 20, 1)",
                    {"r": ids["revealed"], "m": member["id"], "at": to_micros(yesterday)},
                )
                await tx.execute(
                    "INSERT INTO member_stats (group_id, member_id, streak, best_streak,"
                    " last_seq, rounds_answered, coverage_sum) VALUES (:g, :m, 1, 1, 1, 1, 0.5)",
                    {"g": group.id, "m": member["id"]},
                )
            await tx.execute(
                "INSERT INTO round_reminders (round_id, remind_at, status) VALUES (:r, :at, 'due')",
                {"r": ids["open"], "at": to_micros(REMIND_AT)},
            )
    return who


async def warm_up(
    fake: FakeDiscordProcess, platform: DiscordPlatform, who: list[MemberRef]
) -> None:
    """Open every member's DM channel, as earlier reminders did (limits lifted, not measured)."""
    await fake.call("set_limits", None, None)
    paced = platform.chat.pacer
    platform.chat.pacer = Pacer(100_000)
    hello = Reply(text="Welcome to the study group.")
    await asyncio.gather(*(platform.chat.send_private(m, hello) for m in who))
    platform.chat.pacer = paced
    await fake.call("set_limits", GLOBAL_LIMIT, ROUTE_LIMIT)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=2000)
    parser.add_argument("--members", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    fake = FakeDiscordProcess(global_limit=GLOBAL_LIMIT, route_limit=ROUTE_LIMIT).start()
    try:
        places = await add_channels(fake, args.groups)
        platform = platform_on(fake)
        clock = ManualClock(TODAY.replace(hour=8))
        with tempfile.TemporaryDirectory(dir=".") as tmp:
            config = Config(
                database_url=f"sqlite:///{Path(tmp) / 'reminders.sqlite3'}",
                content_dir=default_content_dir(),
                member_limits=False,  # one admin sets up every group at once
            )
            app = await build_app(config, platform.chat, clock)
            await app.start()
            serving = asyncio.create_task(platform.run(app))
            await fake.call("wait_ready", within=60.0)
            admin = MemberRef("discord", "1", "Admin", can_manage=True)
            setup = "setup time=09:00 tz=UTC days=daily reveal=17:00"
            said = await asyncio.gather(
                *(app.core.handle(Invocation("studybot", setup, admin, p)) for p in places)
            )
            refused = [r[0].text for r in said if r and r[0].is_error]
            assert not refused, refused[:3]
            who = await seed(app, args.members, next(iter(app.bank.select((), ()))).id)
            members = [m for refs in who.values() for m in refs]
            await warm_up(fake, platform, members)
            before = (await fake.call("bench_report"))["posts"]
            await fake.call("forget_calls")

            clock.set(REMIND_AT)
            rounds = [r.id for r in await app.store.rounds_in([RoundStatus.OPEN])]
            started, cpu_started = time.monotonic(), time.process_time()
            await asyncio.gather(*(app.reminders.remind_due(r) for r in rounds))
            elapsed = time.monotonic() - started
            cpu = time.process_time() - cpu_started

            report = await fake.call("bench_report")
            recorded = await app.store.db.fetchrow(
                "SELECT COUNT(*) AS n FROM member_reminders WHERE error IS NULL", {}
            )
            sent = await app.store.db.fetchrow(
                "SELECT COUNT(*) AS n FROM round_reminders WHERE status = 'sent'", {}
            )
            await platform.close()
            await serving
            await app.stop()
    finally:
        fake.stop()

    expected = len(members)
    requests = report["calls"]
    allowed = requests / GLOBAL_LIMIT
    ratio = elapsed / allowed
    reminders = {c: n - before.get(c, 0) for c, n in report["posts"].items()}
    reminders = {c: n for c, n in reminders.items() if n}
    missed = expected - len(reminders)
    doubled = sum(1 for n in reminders.values() if n > 1)
    refused = sum(1 for s in report["statuses"] if s >= 400)
    print(f"reminders of {args.groups} groups at the same minute, {args.members} members each")
    print(f"requests: {requests} ({requests / expected:.2f} a reminder), refused: {refused}")
    print(
        f"over the global limit: {report['global_violations']}, "
        f"over a route bucket: {report['route_violations']}"
    )
    print(f"time the {GLOBAL_LIMIT}/s limit allows: {allowed:6.1f} s")
    print(f"time taken:                  {elapsed:6.1f} s  (ratio {ratio:.3f}, target <= 1.15)")
    print(
        f"the adapter paces at {DEFAULT_RATE:.0f}/s (a margin under {GLOBAL_LIMIT}/s), "
        f"which alone takes {requests / DEFAULT_RATE:.1f} s"
    )
    print(f"the bot's CPU time meanwhile: {cpu:5.1f} s ({cpu / expected * 1000:.2f} ms a reminder)")
    stored = recorded["n"] if recorded else 0
    done = sent["n"] if sent else 0
    print(
        f"members reminded: {len(reminders)}/{expected} (recorded {stored}), rounds done: "
        f"{done}/{len(rounds)}; missed: {missed}, reminded twice: {doubled}"
    )
    ok = ratio <= 1.15 and missed == 0 and doubled == 0
    print(f"target (time, none missed, none twice): {verdict(ok)}")
    print(f"paced without leaning on 429s: {'yes' if refused == 0 else 'no'} ({refused} refused)")


if __name__ == "__main__":
    asyncio.run(main())
