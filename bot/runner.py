"""Start the configured channels and background services, and stop them cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlparse

import uvicorn
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.config import Settings
from bot.services import create_services
from bot.web import build_web_app, telegram_webhook

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel
    from bot.channels.zalo_bot import ZaloBotChannel
    from bot.channels.zalo_oa import ZaloOAChannel

log = logging.getLogger(__name__)


def needs_web_server(settings: Settings) -> bool:
    """Return whether any configured channel receives its messages by webhook."""
    telegram = bool(settings.telegram_bot_token and settings.webhook_url)
    zalo_bot = bool(settings.zalo_bot_token and settings.zalo_bot_webhook_url)
    links = bool(settings.public_base_url)  # the download links are served by it
    return telegram or zalo_bot or settings.zalo_oa_enabled or settings.console_enabled or links


def has_messenger(settings: Settings) -> bool:
    """Return whether any messenger channel is configured (else the terminal chat runs)."""
    return bool(settings.telegram_bot_token or settings.zalo_bot_token) or needs_web_server(
        settings
    )


class Runtime:
    """The running channels and services of one process."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.services = create_services(app)
        self.telegram: TelegramChannel | None = None
        self.zalo_oa: ZaloOAChannel | None = None
        self.zalo_bot: ZaloBotChannel | None = None
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
        await self.telegram.start(polling=True)

    async def start_channels(self, port: int | None = None) -> int | None:
        """Start every configured channel; return the web server's port when one is needed."""
        settings = self.app.settings
        if settings.telegram_bot_token and not settings.webhook_url:
            await self.start_telegram_polling()
        if settings.zalo_bot_token and not settings.zalo_bot_webhook_url:
            await self.start_zalo_bot(webhook=False)
        if needs_web_server(settings):
            return await self.start_webhook_server(port)
        return None

    async def start_zalo_bot(self, *, webhook: bool) -> Route | None:
        """Start the Zalo Bot channel; with a webhook return its route, else poll."""
        from bot.channels.zalo_bot import ZaloBotChannel

        self.zalo_bot = ZaloBotChannel(self.app)
        if webhook:
            return await self.zalo_bot.start_webhook()
        await self.zalo_bot.start_polling()
        return None

    async def start_webhook_server(self, port: int | None = None) -> int:
        """Start the web server with every webhook channel; return the port it listens on."""
        settings = self.app.settings
        routes: list[BaseRoute] = []
        if settings.telegram_bot_token and settings.webhook_url:
            routes.append(await self._start_telegram_webhook())
        if settings.zalo_oa_enabled:
            from bot.channels.zalo_oa import ZaloOAChannel

            self.zalo_oa = ZaloOAChannel(self.app)
            await self.zalo_oa.start()
            routes.append(self.zalo_oa.route())
        if settings.zalo_bot_token and settings.zalo_bot_webhook_url:
            route = await self.start_zalo_bot(webhook=True)
            assert route is not None
            routes.append(route)
        if settings.console_enabled:
            routes.append(self._console_route())
        if settings.public_base_url:
            from bot.channels import download_links

            routes.append(download_links.route(self.app))
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

    async def _start_telegram_webhook(self) -> Route:
        """Start Telegram without an updater, register the webhook and return its route."""
        from bot.channels.telegram import TelegramChannel

        settings = self.app.settings
        if not settings.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL")
        self.telegram = TelegramChannel(self.app, with_updater=False)
        await self.telegram.start(polling=False)
        path = urlparse(settings.webhook_url or "").path or "/telegram"
        await self.telegram.application.bot.set_webhook(
            url=settings.webhook_url or "",
            secret_token=settings.webhook_secret,
            allowed_updates=["message", "callback_query", "my_chat_member"],
        )
        return Route(
            path, telegram_webhook(settings.webhook_secret, self._queue_update), methods=["POST"]
        )

    def _console_route(self) -> BaseRoute:
        """Return the staff console; a publish there swaps content in this process at once."""
        from bot.console.live import ContentReloader
        from bot.console_web import console_route

        reloader = next((s for s in self.services if isinstance(s, ContentReloader)), None)
        return console_route(self.app, reloader.check if reloader is not None else None)

    async def _queue_update(self, data: dict) -> None:
        """Hand a webhook update to the Telegram channel."""
        assert self.telegram is not None
        await self.telegram.enqueue(data)

    async def stop(self) -> None:
        """Stop services, the web server and the channels."""
        for service in reversed(self.services):
            with contextlib.suppress(Exception):
                await service.stop()
        if self.server is not None and self._server_task is not None:
            self.server.should_exit = True
            await self._server_task
        for channel in (self.zalo_oa, self.zalo_bot):
            if channel is not None:
                await channel.stop()
        if self.telegram is not None:
            await self.telegram.stop()


async def run(app: App, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """Run every configured messenger in this process, else the terminal chat."""
    runtime = Runtime(app)
    settings = app.settings
    try:
        if has_messenger(settings):
            await runtime.start_channels()
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
