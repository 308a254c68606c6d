"""The loopback Slack in a process of its own (for benchmarks)."""

from __future__ import annotations

import asyncio
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from loopback.slack.ratelimits import PostLimits
from loopback.slack.server import FakeSlack


async def _serve_in_child(conn: Connection, users: int, limits: PostLimits | None) -> None:
    async with FakeSlack() as fake:
        for i in range(users):
            fake.add_user(f"U{i:05d}", f"Member {i}", admin=i == 0)
        fake.post_limits = limits
        conn.send(fake.port)
        loop = asyncio.get_running_loop()
        while True:
            request = await loop.run_in_executor(None, conn.recv)
            if request == "stop":
                conn.send("stopped")
                return
            conn.send(fake.summary())


def _child_main(conn: Connection, users: int, limits: PostLimits | None) -> None:
    asyncio.run(_serve_in_child(conn, users, limits))


class FakeSlackProcess:
    """The fake Slack in a process of its own, so that it does not share the measured loop.

    Members `U00000` (an admin) to `U{users-1:05d}` are known to users.info.
    """

    def __init__(self, users: int = 0, limits: PostLimits | None = None) -> None:
        self._users = users
        self._limits = limits
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self.port = 0

    def start(self) -> FakeSlackProcess:
        """Start the process and wait until the fake listens."""
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(
            target=_child_main, args=(child, self._users, self._limits), daemon=True
        )
        self._process.start()
        self._conn = parent
        self.port = int(parent.recv())
        return self

    @property
    def api_url(self) -> str:
        """The Web API base URL."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, hook: str) -> str:
        """Return a response_url that lands on the fake."""
        return f"http://127.0.0.1:{self.port}/response/{hook}"

    def summary(self) -> dict[str, Any]:
        """Return what the fake saw (see `FakeSlack.summary`)."""
        assert self._conn is not None
        self._conn.send("summary")
        answer: dict[str, Any] = self._conn.recv()
        return answer

    def stop(self) -> None:
        """Stop the process."""
        if self._conn is not None and self._process is not None:
            self._conn.send("stop")
            self._conn.recv()
            self._process.join(10)
