"""The Slack adapter's background work: bounded, and in order for one message."""

from __future__ import annotations

import asyncio

from adapters.slack.app import Background


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
