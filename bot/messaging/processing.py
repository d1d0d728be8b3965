"""Handle stored updates: each chat in order, a batch per transaction with its replies.

One transaction takes the next update of up to INBOX_BATCH chats, runs the dispatcher on
each, writes the replies to the outbox and marks the updates done. A crash before the commit
leaves them pending (handled again after restart, nothing was sent); after it, they are
never handled again, and their replies are in the outbox.

Handlers run without savepoints (two round trips each); when one fails, the batch is rolled
back and handled again with a savepoint per update, so that the failing one gets its apology
and the others their answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from bot.db import repo_inbox, repo_outbox
from bot.db.base import defer_writes
from bot.messages import Address, Incoming, Reply
from bot.privacy import queues

if TYPE_CHECKING:
    from bot.messaging.metrics import Metrics
    from bot.messaging.parts import MessagingParts as App

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.25  # how often an idle worker looks for updates other processes stored
ERROR_PAUSE_SECONDS = 1.0


class Receiver(Protocol):
    """A channel as processing sees it: reads its stored updates."""

    name: str
    reads_database: bool  # `incoming_of` uses the session (then it runs in a savepoint)

    def incoming_of(self, session: Session, payload: dict[str, Any]) -> Incoming | None:
        """Return the message in a stored update, or None for updates with nothing to say."""
        ...

    def after_handled(self, payload: dict[str, Any]) -> Awaitable[None] | None:
        """Do what must follow handling but need not be durable (e.g. stop a button spinner)."""
        ...


@dataclass(frozen=True)
class Handled:
    """An update handled in the last batch."""

    channel: str
    payload: dict[str, Any]
    error: str | None = None  # why it could not be read
    waited: float = 0.0  # seconds from receipt to handling


class BatchWrites:
    """A batch's replies and outcomes, written in two statements (or sooner when asked)."""

    def __init__(self, session: Session, now: Callable[[], datetime]) -> None:
        self.session = session
        self.now = now
        self.replies: list[tuple[Reply, Address]] = []
        self.outcomes: list[tuple[int, datetime, str | None]] = []
        defer_writes(session, self.write)  # an erasure must find them in the tables

    def write(self) -> None:
        """Queue the replies in the outbox and settle the updates gathered so far."""
        replies, outcomes = list(self.replies), list(self.outcomes)
        self.replies.clear()  # in place: the update being handled still adds to them
        self.outcomes.clear()
        repo_outbox.enqueue_many(self.session, replies, now=self.now())
        repo_inbox.settle(self.session, outcomes)


class HandlerFailed(Exception):
    """A handler failed in a batch run without savepoints: run the batch again with them."""


def process_batch(
    app: App, receivers: dict[str, Receiver], *, limit: int, metrics: Metrics | None = None
) -> list[Handled]:
    """Handle the next update of up to `limit` chats in one transaction; return them.

    The batch's replies go into the outbox in one statement and its updates are settled in
    another, both in the batch's transaction: few statements per update.
    """
    try:
        handled = _handle_batch(app, receivers, limit=limit, isolate=False)
    except HandlerFailed:
        log.info("a handler failed: its batch is handled again, a savepoint per update")
        handled = _handle_batch(app, receivers, limit=limit, isolate=True)
    if metrics is not None:
        for item in handled:
            metrics.handled.labels(item.channel, "failed" if item.error else "done").inc()
            metrics.latency.labels(item.channel).observe(item.waited)
    return handled


