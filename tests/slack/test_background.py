"""The Slack adapter's background work: bounded, and in order for one message."""

from __future__ import annotations

import asyncio

from adapters.slack.background import Background
from adapters.slack.chat import PostPacer, WorkerSlot, waiting


async def test_work_for_one_message_runs_in_order_and_other_work_does_not_wait() -> None:
    background = Background(limit=4)
    done: list[str] = []
    first_may_end = asyncio.Event()

    async def piece(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()  # say a users.info lookup that is slow this time
        done.append(name)

    async def failing() -> None:
        done.append("fails")
        raise RuntimeError("logged, and the next piece still runs")

    background.spawn(piece("post", first_may_end), "message", key=("C1", "1.1"))
    background.spawn(failing(), "reaction", key=("C1", "1.1"))
    background.spawn(piece("edit"), "message", key=("C1", "1.1"))
    background.spawn(piece("other message"), "message", key=("C1", "2.2"))
    background.spawn(piece("a command"), "command")
    for _ in range(5):
        await asyncio.sleep(0)
    assert done == ["other message", "a command"]  # neither waits for the slow post
    first_may_end.set()
    await background.drain()
    assert done == ["other message", "a command", "post", "fails", "edit"]


async def test_work_that_only_waits_lets_the_next_piece_run() -> None:
    background = Background(limit=1)
    done: list[str] = []

    async def rate_limited() -> None:
        async with waiting():  # say a 429's Retry-After
            await asyncio.sleep(0.2)
        done.append("rate limited")

    async def quick() -> None:
        done.append("quick")

    background.spawn(rate_limited(), "reaction")
    background.spawn(quick(), "command")
    await asyncio.sleep(0.1)
    assert done == ["quick"]  # it did not wait for the one slot to come back
    await background.drain()
    assert done == ["quick", "rate limited"]


async def test_the_pacers_waits_are_outside_the_slot() -> None:
    background = Background(limit=1)
    pacer = PostPacer(1000.0, channel_interval=0.3)
    done: list[str] = []

    async def two_posts() -> None:
        await pacer.wait("C1")
        await pacer.wait("C1")  # waits 0.3 s for its channel
        done.append("posts")

    async def other() -> None:
        done.append("other")

    background.spawn(two_posts(), "posts")
    await asyncio.sleep(0.05)
    background.spawn(other(), "other")
    await asyncio.sleep(0.1)
    assert done == ["other"]
    await background.drain()
    assert done == ["other", "posts"]


async def test_a_task_started_by_a_worker_does_not_give_away_its_slot() -> None:
    slots = asyncio.Semaphore(1)
    async with WorkerSlot(slots):

        async def child() -> None:
            async with waiting():
                assert slots.locked()  # still the parent's

        await asyncio.create_task(child())
        assert slots.locked()
    assert not slots.locked()
