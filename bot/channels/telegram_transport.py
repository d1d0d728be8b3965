"""httpx's transport for Bot API calls, with a cheaper look at idle connections.

At the start and the end of every request httpcore asks each idle connection of its pool
whether the server closed it. Through anyio each answer builds the socket's whole attribute
map (getpeername, address parsing) just to reach the socket: with 16 sends in flight that
was 9% of the bot's CPU (py-spy, issue 19). These streams keep their socket and ask poll().
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class IdleCheckTransport(httpx.AsyncHTTPTransport):
    """httpx's HTTP transport whose connections answer "closed by the server?" with poll()."""

    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits=limits)
        # httpx takes no network backend: its pool is built again, the same but for that.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=SocketKeepingBackend(),
        )


class SocketKeepingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, its streams wrapped in `SocketKeepingStream`."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Open a TCP connection."""
        return SocketKeepingStream(
            await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        """Open a Unix socket connection."""
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return SocketKeepingStream(stream)

    async def sleep(self, seconds: float) -> None:
        """Sleep (httpcore's retries)."""
        await self._backend.sleep(seconds)


class SocketKeepingStream(httpcore.AsyncNetworkStream):
    """A network stream that keeps its socket to tell cheaply whether it is readable."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read up to max_bytes."""
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Write all of buffer."""
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        """Close the connection."""
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Upgrade to TLS (same socket underneath)."""
        return SocketKeepingStream(
            await self._stream.start_tls(ssl_context, server_hostname, timeout)
        )

    def get_extra_info(self, info: str) -> Any:
        """Answer "is_readable" with one poll(); anything else as the stream does."""
        if info == "is_readable":
            return readable(self._socket)
        return self._stream.get_extra_info(info)


def readable(sock: socket.socket | None) -> bool:
    """Return whether a read would return at once (data, or the server's close)."""
    if sock is None or sock.fileno() < 0:
        return True  # gone: as good as closed
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))
