"""The loopback Discord in a child process of its own (for benchmarks)."""

from __future__ import annotations

import asyncio
import multiprocessing
from typing import Any

from loopback.discord.server import FakeDiscord


class FakeDiscordProcess:
    """A FakeDiscord serving from a child process (for benchmarks).

    The bot under test then has the interpreter (and its GIL) to itself, so the
    fake's own work never shows up as the bot's latency. `call` runs any method
    of the fake in the child and returns its (picklable) result.
    """

    def __init__(self, **options: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve_in_child, args=(child, options), name="fake-discord", daemon=True
        )

    def start(self) -> FakeDiscordProcess:
        """Start the child process and its server."""
        self._process.start()
        self.port = int(self._call("port"))
        self.api_base = f"http://127.0.0.1:{self.port}/api/v10"
        self.token = str(self._call("token"))
        return self

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self._conn.send((name, args, kwargs))
        ok, value = self._conn.recv()
        if not ok:
            raise RuntimeError(f"the fake failed in {name}: {value}")
        return value

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call a method (or read an attribute) of the fake in the child process."""
        return await asyncio.to_thread(self._call, name, *args, **kwargs)

    def stop(self) -> None:
        """Stop the server and the child process."""
        self._conn.send(None)
        self._process.join(10)
        self._conn.close()


def _serve_in_child(conn: Any, options: dict[str, Any]) -> None:
    asyncio.run(_child_loop(conn, options))


async def _child_loop(conn: Any, options: dict[str, Any]) -> None:
    fake = await FakeDiscord(**options).start()
    try:
        while True:
            request = await asyncio.to_thread(conn.recv)
            if request is None:
                return
            name, args, kwargs = request
            try:
                value = getattr(fake, name)
                if callable(value):
                    value = value(*args, **kwargs)
                if asyncio.iscoroutine(value):
                    value = await value
                conn.send((True, value))
            except Exception as exc:  # reported to the parent, which raises
                conn.send((False, repr(exc)))
    finally:
        await fake.stop()