def _handle_batch(
    app: App, receivers: dict[str, Receiver], *, limit: int, isolate: bool
) -> list[Handled]:
    """Claim, handle and settle one batch in one transaction (see `process_batch`).

    Updates that are plain JSON are read first, so that the dispatcher reads the flood
    counts and flow states of all their authors in one statement.
    """
    handled: list[Handled] = []
    with app.sessions.begin() as session:
        writes = BatchWrites(session, app.now)
        rows = repo_inbox.claim_heads(session, channels=list(receivers), limit=limit)
        read = {
            row.id: read_update(session, receivers[row.channel], row.payload)
            for row in rows
            if not receivers[row.channel].reads_database
        }
        app.dispatcher.prefetch(session, [incoming for incoming, _ in read.values() if incoming])
        for row in rows:
            if queues.was_erased(session, row.id):  # its author erased their data just now
                continue
            now = app.now()
            receiver = receivers[row.channel]
            incoming, error = read.get(row.id) or read_update(session, receiver, row.payload)
            if incoming is not None:
                answers = handle_incoming(app, session, incoming, row.id, isolate=isolate)
                to = Address(incoming.channel, incoming.chat_id)
                writes.replies.extend((reply, to) for reply in answers)
            writes.outcomes.append((row.id, now, error))
            waited = max(0.0, (now - row.received_at).total_seconds())
            handled.append(Handled(row.channel, row.payload, error, waited))
        writes.write()
    return handled


def read_update(
    session: Session, receiver: Receiver, payload: dict[str, Any]
) -> tuple[Incoming | None, str | None]:
    """Return the message in a stored update (None if it has none), or why it is unreadable."""
    try:
        if receiver.reads_database:
            with session.begin_nested():  # a failed statement must not abort the batch
                return receiver.incoming_of(session, payload), None
        return receiver.incoming_of(session, payload), None  # JSON: no savepoint needed
    except Exception as error:  # noqa: BLE001 - a malformed update must not block its chat
        log.exception("%s: could not read a stored update", receiver.name)
        return None, f"{type(error).__name__}: {error}"[:250]


def handle_incoming(
    app: App, session: Session, incoming: Incoming, update_id: int, *, isolate: bool
) -> list[Reply]:
    """Return the replies to one message; not isolated, a failure raises HandlerFailed."""
    try:
        return app.dispatcher.handle_in(
            session, incoming, isolate=isolate, counted_as=update_id
        )
    except Exception as error:
        if isolate:
            raise
        raise HandlerFailed(str(error)) from error


class Processor:
    """Workers that handle stored updates until stopped; `wake()` after storing new ones."""

    def __init__(
        self,
        app: App,
        receivers: dict[str, Receiver],
        *,
        workers: int,
        batch: int,
        metrics: Metrics | None,
        on_handled: list[Any],
        turns: asyncio.Lock | None = None,
    ) -> None:
        self.app = app
        self.receivers = receivers
        self.workers = workers
        self.batch = batch
        self.metrics = metrics
        self.on_handled = on_handled  # callables woken after a commit (the senders)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._side_tasks: set[asyncio.Task[Any]] = set()
        # Without row locks (SQLite) two batches at once could take the same update: they
        # take turns, with the senders' transactions too (see MessagingCore).
        self._turns = turns

    def wake(self) -> None:
        """Tell the workers new updates are stored."""
        self._wake.set()

    def start(self) -> None:
        """Start the workers."""
        self._stopping.clear()
        self._tasks = [
            asyncio.create_task(self._run(), name=f"inbox-worker-{i}") for i in range(self.workers)
        ]

    async def stop(self) -> None:
        """Stop after the batches in hand are committed."""
        self._stopping.set()
        self._wake.set()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._side_tasks:
            await asyncio.wait(list(self._side_tasks), timeout=5)

    async def run_once(self) -> int:
        """Handle one batch now; return how many updates it held."""
        if self._turns is not None:
            async with self._turns:
                return await self._batch()
        return await self._batch()

    async def _batch(self) -> int:
        handled = await asyncio.to_thread(
            process_batch, self.app, self.receivers, limit=self.batch, metrics=self.metrics
        )
        if handled:
            for wake in self.on_handled:
                wake()
            for item in handled:
                self._follow_up(item)
        return len(handled)

    async def drain(self) -> None:
        """Handle batches until nothing is pending (the terminal chat's inline processing)."""
        while await self.run_once():
            pass

    def _follow_up(self, item: Handled) -> None:
        """Run the channel's non-durable follow-up of a handled update in the background."""
        follow = self.receivers[item.channel].after_handled(item.payload)
        if follow is None:
            return
        task = asyncio.ensure_future(follow)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                count = await self.run_once()
            except Exception:
                log.exception("inbox worker: batch failed; retrying")
                count = 0
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), ERROR_PAUSE_SECONDS)
            if count:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)
