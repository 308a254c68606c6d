"""Pacing chat.postMessage against a fake that enforces per-channel and per-method limits."""

from __future__ import annotations

import asyncio
import itertools
import time

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.chat import PostPacer, SlackChat, retry_handlers
from bot.model import ChannelRef
from bot.replies import Reply, Visibility
from loopback.slack import FakeSlack, PostLimits

RATE = 100.0  # posts a second, workspace-wide (scaled down from Slack's for a quick test)
CHANNEL_INTERVAL = 0.1


async def test_a_fan_out_flows_at_the_allowed_rate_without_429s() -> None:
    async with FakeSlack() as fake, aiohttp.ClientSession() as session:
        # Slack allows short bursts; a little room absorbs the loop's timing jitter.
        fake.post_limits = PostLimits(
            per_channel_rate=1 / CHANNEL_INTERVAL,
            per_channel_burst=2,
            method_rate=RATE,
            method_burst=10,
        )
        pacer = PostPacer(RATE, CHANNEL_INTERVAL)
        client = AsyncWebClient(
            token="xoxb-1",
            base_url=fake.api_url,
            session=session,
            retry_handlers=retry_handlers(pacer),
        )
        chat = SlackChat(client, pacer)
        await client.auth_test()  # a running bot has its connection to Slack open
        places = [ChannelRef("slack", "T", f"C{i}") for i in range(50)]
        places += [ChannelRef("slack", "T", "CBUSY")] * 5
        card = Reply(title="Question", text="Why?", visibility=Visibility.PUBLIC)
        start = time.perf_counter()
        posted = await asyncio.gather(*(chat.post_round(p, card) for p in places))
        elapsed = time.perf_counter() - start
        assert fake.rejected == []
        assert len({p.message.message_id for p in posted}) == len(places)
        channels = [c.args["channel"] for c in fake.of("chat.postMessage")]
        assert sorted(channels) == sorted(p.channel_id for p in places)
        busy = [c.at for c in fake.of("chat.postMessage") if c.args["channel"] == "CBUSY"]
        # Times are when the fake received each post: a loaded machine may delay one post on
        # its way and not the next, so single gaps jitter; their sum cannot shrink.
        gaps = [b - a for a, b in itertools.pairwise(busy)]
        assert sum(gaps) >= CHANNEL_INTERVAL * len(gaps) * 0.95
        assert min(gaps) >= CHANNEL_INTERVAL * 0.5
        allowed = (len(places) - 1) / RATE
        assert allowed * 0.9 <= elapsed <= allowed * 2 + 0.2


async def test_a_429_pauses_every_post() -> None:
    pacer = PostPacer(1000.0, 0.0)
    await pacer.wait("C1")
    pacer.pause(0.2)
    start = time.perf_counter()
    await pacer.wait("C2")
    assert time.perf_counter() - start >= 0.18
