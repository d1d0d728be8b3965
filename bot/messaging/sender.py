"""The sender: one per channel token, drains the outbox through one rate limiter.

Three steps, each in its own module: `claiming` marks the most urgent rows `sending`
(committed) a little ahead of their turn; the send loop here starts each when the limiter
says (`limiter`), at most SEND_CONCURRENCY in flight at once; `outcome` maps what the
messenger answered (429, 5xx, 403) and settles the rows. A row is `sending` from its claim
until its outcome is recorded: a crash repeats at most the SEND_CONCURRENCY rows started
and not recorded yet (the next holder of the lease resends every `sending` row).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from bot.db import repo_outbox
from bot.db.base import utcnow
from bot.db.repo_outbox import PRIORITY, Queued
from bot.messages import Reply
from bot.messaging import claiming
from bot.messaging.lease import Lease
from bot.messaging.limiter import RateLimiter, Send
from bot.messaging.outcome import Result, Retries, deliver, record

if TYPE_CHECKING:
    from bot.messaging.metrics import Metrics
    from bot.messaging.parts import MessagingParts as App

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.2
# Rows are claimed no more than this far ahead of their turn, so that a reply never waits
# long behind notices already claimed and a stopped broadcast stops at once.
LOOKAHEAD_SECONDS = 0.5
# Results wait up to this long to be recorded together: fewer transactions, less for the
# event loop to wait on (its delays count against the rate, see `limiter`). They go at once
# when no send is left in flight: waiting longer would gather nothing more.
GATHER_SECONDS = 0.05


class Outlet(Protocol):
    """A channel as the sender sees it."""

    name: str

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send one reply; return the messenger's message id."""
        ...

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """Replace a sent message."""
        ...


