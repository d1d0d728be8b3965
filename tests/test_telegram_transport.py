"""The Bot API transport notices connections the server closed, through its own poll()."""

from __future__ import annotations

import asyncio
import socket

from bot.channels.telegram_request import JsonParameters, JsonRequest
from bot.channels.telegram_transport import readable

ANSWER = b'{"ok":true,"result":{"message_id":7}}'


async def closing_server() -> tuple[asyncio.Server, list[int]]:
    """Serve one HTTP answer per connection, keep-alive promised, then hang up unannounced."""
    connections: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(ANSWER), ANSWER)
        )
        await writer.drain()
        writer.close()  # the client still thinks the connection is alive and idle

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    return server, connections


async def test_a_connection_the_server_closed_is_not_reused() -> None:
    server, connections = await closing_server()
    port = server.sockets[0].getsockname()[1]
    request = JsonRequest(pool_size=4)
    url = f"http://127.0.0.1:{port}/bot123:TEST/sendMessage"
    try:
        first = await request.post(url, request_data=JsonParameters({"chat_id": 1, "text": "a"}))
        await asyncio.sleep(0.1)  # the server's close reaches the client's socket
        second = await request.post(url, request_data=JsonParameters({"chat_id": 1, "text": "b"}))
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()
    assert first == second == {"message_id": 7}
    assert len(connections) == 2  # the second call noticed the close and connected again


def test_readable_tells_an_open_idle_socket_from_a_closed_one() -> None:
    ours, theirs = socket.socketpair()
    try:
        assert readable(ours) is False
        theirs.close()
        assert readable(ours) is True
    finally:
        ours.close()
    assert readable(ours) is True  # closed here too: as good as gone
