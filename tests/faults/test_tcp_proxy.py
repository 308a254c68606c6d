"""The cuttable proxy itself: a cut leaves no connection through, not even one still opening."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from tests.faults.tcp_proxy import CuttableProxy


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(1024):
            writer.write(data)
            await writer.drain()
    writer.close()


@pytest.fixture
async def echo_port() -> AsyncIterator[int]:
    """The port of an echo server on 127.0.0.1."""
    server = await asyncio.start_server(_echo, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


class _GatedProxy(CuttableProxy):
    """A proxy whose connection to the server waits for a gate, as on a loaded machine."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port)
        self.opening = asyncio.Event()
        self.gate = asyncio.Event()

    async def _open_target(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.opening.set()
        await self.gate.wait()
        return await super()._open_target()


async def _closed(reader: asyncio.StreamReader) -> bool:
    try:
        return await asyncio.wait_for(reader.read(1024), 5) == b""
    except ConnectionError:
        return True


async def test_a_connection_opening_during_a_cut_is_dropped(echo_port: int) -> None:
    proxy = _GatedProxy("127.0.0.1", echo_port)
    await proxy.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        await asyncio.wait_for(proxy.opening.wait(), 5)
        proxy.cut()  # while the proxy is still connecting to the server
        proxy.gate.set()
        writer.write(b"ping")
        assert await _closed(reader), "a connection opened during the cut got through"
        writer.close()
    finally:
        await proxy.close()


async def test_connections_work_again_after_restore(echo_port: int) -> None:
    proxy = CuttableProxy("127.0.0.1", echo_port)
    await proxy.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(b"one")
        assert await asyncio.wait_for(reader.readexactly(3), 5) == b"one"
        proxy.cut()
        assert await _closed(reader)
        refused_r, refused_w = await asyncio.open_connection("127.0.0.1", proxy.port)
        assert await _closed(refused_r)
        refused_w.close()
        proxy.restore()
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(b"two")
        assert await asyncio.wait_for(reader.readexactly(3), 5) == b"two"
        writer.close()
    finally:
        await proxy.close()