class Sender:
    """Sends one channel's outbox while it holds the channel's lease."""

    def __init__(
        self,
        app: App,
        channel: Outlet,
        *,
        limiter: RateLimiter | None,
        metrics: Metrics | None = None,
        turns: asyncio.Lock | None = None,
    ) -> None:
        settings = app.settings
        self.app = app
        self.channel = channel
        self.limiter = limiter
        self.metrics = metrics
        self.turns = turns  # SQLite: taken around each transaction, shared with processing
        self.lease = Lease(app.engine, f"sender:{channel.name}")
        self.concurrency = settings.send_concurrency
        self.retries = Retries(settings.send_max_attempts, settings.send_retry_seconds)
        per_turn = int(LOOKAHEAD_SECONDS / limiter.interval) if limiter else self.concurrency
        self.lookahead = max(1, min(per_turn, 2 * self.concurrency))
        self._owned = False
        self._lease_checked = 0.0
        self._lease_every = settings.lease_retry_seconds / 2  # how often a holder checks
        self._ready: deque[Queued] = deque()  # claimed, waiting for their turn
        self._chats: set[str] = set()  # chats with a row claimed and not settled
        self._started = 0  # rows started and not recorded yet: what a crash may repeat
        self._idle_until = 0.0
        self._claiming: asyncio.Task[None] | None = None
        self._results: list[Result] = []
        self._answered = asyncio.Event()  # every send started has its result
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[None]] = set()

    # --- lifecycle ---------------------------------------------------------------------
    def wake(self) -> None:
        """Tell the sender new rows were queued."""
        self._wake.set()

    def start(self) -> None:
        """Start sending in the background."""
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name=f"sender-{self.channel.name}")

    async def stop(self) -> None:
        """Finish the sends in flight, record them, give back the rest and the lease."""
        self._stopping.set()
        self._wake.set()
        self._room.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._sends:
            await asyncio.gather(*self._sends, return_exceptions=True)
        await self._flush()
        await asyncio.to_thread(self.lease.release)
        self._owned = False

    async def drain(self) -> int:
        """Send everything sendable now, one after another (the terminal chat); return count.

        Inline senders hold no lease: the terminal chat runs alone on its outbox rows.
        """
        if not self._owned:
            await self._db(repo_outbox.requeue_sending, channel=self.channel.name)
            self._owned = True
        total = 0
        while rows := await self._db(
            claiming.claim, channel=self.channel.name, limit=self.concurrency, skip=set()
        ):
            for row in rows:
                self._started += 1
                await self._send(row, None, flush_soon=False)
            await self._flush()
            total += len(rows)
        return total

    # --- the loop ----------------------------------------------------------------------
    async def _run(self) -> None:
        retry = self.app.settings.lease_retry_seconds
        while not self._stopping.is_set():
            try:
                if not await self._take_over():
                    await self._pause(retry)
                    continue
                await self._step()
            except Exception:
                log.exception("%s sender: step failed; retrying", self.channel.name)
                await self._pause(1.0)
        if self._claiming is not None:
            await asyncio.gather(self._claiming, return_exceptions=True)
        await self._give_back()

    async def _take_over(self) -> bool:
        """Hold the lease; on taking it, requeue what a dead holder left and heed its sends."""
        if self._owned and self._clock() < self._lease_checked + self._lease_every:
            return True
        held = await self._in_turn(self.lease.hold)
        self._lease_checked = self._clock()
        if held and not self._owned:
            window = self.limiter.window if self.limiter is not None else 0.0
            requeued, recent = await self._db(
                claiming.take_over, channel=self.channel.name, window=window
            )
            if requeued:
                log.warning("%s sender: resending %s in flight", self.channel.name, requeued)
            if self.limiter is not None:
                self.limiter.seen(recent)
            self._owned = True
        if not held and self._owned:
            log.warning("%s sender: lease lost", self.channel.name)
            self._owned = False
            self._drop_ready()  # the next holder sends them
        return held

    async def _step(self) -> None:
        """Keep a few rows claimed ahead; start the first when the limiter lets it go."""
        limiter = self.limiter
        if limiter is not None and limiter.paused_for > 0:
            await self._pause(limiter.paused_for)
            return
        if self._claiming is None and (
            self._wake.is_set()  # new rows: a reply goes before the notices claimed
            or (len(self._ready) <= self.lookahead // 2 and self._clock() >= self._idle_until)
        ):
            self._claiming = asyncio.create_task(self._claim())
        if not self._ready:
            await self._idle()
            return
        if self._started >= self.concurrency:
            self._room.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._room.wait(), 1.0)
            return
        row = self._ready[0]
        if limiter is not None:
            delay = limiter.ready_at(row.chat_id) - limiter.now()
            if delay > 0:
                await asyncio.sleep(min(delay, IDLE_POLL_SECONDS))
                return
        stamp = limiter.take(row.chat_id) if limiter is not None else None
        self._ready.popleft()
        self._started += 1
        task = asyncio.create_task(self._send(row, stamp))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _claim(self) -> None:
        """Claim rows for the free places ahead (a background task beside the send loop)."""
        try:
            room = max(1, self.lookahead - len(self._ready))
            busy = self.limiter.busy_chats() if self.limiter is not None else {}
            skip = set(busy) | self._chats
            self._wake.clear()
            held = [row.id for row in self._ready]
            rows, kept = await self._db(
                claiming.claim_more, channel=self.channel.name, limit=room, skip=skip, held=held
            )
            withdrawn = set(held) - kept
            if withdrawn:  # e.g. a stopped broadcast: what is not started yet stays unsent
                for row in self._ready:
                    if row.id in withdrawn:
                        self._chats.discard(row.chat_id)
                self._ready = deque(row for row in self._ready if row.id not in withdrawn)
            self._chats.update(row.chat_id for row in rows)
            if rows:
                merged = [*self._ready, *rows]
                merged.sort(key=lambda row: PRIORITY[row.kind])  # stable: oldest first
                self._ready = deque(merged)
            else:  # nothing now: look again when a chat is free or new rows come
                soonest = min(busy.values(), default=None)
                wait = IDLE_POLL_SECONDS
                if soonest is not None and self.limiter is not None:
                    wait = min(wait, max(0.005, soonest - self.limiter.now()))
                self._idle_until = self._clock() + wait
        finally:
            self._claiming = None

    async def _idle(self) -> None:
        """Wait for the claim in progress, new rows, or the next look."""
        if self._claiming is not None:
            await asyncio.wait([self._claiming])
            return
        wait = max(0.0, self._idle_until - self._clock())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), wait)

    async def _send(
        self, row: Queued, stamp: Send | None = None, *, flush_soon: bool = True
    ) -> None:
        """Send one row and keep its result for the next flush."""
        try:
            result = await deliver(self.app, self.channel, row, self.retries)
        except Exception as error:  # noqa: BLE001 - recorded as a failure, never lost
            result = Result(row, "failed", error=f"{type(error).__name__}: {error}"[:250])
        if stamp is not None and self.limiter is not None:
            self.limiter.answered(stamp)
        if result.rate_limited:
            if self.limiter is not None:
                self.limiter.pause(result.retry_after)
            if self.metrics is not None:
                self.metrics.rate_limited.labels(self.channel.name).inc()
        self._results.append(replace(result, at=utcnow()))
        if len(self._results) >= self._started:
            self._answered.set()
        if self.metrics is not None:
            self.metrics.sends.labels(self.channel.name, row.kind, result.status).inc()
        if flush_soon and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        """Record results as they come: one flush at a time, each taking what has gathered."""
        while self._results:
            if len(self._results) < self._started:  # more answers are on their way
                self._answered.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._answered.wait(), GATHER_SECONDS)
            await self._flush()

    async def _flush(self) -> None:
        """Record the results gathered so far in one transaction."""
        if not self._results:
            return
        results, self._results = self._results, []
        try:
            await self._db(record, results=results, app=self.app)
        except Exception:
            log.exception("%s sender: could not record results; retrying", self.channel.name)
            self._results = results + self._results
            return
        self._started -= len(results)
        for result in results:
            self._chats.discard(result.row.chat_id)
        self._room.set()
        self._idle_until = 0.0  # the next message of those chats may go now: look at once
        self._wake.set()

    async def _give_back(self) -> None:
        """Put the rows claimed but not started back in the queue (stopping)."""
        rows = self._drop_ready()
        if rows and self._owned:
            with contextlib.suppress(Exception):
                await self._db(claiming.unclaim, ids=[row.id for row in rows])

    def _drop_ready(self) -> list[Queued]:
        rows, self._ready = list(self._ready), deque()
        for row in rows:
            self._chats.discard(row.chat_id)
        return rows

    def _clock(self) -> float:
        return asyncio.get_running_loop().time()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _db(self, function: Any, **kwargs: Any) -> Any:
        def work() -> Any:
            with self.app.sessions.begin() as session:
                return function(session, **kwargs)

        return await self._in_turn(work)

    async def _in_turn(self, work: Any) -> Any:
        """Run blocking database work in a thread, in its turn on SQLite."""
        if self.turns is None:
            return await asyncio.to_thread(work)
        async with self.turns:
            return await asyncio.to_thread(work)
