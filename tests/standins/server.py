"""Serve a stand-in's ASGI app with uvicorn on a free port of 127.0.0.1."""

from __future__ import annotations

import asyncio

import uvicorn
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
