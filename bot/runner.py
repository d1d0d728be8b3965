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
from bot.db import repo_inbox, repo_outbox
from bot.db.base import utcnow
from bot.messaging.core import MessagingCore
from bot.messaging.leader import Leader
from bot.messaging.lease import SingleProcessGuard
from bot.services import create_services
from bot.web import TELEGRAM_SECRET_HEADER, build_web_app, secret_webhook

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel
    from bot.channels.zalo_bot import ZaloBotChannel
    from bot.channels.zalo_oa import ZaloOAChannel

log = logging.getLogger(__name__)


def needs_web_server(settings: Settings) -> bool:
    """Return whether a web server runs: a webhook channel, or WEBHOOK_PORT set explicitly."""
    telegram = bool(settings.telegram_bot_token and settings.webhook_url)
    zalo_bot = bool(settings.zalo_bot_token and settings.zalo_bot_webhook_url)
    health_only = "webhook_port" in settings.model_fields_set  # /health, /ready, /metrics
    links = bool(settings.public_base_url)  # the download links are served by it
    console = settings.console_enabled
    return telegram or zalo_bot or settings.zalo_oa_enabled or console or links or health_only


def has_messenger(settings: Settings) -> bool:
    """Return whether any messenger channel is configured (else the terminal chat runs)."""
    return bool(settings.telegram_bot_token or settings.zalo_bot_token) or needs_web_server(
        settings
    )


class Runtime:
    """The running channels and services of one process."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.core = MessagingCore(app)
        self.services = create_services(app)
        # Most services run in the process holding the scheduler lease; some in every one.
        self.local_services = [s for s in self.services if getattr(s, "every_process", False)]
        leader_only = [s for s in self.services if s not in self.local_services]
        self.leader = Leader(app, leader_only)
        self.guard = SingleProcessGuard(app.settings.database_url)
        self._core_started = False
        self.telegram: TelegramChannel | None = None
        self.zalo_oa: ZaloOAChannel | None = None
        self.zalo_bot: ZaloBotChannel | None = None
        self.server: uvicorn.Server | None = None
        self._server_task: asyncio.Task[None] | None = None

    async def start_core(self) -> None:
        """Start the processing workers and senders (once; SQLite: refuse a second process)."""
        if self._core_started:
            return
        self.guard.acquire()
        await self.core.start()
        self._core_started = True

    async def start_services(self) -> None:
        """Start the per-process services, and the others once this holds the scheduler lease."""
        await self.start_core()
        for service in self.local_services:
            await service.start()
        await self.leader.start()

    async def start_telegram_polling(self) -> None:
        """Start the Telegram channel with long polling."""
        from bot.channels.telegram import TelegramChannel

        self.telegram = TelegramChannel(self.app, self.core)
        await self.start_core()
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

        self.zalo_bot = ZaloBotChannel(self.app, core=self.core)
        await self.start_core()
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

            self.zalo_oa = ZaloOAChannel(self.app, core=self.core)
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
        await self.start_core()
        config = uvicorn.Config(
            build_web_app(routes, self.core),
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
        from bot.channels.telegram import ALLOWED_UPDATES

        self.telegram = TelegramChannel(self.app, self.core)
        await self.telegram.start(polling=False)
        path = urlparse(settings.webhook_url or "").path or "/telegram"
        await self.telegram.bot.set_webhook(
            url=settings.webhook_url or "",
            secret_token=settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
        endpoint = secret_webhook(
            "telegram",
            TELEGRAM_SECRET_HEADER,
            settings.webhook_secret,
            self.telegram.received_of,
            self.core,
        )
        return Route(path, endpoint, methods=["POST"])

    async def settle(self, timeout: float = 10.0, *, messages: bool = True) -> None:
        """Wait until every stored update is handled (and every due message settled)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            pending, open_rows = await asyncio.to_thread(self._backlog)
            if not pending and (not open_rows or not messages):
                return
            if loop.time() > deadline:
                raise TimeoutError(f"{pending} updates and {open_rows} messages still open")
            self.core.processor.wake()
            await asyncio.sleep(0.02)

    def _backlog(self) -> tuple[int, int]:
        with self.app.sessions() as session:
            pending, _age = repo_inbox.lag(session, now=utcnow())
            due = repo_outbox.open_due(session, now=utcnow())
            return pending, due

    def _console_route(self) -> BaseRoute:
        """Return the staff console; a publish there swaps content in this process at once."""
        from bot.console.live import ContentReloader
        from bot.console_web import console_route

        reloader = next((s for s in self.services if isinstance(s, ContentReloader)), None)
        return console_route(self.app, reloader.check if reloader is not None else None)

    async def stop(self) -> None:
        """Stop input first, then finish handling and sending, then close the clients."""
        with contextlib.suppress(Exception):
            await self.leader.stop()
        for service in reversed(self.local_services):
            with contextlib.suppress(Exception):
                await service.stop()
        if self.server is not None and self._server_task is not None:
            self.server.should_exit = True
            await self._server_task
        channels = [c for c in (self.telegram, self.zalo_oa, self.zalo_bot) if c is not None]
        for channel in channels:
            await channel.stop_receiving()
        if self._core_started:
            await self.core.stop()
            self._core_started = False
        for channel in channels:
            await channel.stop()
        self.guard.release()


async def run(app: App, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """Run every configured messenger in this process, else the terminal chat."""
    runtime = Runtime(app)
    settings = app.settings
    try:
        if has_messenger(settings):
            await runtime.start_channels()
        else:
            from bot.channels.console import ConsoleChannel

            console = ConsoleChannel(app, stdin, stdout, core=runtime.core)
            await runtime.start_services()
            await console.run()
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
