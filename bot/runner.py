"""Start the configured channels and background services, and stop them cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import TextIO
from urllib.parse import urlparse

import uvicorn
from starlette.routing import Route

from bot.app import App
from bot.services import create_services
from bot.web import build_web_app, telegram_webhook

log = logging.getLogger(__name__)


class Runtime:
    """The running channels and services of one process."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.services = create_services(app)
        self.telegram = None
        self.server: uvicorn.Server | None = None
        self._server_task: asyncio.Task[None] | None = None

    async def start_services(self) -> None:
        """Start the background services."""
        for service in self.services:
            await service.start()

    async def start_telegram_polling(self) -> None:
        """Start the Telegram channel with long polling."""
        from bot.channels.telegram import TelegramChannel

        self.telegram = TelegramChannel(self.app)
        application = self.telegram.application
        await application.initialize()
        await application.post_init(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=10)

    async def start_webhook_server(self, port: int | None = None) -> int:
        """Start the web server with the Telegram webhook; return the port it listens on."""
        from bot.channels.telegram import TelegramChannel

        settings = self.app.settings
        if not settings.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL")
        routes: list[Route] = []
        if settings.telegram_bot_token:
            self.telegram = TelegramChannel(self.app, with_updater=False)
            application = self.telegram.application
            await application.initialize()
            await application.post_init(application)
            await application.start()
            path = urlparse(settings.webhook_url or "").path or "/telegram"
            await application.bot.set_webhook(
                url=settings.webhook_url or "",
                secret_token=settings.webhook_secret,
                allowed_updates=["message", "callback_query", "my_chat_member"],
            )
            routes.append(
                Route(
                    path,
                    telegram_webhook(settings.webhook_secret, self._queue_update),
                    methods=["POST"],
                )
            )
        config = uvicorn.Config(
            build_web_app(routes),
            host=settings.webhook_listen,
            port=settings.webhook_port if port is None else port,
            log_level="warning",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self._server_task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self._server_task.done():
                self._server_task.result()
            await asyncio.sleep(0.02)
        return self.server.servers[0].sockets[0].getsockname()[1]

    async def _queue_update(self, data: dict) -> None:
        """Hand a webhook update to the Telegram channel."""
        assert self.telegram is not None
        await self.telegram.enqueue(data)

    async def stop(self) -> None:
        """Stop services, the web server and the Telegram channel."""
        for service in reversed(self.services):
            with contextlib.suppress(Exception):
                await service.stop()
        if self.server is not None and self._server_task is not None:
            self.server.should_exit = True
            await self._server_task
        if self.telegram is not None:
            application = self.telegram.application
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()


async def run(app: App, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """Run on Telegram when a token is set (webhook with WEBHOOK_URL), else the terminal chat."""
    runtime = Runtime(app)
    settings = app.settings
    try:
        if settings.webhook_url:
            await runtime.start_webhook_server()
        elif settings.telegram_bot_token:
            await runtime.start_telegram_polling()
        else:
            from bot.channels.console import ConsoleChannel

            await runtime.start_services()
            await ConsoleChannel(app, stdin, stdout).run()
            return
        await runtime.start_services()
        log.info("bot is running; press Ctrl+C to stop")
        await _wait_for_stop_signal()
    finally:
        await runtime.stop()


async def _wait_for_stop_signal() -> None:
    """Wait for SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
