"""Run the background services (scheduler) in exactly one process: the lease holder."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from bot.db import repo_inbox, repo_outbox
from bot.db.base import utcnow
from bot.messaging.lease import Lease

if TYPE_CHECKING:
    from bot.messaging.parts import MessagingParts as App

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 600.0


class Service(Protocol):
    """Something that runs in the background while the bot is up."""

    async def start(self) -> None:
        """Start working."""
        ...

    async def stop(self) -> None:
        """Stop working."""
        ...


class Leader:
    """Hold the `scheduler` lease; while held run the services and prune old queue rows."""

    def __init__(self, app: App, services: list[Service]) -> None:
        self.app = app
        self.services = services
        self.lease = Lease(app.engine, "scheduler")
        self.running = False
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_prune = 0.0

    async def start(self) -> None:
        """Start competing for the lease (SQLite: take it at once)."""
        self._stopping.clear()
        if await asyncio.to_thread(self.lease.hold):
            await self._start_services()
        self._task = asyncio.create_task(self._run(), name="leader")

    async def stop(self) -> None:
        """Stop the services and give the lease up."""
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        await self._stop_services()
        await asyncio.to_thread(self.lease.release)

    async def _run(self) -> None:
        retry = self.app.settings.lease_retry_seconds
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            held = await asyncio.to_thread(self.lease.hold)
            if held and not self.running:
                await self._start_services()
            elif not held and self.running:
                log.warning("scheduler lease lost: stopping the services here")
                await self._stop_services()
            if held and loop.time() - self._last_prune >= PRUNE_EVERY_SECONDS:
                self._last_prune = loop.time()
                await asyncio.to_thread(self._prune)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), retry)

    async def _start_services(self) -> None:
        for service in self.services:
            await service.start()
        self.running = True

    async def _stop_services(self) -> None:
        if not self.running:
            return
        for service in reversed(self.services):
            with contextlib.suppress(Exception):
                await service.stop()
        self.running = False

    def _prune(self) -> None:
        """Forget handled updates and settled messages past their retention."""
        try:
            updates, messages = prune(self.app)
        except Exception:
            log.exception("pruning the inbox and outbox failed")
            return
        if updates or messages:
            log.info("pruned %s updates and %s messages", updates, messages)


def prune(app: App) -> tuple[int, int]:
    """Delete handled updates and settled messages older than INBOX_RETENTION_HOURS.

    Their payloads hold what citizens typed and what the bot replied: kept only as long as
    redeliveries and troubleshooting need. Returns (updates, messages) deleted.
    """
    older_than = utcnow() - timedelta(hours=app.settings.inbox_retention_hours)
    with app.sessions.begin() as session:
        return (
            repo_inbox.prune(session, older_than=older_than),
            repo_outbox.prune(session, older_than=older_than),
        )
