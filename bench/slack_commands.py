"""Signed slash commands over HTTP, request to ack: studybot against a bare bolt app.

Each server runs in a process of its own and is measured in the same run, by
the same client (this process), with the same fake Slack (a third process):

- a bare bolt AsyncApp whose command listeners only ack, with bolt's defaults
  (the baseline of the targets); and, for reference, the same app with
  `process_before_response=True`, as studybot runs bolt (its listeners ack and
  leave the work to a task, so the ack need not wait for bolt's 10 ms poll);
- studybot's Slack adapter in HTTP mode (the real core, SQLite in a temporary
  folder, the full bank, a set-up channel with an open question), answering a
  mix of /answer, /leaderboard, /stats, /hint and /practice from 400 members;
  its replies go to the fake's response_url after the ack (their times, from
sending the command to the reply reaching the fake, are printed too).

Each request is signed like Slack's and timed from sending to the HTTP answer
(the ack). Targets: at a sustained 200 a second for 10 s, studybot's 99th
percentile at most 1.5x the bare app's; 500 arriving at once, its 99th
percentile at most 2x the bare app's and every one inside Slack's 3 s.

    .venv/bin/python bench/slack_commands.py [--rate 200] [--seconds 10] [--burst 500]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aiohttp import web  # noqa: E402
from slack_bolt.async_app import AsyncAck, AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from adapters.slack.main import EVENTS_PATH, SlackPlatform  # noqa: E402
from adapters.slack.settings import SlackSettings  # noqa: E402
from bench.figures import latency_line, percentile, verdict  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import Config, default_content_dir  # noqa: E402
from bot.model import ChannelRef, MemberRef  # noqa: E402
from bot.ports import Invocation  # noqa: E402
from loopback.slack import TEAM, FakeSlackProcess, SignedSender  # noqa: E402

SECRET = "bench-signing-secret"
CHANNEL = "C0BENCH"
MEMBERS = 400
MIX = (
    ("/answer", "Cross-validation averages several folds, so the estimate has less variance"),
    ("/leaderboard", "week"),
    ("/stats", ""),
    ("/hint", ""),
    ("/practice", ""),
)
SLACK_ACK_LIMIT = 3.0


# -- the servers (each in a child process) -------------------------------------------


async def _bare(api_url: str, conn: Connection, before_response: bool = False) -> None:
    client = AsyncWebClient(token="xoxb-bench", base_url=api_url)
    app = AsyncApp(client=client, signing_secret=SECRET, process_before_response=before_response)

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    for command, _ in MIX:
        app.command(command)(only_ack)
    runner = web.AppRunner(app.web_app(path=EVENTS_PATH), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, backlog=1024).start()
    conn.send(int(runner.addresses[0][1]))
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    await runner.cleanup()


async def _studybot(api_url: str, conn: Connection) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = SlackSettings(
            bot_token="xoxb-bench", signing_secret=SECRET, port=0, api_url=api_url
        )
        platform = SlackPlatform(settings, host="127.0.0.1")
        config = Config(
            database_url=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            content_dir=default_content_dir(),
            cache_dir=None,
            member_limits=False,  # measure the commands' work, not refusals
        )
        app = await build_app(config, platform.chat, SystemClock())
        await app.start()
        serving = asyncio.create_task(platform.run(app))
        while not platform.is_connected():  # noqa: ASYNC110 - the platform offers no event
            await asyncio.sleep(0.01)
        place = ChannelRef("slack", TEAM, CHANNEL)
        admin = MemberRef("slack", "U00000", "Member 0", can_manage=True)
        await app.core.handle(Invocation("studybot", "setup days=daily", admin, place))
        await app.core.handle(Invocation("studybot", "post-now", admin, place))
        conn.send(platform.port)
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        await platform.close()
        await serving
        await app.stop()


def _serve(kind: str, api_url: str, conn: Connection) -> None:
    logging.basicConfig(level=logging.ERROR)
    if kind == "studybot":
        asyncio.run(_studybot(api_url, conn))
    else:
        asyncio.run(_bare(api_url, conn, before_response=kind == "bare-inline"))


class Server:
    """A server under test in a process of its own."""

    def __init__(self, kind: str, api_url: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(kind, api_url, child), daemon=False)
        self._process.start()
        self.port = int(self._conn.recv())

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(30)
        if self._process.is_alive():  # not a daemon (its chart drawer is a child): never left
            self._process.kill()


# -- the client ------------------------------------------------------------------------


SENT: dict[str, float] = {}  # response_url hook -> when its command was sent (monotonic)
REPLIES: dict[str, list[float]] = {}  # studybot: command sent -> its reply at the fake


async def _one(sender: SignedSender, fake: FakeSlackProcess, i: int) -> float:
    command, text = MIX[i % len(MIX)]
    user = f"U{i % MEMBERS:05d}"
    start = time.perf_counter()
    SENT[f"r{i}"] = time.monotonic()
    status, _ = await sender.command(
        command, text, user=user, channel=CHANNEL, response_url=fake.response_url(f"r{i}")
    )
    elapsed = time.perf_counter() - start
    if status != 200:
        raise RuntimeError(f"{command} answered HTTP {status}")
    return elapsed


async def _sustained(
    sender: SignedSender, fake: FakeSlackProcess, rate: float, seconds: float, first: int
) -> list[float]:
    loop = asyncio.get_running_loop()
    n = int(rate * seconds)
    start = loop.time() + 0.05
    tasks = []
    for k in range(n):
        delay = start + k / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one(sender, fake, first + k)))
    return list(await asyncio.gather(*tasks))


async def _burst(sender: SignedSender, fake: FakeSlackProcess, n: int, first: int) -> list[float]:
    return list(await asyncio.gather(*(_one(sender, fake, first + k) for k in range(n))))


async def _settle(fake: FakeSlackProcess, replies: int) -> None:
    """Wait until the server's replies to every command reached the fake (or 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        seen = fake.summary()["methods"].get("response_url", 0)
        if seen >= replies:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"only {seen} of {replies} replies arrived")


