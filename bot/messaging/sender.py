"""The sender: one per channel token, drains the outbox through one rate limiter.

Rows go most urgent first (replies, then staff and progress messages, then reminders and
notices, then broadcasts), one chat at a time. A row is marked `sending` (committed) just
before it goes and settled after; at most SEND_CONCURRENCY rows are ever `sending`, so a
crash repeats at most that many messages (the next holder of the lease resends them).
429 pauses the token for `retry_after` and resends; network and 5xx errors back off and
resend up to SEND_MAX_ATTEMPTS; 403 marks the citizen inactive; a final failure is
recorded on the row (status `failed`, `error`) and counted in `bot_sends_total`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from bot.broadcast import repo as repo_broadcasts
from bot.channels.base import (
    DeliveryError,
    RateLimited,
    RecipientBlocked,
    RecipientUnreachable,
    TransientError,
)
from bot.db import repo_outbox, repo_users
from bot.db.base import utcnow
from bot.db.repo_outbox import Queued
from bot.logs import pseudonym
from bot.messages import Reply
from bot.messaging import reaching
from bot.messaging.lease import Lease
from bot.messaging.limiter import RateLimiter

if TYPE_CHECKING:
    from bot.messaging.metrics import Metrics
    from bot.messaging.parts import MessagingParts as App

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.2
# Rows are marked `sending` just before they go: no more than this far ahead, so that a reply
# never waits long behind notices already taken and a stopped broadcast stops at once.
LOOKAHEAD_SECONDS = 0.25
MAX_BACKOFF_SECONDS = 300.0
APOLOGY = "apology"


class Outlet(Protocol):
    """A channel as the sender sees it."""

    name: str

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send one reply; return the messenger's message id."""
        ...

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """Replace a sent message."""
        ...


@dataclass(frozen=True)
class Result:
    """What happened to one row."""

    row: Queued
    status: str  # sent / blocked / retry / failed / outside / zns
    message_id: str | None = None
    retry_after: float = 0.0
    error: str | None = None
    at: datetime | None = None
    template_id: str | None = None  # a ZNS template was used (sent or not): it is recorded


