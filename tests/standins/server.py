"""Serve a stand-in's ASGI app with uvicorn on a free port of 127.0.0.1."""

from __future__ import annotations

import asyncio

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp


class LocalServer:
    """One uvicorn server on 127.0.0.1, started and stopped from a test."""

    def __init__(self, app: ASGIApp) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> int:
        """Start serving; return the port."""
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.01)
        return self._server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop serving."""
        if self._task is not None:
            self._server.should_exit = True
            await self._task


class ServedStandIn:
    """Base of the stand-ins: serves `routes()` on 127.0.0.1 between `start()` and `stop()`."""

    port: int
    stopping = False  # once stopping, long polls answer at once instead of waiting
    _server: LocalServer | None
    _new_update: asyncio.Event  # set on stop, so a long poll waiting for updates returns

    def routes(self) -> list[Route]:
        """Return the endpoints to serve."""
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        """The URL to give the bot as the API base URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start serving on a free port of 127.0.0.1."""
        self._server = LocalServer(Starlette(routes=self.routes()))
        self.port = await self._server.start()

    async def stop(self) -> None:
        """Stop serving (a long poll arriving meanwhile does not hold the shutdown up)."""
        self.stopping = True
        self._new_update.set()
        if self._server is not None:
            await self._server.stop()