def _reply_times(fake: FakeSlackProcess, first: int, n: int) -> list[float]:
    """Return, for commands first..first+n-1, how long their replies took to reach Slack."""
    arrived = fake.summary()["responses"]
    return [arrived[f"r{i}"] - SENT[f"r{i}"] for i in range(first, first + n)]


async def measure(
    kind: str, fake: FakeSlackProcess, rate: float, seconds: float, burst: int
) -> tuple[list[float], list[float]]:
    server = Server(kind, fake.api_url)
    replies_before = fake.summary()["methods"].get("response_url", 0)
    expects_replies = kind == "studybot"
    try:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            sender = SignedSender(session, f"http://127.0.0.1:{server.port}{EVENTS_PATH}", SECRET)
            # Warm-up: every member once (their names cached, connections open).
            await _sustained(sender, fake, rate, MEMBERS / rate, 0)
            sent = MEMBERS
            if expects_replies:
                await _settle(fake, replies_before + sent)
            steady = await _sustained(sender, fake, rate, seconds, sent)
            if expects_replies:
                await _settle(fake, replies_before + sent + len(steady))
                REPLIES["sustained"] = _reply_times(fake, sent, len(steady))
            sent += len(steady)
            at_once = await _burst(sender, fake, burst, sent)
            if expects_replies:
                await _settle(fake, replies_before + sent + len(at_once))
                REPLIES["all at once"] = _reply_times(fake, sent, len(at_once))
            sent += len(at_once)
    finally:
        server.stop()
    return steady, at_once


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=500)
    args = parser.parse_args()
    fake = FakeSlackProcess(users=MEMBERS).start()
    try:
        bare_steady, bare_burst = await measure("bare", fake, args.rate, args.seconds, args.burst)
        inline_steady, inline_burst = await measure(
            "bare-inline", fake, args.rate, args.seconds, args.burst
        )
        ours_steady, ours_burst = await measure(
            "studybot", fake, args.rate, args.seconds, args.burst
        )
    finally:
        fake.stop()
    print(
        f"signed slash commands over HTTP, request to ack ({args.rate:.0f}/s for "
        f"{args.seconds:.0f} s; then {args.burst} at once)"
    )
    print(latency_line("bare bolt app, sustained", bare_steady))
    print(latency_line("  (process_before_response)", inline_steady))
    print(latency_line("studybot, sustained", ours_steady))
    print(latency_line("bare bolt app, all at once", bare_burst))
    print(latency_line("  (process_before_response)", inline_burst))
    print(latency_line("studybot, all at once", ours_burst))
    for phase, times in REPLIES.items():
        print(latency_line(f"studybot replies, {phase}", times))
    steady_ratio = percentile(ours_steady, 0.99) / percentile(bare_steady, 0.99)
    burst_ratio = percentile(ours_burst, 0.99) / percentile(bare_burst, 0.99)
    inside = sum(1 for v in ours_burst if v < SLACK_ACK_LIMIT)
    ok_steady = steady_ratio <= 1.5
    ok_burst = burst_ratio <= 2.0 and inside == len(ours_burst)
    print(f"sustained p99 ratio: {steady_ratio:.2f} (target <= 1.5): {verdict(ok_steady)}")
    print(
        f"at-once p99 ratio: {burst_ratio:.2f} (target <= 2.0), {inside}/{len(ours_burst)} acked"
        f" inside 3 s: {verdict(ok_burst)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