class Sender:
    """Sends one channel's outbox while it holds the channel's lease."""

    def __init__(
        self,
        app: App,
        channel: Outlet,
        *,
        limiter: RateLimiter | None,
        metrics: Metrics | None = None,
    ) -> None:
        settings = app.settings
        self.app = app
        self.channel = channel
        self.limiter = limiter
        self.metrics = metrics
        self.lease = Lease(app.engine, f"sender:{channel.name}")
        self.concurrency = settings.send_concurrency
        self.max_attempts = settings.send_max_attempts
        self.retry_seconds = settings.send_retry_seconds
        self._owned = False
        self._open = 0  # rows marked sending and not settled yet
        self._in_flight_chats: set[str] = set()
        self._results: list[Result] = []
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
        """Finish the sends in flight, record them and give the lease up."""
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
        while rows := await asyncio.to_thread(self._pick, self.concurrency, set()):
            for row in rows:
                await self._send(row, flush_soon=False)
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
        await self._flush()

    async def _take_over(self) -> bool:
        """Hold the lease; on taking it, requeue what a dead holder left in flight."""
        held = await asyncio.to_thread(self.lease.hold)
        if held and not self._owned:
            requeued = await self._db(repo_outbox.requeue_sending, channel=self.channel.name)
            if requeued:
                log.warning("%s sender: resending %s in flight", self.channel.name, requeued)
            self._owned = True
        if not held and self._owned:
            log.warning("%s sender: lease lost", self.channel.name)
            self._owned = False
        return held

    async def _step(self) -> None:
        """Pick the next rows and start them at the limiter's pace."""
        room = self.concurrency - self._open
        if room <= 0:
            self._room.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._room.wait(), 1.0)
            return
        limiter = self.limiter
        if limiter is not None and limiter.paused_for > 0:
            await self._pause(limiter.paused_for)
            return
        if limiter is not None:  # mark ahead only what goes within LOOKAHEAD_SECONDS
            room = min(room, max(1, int(LOOKAHEAD_SECONDS / limiter.interval)))
        busy = limiter.busy_chats() if limiter is not None else {}
        skip = set(busy) | self._in_flight_chats
        self._wake.clear()
        rows = await asyncio.to_thread(self._pick, room, skip)
        if not rows:
            soonest = min(busy.values(), default=None)
            wait = IDLE_POLL_SECONDS
            if soonest is not None and limiter is not None:
                wait = min(wait, max(0.005, soonest - limiter.now()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            return
        for row in rows:
            if limiter is not None:
                await limiter.acquire(row.chat_id)
            task = asyncio.create_task(self._send(row))
            self._sends.add(task)
            task.add_done_callback(self._sends.discard)

    def _pick(self, limit: int, skip: set[str]) -> list[Queued]:
        """Choose rows and mark them sending in one transaction."""
        now = utcnow()
        with self.app.sessions.begin() as session:
            rows = repo_outbox.sendable(
                session, channel=self.channel.name, now=now, limit=limit, skip_chats=skip
            )
            if not rows:
                return []
            marked = repo_outbox.mark_sending(session, ids=[row.id for row in rows])
            picked = []
            for row in rows:
                if row.id not in marked:
                    continue
                if row.edit_of is not None:
                    _status, message_id = repo_outbox.message_id_of(session, row_id=row.edit_of)
                    row = replace(row, edit_message_id=message_id)
                picked.append(row)
        self._open += len(picked)
        self._in_flight_chats.update(row.chat_id for row in picked)
        return picked

    async def _send(self, row: Queued, *, flush_soon: bool = True) -> None:
        """Send one row and keep its result for the next flush."""
        try:
            result = await self._deliver(row)
        except Exception as error:  # noqa: BLE001 - recorded as a failure, never lost
            result = Result(row, "failed", error=f"{type(error).__name__}: {error}"[:250])
        self._results.append(replace(result, at=utcnow()))
        self._in_flight_chats.discard(row.chat_id)
        if self.metrics is not None:
            self.metrics.sends.labels(self.channel.name, row.kind, result.status).inc()
        if flush_soon and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _deliver(self, row: Queued) -> Result:
        """Call the channel; map its typed errors to a result."""
        reply = repo_outbox.reply_of(row)
        plan = await reaching.plan_row(self.app, row, reply)
        try:
            went = await reaching.go(self.channel, row, reply, plan)
            if went is not None:
                error = "outside Zalo's 7-day window" if went.status == reaching.OUTSIDE else None
                return Result(
                    row, went.status, went.message_id, error=error, template_id=went.template_id
                )
            if row.edit_of is not None and row.edit_message_id:
                await self.channel.edit(row.chat_id, row.edit_message_id, reply)
                return Result(row, "sent", message_id=row.edit_message_id)
            return Result(row, "sent", message_id=await self.channel.send(row.chat_id, reply))
        except RecipientBlocked as error:
            return Result(row, "blocked", error=str(error)[:250])
        except RateLimited as error:
            if self.limiter is not None:
                self.limiter.pause(error.retry_after)
            if self.metrics is not None:
                self.metrics.rate_limited.labels(self.channel.name).inc()
            log.warning("%s: 429, pausing %.1fs", self.channel.name, error.retry_after)
            return Result(row, "retry", retry_after=error.retry_after, error=str(error)[:250])
        except TransientError as error:
            if row.attempts + 1 >= self.max_attempts:
                return Result(row, "failed", error=str(error)[:250])
            backoff = min(self.retry_seconds * 2**row.attempts, MAX_BACKOFF_SECONDS)
            return Result(row, "retry", retry_after=backoff, error=str(error)[:250])
        except RecipientUnreachable as error:  # Zalo's own window check said no
            return Result(row, reaching.OUTSIDE, error=f"unreachable: {error}"[:250])
        except DeliveryError as error:
            if plan.template_id is None:
                raise
            return Result(row, "failed", error=str(error)[:250], template_id=plan.template_id)

    async def _flush_soon(self) -> None:
        """Record results as they come: one flush at a time, each taking what has gathered."""
        while self._results:
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
        self._open -= len(results)
        self._room.set()
        self._wake.set()  # the next message of those chats may go now

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _db(self, function: Any, **kwargs: Any) -> Any:
        def work() -> Any:
            with self.app.sessions.begin() as session:
                return function(session, **kwargs)

        return await asyncio.to_thread(work)


def record(session: Session, *, results: list[Result], app: App) -> None:
    """Settle sent, blocked, retried and failed rows (and the broadcast deliveries they carry).

    A row deleted meanwhile (its citizen erased their data) is left alone: recording it would
    bring back what the deletion removed.
    """
    present = repo_outbox.existing(session, ids=[result.row.id for result in results])
    for result in results:
        if result.row.id not in present:
            continue
        row, at = result.row, result.at or utcnow()
        reaching.settle(
            session,
            row=row,
            status=result.status,
            message_id=result.message_id,
            template_id=result.template_id,
            error=result.error,
            at=at,
        )
        if result.status in ("sent", reaching.ZNS):
            repo_outbox.set_outcome(
                session,
                row_id=row.id,
                status=result.status,
                message_id=result.message_id,
                sent_at=at,
            )
            if row.edit_of is not None and not row.edit_message_id:  # sent anew: edit it next
                repo_outbox.set_outcome(session, row_id=row.edit_of, message_id=result.message_id)
        elif result.status == "retry":
            retry_at = at + timedelta(seconds=result.retry_after)
            repo_outbox.set_outcome(
                session, row_id=row.id, status="pending", retry_at=retry_at, error=result.error
            )
            continue
        else:
            repo_outbox.set_outcome(
                session, row_id=row.id, status=result.status, error=result.error
            )
            if result.status == "blocked":
                _mark_blocked(session, row)
            elif row.kind == "reply" and row.ref != APOLOGY and result.status != reaching.OUTSIDE:
                log.warning(
                    "reply %s to %s failed: %s",
                    row.id,
                    pseudonym(row.channel, row.chat_id),
                    result.error,
                )
                _apologise(session, app, row, at)
        repo_broadcasts.settle_outbox_ref(
            session, ref=row.ref, status=result.status, at=app.now(), error=result.error
        )


def _mark_blocked(session: Session, row: Queued) -> None:
    """Mark the citizen who blocked the bot inactive (no reminders or notices)."""
    user_id = row.user_id
    if user_id is None:
        user = repo_users.get_user(session, channel=row.channel, external_id=row.chat_id)
        user_id = user.id if user is not None else None
    if user_id is not None:
        repo_users.mark_unreachable(session, user_id=user_id)
        log.info("user %s blocked the bot on %s: marked inactive", user_id, row.channel)


def _apologise(session: Session, app: App, row: Queued, now: datetime) -> None:
    """Queue a short apology after a reply that could not be delivered."""
    repo_outbox.enqueue(
        session,
        reply=Reply(app.content.messages.text("core.error")),
        channel=row.channel,
        chat_id=row.chat_id,
        user_id=row.user_id,
        ref=APOLOGY,
        now=now,
    )
