"""A TCP proxy on 127.0.0.1 that the tests can cut, to make a server unreachable."""

from __future__ import annotations

import asyncio
import contextlib


class CuttableProxy:
    """Forwards connections to a server until cut; while cut, refuses them."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.up = True
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if not self.up:
            client_w.transport.abort()
            return
        # Registered at once, so a cut while the server connection opens drops this client.
        self._writers.add(client_w)
        try:
            server_r, server_w = await self._open_target()
        except OSError:
            client_w.transport.abort()
            self._writers.discard(client_w)
            return
        if not self.up or client_w.transport.is_closing():
            # Cut while connecting: this connection must not outlive the cut.
            client_w.transport.abort()
            server_w.transport.abort()
            self._writers.discard(client_w)
            return
        self._writers.add(server_w)
        await asyncio.gather(_pipe(client_r, server_w), _pipe(server_r, client_w))
        self._writers.difference_update((client_w, server_w))

    async def _open_target(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Open a connection to the server behind the proxy."""
        return await asyncio.open_connection(*self._target)

    def cut(self) -> None:
        """Drop every open connection (as a restarting server does) and refuse new ones."""
        self.up = False
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        """Accept and forward connections again."""
        self.up = True

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass  # one side was cut or closed: the other is aborted below
    finally:
        with contextlib.suppress(Exception):
            writer.transport.abort()
