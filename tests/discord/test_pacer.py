"""The pacer that keeps the adapter's requests under Discord's global limit."""

from __future__ import annotations

import asyncio
import time

import pytest

from adapters.discord.chat import Pacer


async def test_concurrent_callers_leave_evenly_spaced() -> None:
    pacer = Pacer(rate=200)
    left: list[float] = []

    async def one() -> None:
        await pacer.wait()
        left.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(41)))
    assert left[-1] - left[0] >= 40 / 200 - 0.005, "one interval apart on average"


@pytest.mark.slow
async def test_a_stalled_loop_does_not_release_a_burst() -> None:
    pacer = Pacer(rate=20)
    left: list[float] = []

    async def one() -> None:
        await pacer.wait()
        left.append(time.monotonic())

    tasks = [asyncio.create_task(one()) for _ in range(30)]
    await asyncio.sleep(0.05)
    time.sleep(0.5)  # noqa: ASYNC251 - the event loop is blocked on purpose: turns fall due
    await asyncio.gather(*tasks)
    # the turns that fell due during the stall catch up, but never more than
    # `rate` requests leave in any second
    for i, t in enumerate(left):
        assert sum(1 for u in left[i:] if u - t < 1.0) <= 20


def test_the_rate_must_be_at_least_one_a_second() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Pacer(rate=0.5)


async def test_idle_rate_limit_buckets_are_cleared_in_linear_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import discord

    from adapters.discord.client import StudybotClient
    from adapters.discord.settings import DiscordSettings

    looks = 0
    is_inactive = discord.http.Ratelimit.is_inactive

    def counted(self: discord.http.Ratelimit) -> bool:  # counts, and keeps discord.py's answer
        nonlocal looks
        looks += 1
        return is_inactive(self)

    monkeypatch.setattr(discord.http.Ratelimit, "is_inactive", counted)
    client = StudybotClient(DiscordSettings(token="t"))
    http = client.http
    for i in range(4000):  # a bucket per channel and route, as in a fan-out
        http.get_ratelimit(f"POST /channels/{i}/messages")
        if i == 1999:
            for bucket in http._buckets.values():
                bucket._last_request -= 600  # idle for ten minutes
    assert len(http._buckets) < 4000, "idle buckets are still dropped"
    assert looks < 5 * 4000, f"{looks} looks at buckets: quadratic"
    await client.http.close()
