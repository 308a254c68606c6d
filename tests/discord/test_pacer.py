"""The pacer that keeps the adapter's requests under Discord's global limit."""

from __future__ import annotations

import asyncio
import time

import pytest

from adapters.discord.chat import DEFAULT_RATE, Pacer, process_rate


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


def test_the_rate_must_be_more_than_zero() -> None:
    with pytest.raises(ValueError, match="more than zero"):
        Pacer(rate=0)
    assert Pacer(rate=0.5).rate == 0.5  # a share below one a second (many processes)


async def test_a_rate_below_one_a_second_spaces_every_request() -> None:
    pacer = Pacer(rate=1 / 0.3)  # a request every 0.3 s, never two within 0.3 s
    left: list[float] = []
    for _ in range(3):
        await pacer.wait()
        left.append(time.monotonic())
    assert left[2] - left[0] >= 2 * 0.3 - 0.005
    slow = Pacer(rate=0.5)  # below one a second: the window is one interval, not a second
    assert slow._window == 2.0 and slow._left.maxlen == 1


@pytest.mark.parametrize(
    ("count", "ids", "processes"),
    [
        (None, None, 1),  # one process runs every shard
        (4, (0, 1, 2, 3), 1),
        (8, (0, 1), 4),
        (10, (0, 1, 2), 4),  # 10 shards, 3 here: 4 processes at least
        (3, (2,), 3),
    ],
)
async def test_each_process_paces_at_its_share_of_the_bots_rate(
    count: int | None, ids: tuple[int, ...] | None, processes: int
) -> None:
    from adapters.discord.client import StudybotClient
    from adapters.discord.settings import DiscordSettings

    settings = DiscordSettings(token="t", shard_count=count, shard_ids=ids)
    assert settings.processes == processes
    client = StudybotClient(settings)
    assert client.chat.pacer.rate == pytest.approx(DEFAULT_RATE / processes)
    await client.http.close()


@pytest.mark.parametrize("split", [(7, 1, 1, 1), (5, 5), (4, 3, 3), (1,) * 10, (9, 1)])
def test_unequal_shares_together_stay_within_the_bots_rate(split: tuple[int, ...]) -> None:
    from adapters.discord.settings import DiscordSettings

    count, start, total = sum(split), 0, 0.0
    for size in split:  # each process runs its own consecutive shard ids
        ids = tuple(range(start, start + size))
        start += size
        settings = DiscordSettings(token="t", shard_count=count, shard_ids=ids)
        total += process_rate(settings.processes)
    assert total <= DEFAULT_RATE + 1e-9


@pytest.mark.slow
async def test_two_shard_processes_together_stay_under_the_bots_global_limit() -> None:
    import discord

    from adapters.discord.client import StudybotClient
    from adapters.discord.settings import DEFAULT_API_BASE, DiscordSettings
    from bot.model import ChannelRef
    from bot.replies import Reply
    from loopback.discord import FakeDiscord

    async with FakeDiscord(shard_count=2, global_limit=50) as fake:  # 50 a second, per bot
        guild = fake.add_guild("g", channels=2)
        places = [ChannelRef("discord", guild["id"], c["id"]) for c in guild["channels"]]
        discord.http.Route.BASE = fake.api_base
        clients = [  # two processes of one bot, each running one of its two shards
            StudybotClient(
                DiscordSettings(
                    token=fake.token, api_base=fake.api_base, shard_count=2, shard_ids=(shard,)
                )
            )
            for shard in (0, 1)
        ]
        try:
            for client in clients:
                await client.login(fake.token)
            fake.forget_calls()
            await asyncio.gather(
                *(
                    client.chat.post(place, Reply(text=f"post {n}"))
                    for client, place in zip(clients, places, strict=True)
                    for n in range(30)
                )
            )
            assert fake.global_violations == 0 and fake.invalid_requests == 0
            assert len(fake.calls) == 60
        finally:
            for client in clients:
                await client.close()
            discord.http.Route.BASE = DEFAULT_API_BASE


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
