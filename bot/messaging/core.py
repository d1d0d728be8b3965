"""Tie the messaging core together for one process: intake, processing workers, senders."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol

from bot.db import repo_inbox, repo_outbox
from bot.db.base import utcnow
from bot.db.repo_inbox import Received
from bot.messaging.lease import Lease
from bot.messaging.limiter import RateLimiter
from bot.messaging.metrics import Metrics
from bot.messaging.processing import Processor, Receiver
from bot.messaging.sender import Outlet, Sender

if TYPE_CHECKING:
    from bot.messaging.parts import MessagingParts as App

log = logging.getLogger(__name__)


class Channel(Receiver, Outlet, Protocol):
    """A channel as the core sees it: reads stored updates and sends replies."""


class MessagingCore:
    """The inbox, the processing workers and one sender per channel of this process."""

    def __init__(self, app: App) -> None:
        self.app = app
        settings = app.settings
        self.metrics = Metrics(app.sessions, utcnow)
        self.receivers: dict[str, Receiver] = {}
        self.senders: dict[str, Sender] = {}
        shared = app.engine.dialect.name == "postgresql"
        # SQLite has one writer at a time: processing batches and the senders' transactions
        # take turns in arrival order. Left to SQLite's busy wait, a sender retrying with
        # growing sleeps lost every race to the next batch and sent nothing until the inbox
        # was empty (2,000 updates: 6.6 s without a reply).
        self.turns = None if shared else asyncio.Lock()
        self.processor = Processor(
            app,
            self.receivers,
            workers=settings.inbox_workers if shared else 1,  # SQLite writes one at a time
            batch=settings.inbox_batch,
            metrics=self.metrics,
            on_handled=[self.wake_senders],
            turns=self.turns,
        )
        self._started = False
        self._background: set[str] = set()

    def add_channel(self, channel: Channel, *, inline: bool = False) -> Sender:
        """Receive and send for a channel through the core; return its sender.

        An `inline` channel (the terminal chat) has no rate limit and no background sender:
        it drains its own outbox after each message.
        """
        self.receivers[channel.name] = channel
        limiter = None if inline else self.new_limiter()
        sender = Sender(self.app, channel, limiter=limiter, metrics=self.metrics, turns=self.turns)
        self.senders[channel.name] = sender
        if not inline:
            self._background.add(channel.name)
            if self._started:
                sender.start()
        return sender

    def new_limiter(self) -> RateLimiter:
        """Return a rate limiter with the configured limits (one per token)."""
        settings = self.app.settings
        return RateLimiter(
            rate=settings.send_rate,
            burst=settings.send_burst,
            chat_seconds=settings.send_chat_seconds,
            group_per_minute=settings.send_group_per_minute,
        )

    async def intake(self, items: list[Received]) -> int:
        """Store updates (committed) and wake the workers; return how many were new."""
        if not items:
            return 0
        stored = await asyncio.to_thread(self._store, items)
        for channel in {item.channel for item in items}:
            self.metrics.received.labels(channel).inc(
                sum(1 for item in items if item.channel == channel)
            )
        if stored < len(items):
            log.info("inbox: dropped %s redelivered update(s)", len(items) - stored)
            self.metrics.duplicates.labels(items[0].channel).inc(len(items) - stored)
        self.processor.wake()
        return stored

    def _store(self, items: list[Received]) -> int:
        with self.app.sessions.begin() as session:
            return repo_inbox.store(session, items, now=utcnow())

    def wake_senders(self) -> None:
        """Tell every sender that new rows may be waiting."""
        for sender in self.senders.values():
            sender.wake()

    async def start(self, *, senders: bool = True) -> None:
        """Start the workers and the background senders (unless `senders` is False)."""
        self.processor.start()
        if senders:
            for name in self._background:
                self.senders[name].start()
        self._started = True

    async def stop(self) -> None:
        """Stop taking work, finish the batch and sends in hand, record them."""
        await self.processor.stop()
        for sender in self.senders.values():
            await sender.stop()
        self._started = False

    def lease(self, name: str) -> Lease:
        """Return a lease of that name (a poller's, say) on this core's database."""
        return Lease(self.app.engine, name)

    def lag(self) -> dict[str, float]:
        """Return the inbox and outbox lag for /ready (raises when the database is down)."""
        now = utcnow()
        with self.app.sessions() as session:
            pending, age = repo_inbox.lag(session, now=now)
            return {
                "inbox_pending": pending,
                "inbox_lag_seconds": round(age, 3),
                "outbox_lag_seconds": round(repo_outbox.oldest_open(session, now=now), 3),
            }
