"""The daily post to 2,000 Slack channels, against a fake that enforces Slack's limits.

The fake Slack (its own process) enforces chat.postMessage's limits: one post a
second per channel (bursts of 2), and a workspace-wide rate for the method
(`--rate` a second, bursts of one second's worth; Slack does not publish that
figure, "several hundred a minute" is what apps meet, so the default is 600 a
minute, and the adapter's pace is a setting, SLACK_POSTS_PER_SECOND, given the
same value here). Every channel is
set up through the core; then every group's post job fires at once, as
APScheduler fires them at the shared post time, and each posts its round
through the real Slack chat port (pacer, slack-sdk client, retry handler).

Target: finished within 1.15x of the time the limits allow ((N - burst) / rate),
no channel missed, none posted twice.

    .venv/bin/python bench/slack_fanout.py [--channels 2000] [--rate 10]
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

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from adapters.slack.chat import PostPacer, SlackChat, retry_handlers  # noqa: E402
from adapters.slack.settings import DEFAULT_CHANNEL_INTERVAL  # noqa: E402
from bench.figures import verdict  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Config, default_content_dir  # noqa: E402
from bot.model import ChannelRef, MemberRef, RoundStatus  # noqa: E402
from bot.ports import Invocation  # noqa: E402
from loopback.slack import TEAM, FakeSlackProcess, PostLimits  # noqa: E402

POST_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def run(channels: int, rate: float) -> None:
    burst = max(1, int(rate))
    limits = PostLimits(
        per_channel_rate=1.0 / DEFAULT_CHANNEL_INTERVAL,
        per_channel_burst=2,
        method_rate=rate,
        method_burst=burst,
    )
    fake = FakeSlackProcess(limits=limits).start()
    try:
        with tempfile.TemporaryDirectory(dir=REPO) as tmp:
            async with aiohttp.ClientSession() as session:
                # The adapter paces at the rate it is told, keeping half the burst in hand
                # (arrivals bunch up a little on the way to Slack).
                pacer = PostPacer(rate, DEFAULT_CHANNEL_INTERVAL, burst=max(1, burst // 2))
                client = AsyncWebClient(
                    token="xoxb-bench",
                    base_url=fake.api_url,
                    session=session,
                    retry_handlers=retry_handlers(pacer),
                )
                chat = SlackChat(client, pacer)
                clock = ManualClock(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
                config = Config(
                    database_url=f"sqlite:///{Path(tmp) / 'fanout.sqlite3'}",
                    content_dir=default_content_dir(),
                )
                app = await build_app(config, chat, clock)
                await app.start()
                admin = MemberRef("slack", "U00000", "Admin", can_manage=True)
                for i in range(channels):
                    place = ChannelRef("slack", TEAM, f"C{i:05d}")
                    [reply] = await app.core.handle(
                        Invocation("studybot", "setup time=09:00 tz=UTC days=daily", admin, place)
                    )
                    assert not reply.is_error, reply.text
                groups = await app.store.list_groups()
                await client.auth_test()  # the bot's connection to Slack is open
                clock.set(POST_AT)
                start = time.perf_counter()
                started = time.monotonic()
                await asyncio.gather(*(app.rounds.post_due(g.id) for g in groups))
                elapsed = time.perf_counter() - start
                rounds = [await app.store.round_on(g.id, POST_AT.date()) for g in groups]
                await app.stop()
    finally:
        summary = fake.summary()
        fake.stop()
    per_channel = summary["posts_per_channel"]
    missed = channels - len(per_channel)
    doubled = sum(1 for n in per_channel.values() if n > 1)
    open_rounds = sum(1 for r in rounds if r is not None and r.status is RoundStatus.OPEN)
    allowed = (channels - burst) / rate
    ratio = elapsed / allowed
    met = ratio <= 1.15 and missed == 0 and doubled == 0 and open_rounds == channels
    print(
        f"daily post to {channels} channels; limits: {rate:g} chat.postMessage a second "
        f"(bursts of {burst}), 1 a second per channel"
    )
    print(f"finished in {elapsed:.2f} s; the limits allow {allowed:.2f} s at best")
    first, last = summary["first_post"], summary["last_post"]
    if first is not None and last is not None:
        print(
            f"first post after {first - started:.2f} s (the core claiming rounds), "
            f"first to last post {last - first:.2f} s"
        )
    print(
        f"posts: {sum(per_channel.values())}, channels missed: {missed}, posted twice: {doubled},"
        f" rounds open: {open_rounds}, answered 429: {summary['rejected']}"
    )
    print(f"ratio: {ratio:.3f} (target <= 1.15, none missed, none doubled): {verdict(met)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=10.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(run(args.channels, args.rate))


if __name__ == "__main__":
    main()
