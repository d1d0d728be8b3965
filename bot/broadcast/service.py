"""The broadcast sender: drains the per-recipient queue in the background, resumably.

Crash safety: a delivery is marked `sending` (committed) before the message goes out and
`sent` after. On start, rows left `sending` by a crash go back to `pending`, so nothing is
lost and only the messages that were in flight (BROADCAST_CONCURRENCY, default 1) can repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.broadcast import repo
from bot.broadcast.models import Broadcast
from bot.broadcast.pacer import Pacer
from bot.broadcast.progress import Progress, in_session
from bot.broadcast.render import notice_reply
from bot.delivery import DeliveryResult, Outcome, deliver
from bot.messages import Reply

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

BATCH = 50  # deliveries fetched at once
CANCEL_CHECK_SECONDS = 0.5  # how soon a stop pressed by an admin takes effect


class BroadcastService:
    """Starts due broadcasts and sends their messages at the configured pace."""

    def __init__(self, app: App) -> None:
        self.app = app
        settings = app.settings
        self.pacer = Pacer(settings.broadcast_rate)
        self.slots = asyncio.Semaphore(settings.broadcast_concurrency)
        self.progress = Progress(app, self.pacer)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Requeue what a crash left in flight, then start the sending task."""
        requeued = await self._db(repo.requeue_in_flight)
        if requeued:
            log.warning("requeued %s broadcast deliveries left in flight", requeued)
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="broadcast-sender")

    async def stop(self) -> None:
        """Stop after the messages in flight are sent and recorded."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _db(self, function: Callable[..., Any], **kwargs: object) -> Any:
        """Run a repository function in its own transaction, off the event loop."""
        return await in_session(self.app, function, **kwargs)

    async def _run(self) -> None:
        """Loop until stopped: start due broadcasts, send a batch, or wait a little."""
        poll = self.app.settings.broadcast_poll_seconds
        while not self._stopping.is_set():
            try:
                busy = await self._step()
            except Exception:
                log.exception("broadcast sender step failed; retrying")
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=poll)
        await self._drain_in_flight()

    async def _step(self) -> bool:
        """Do one unit of work; return False when there was nothing to send now."""
        for broadcast_id in await self._db(repo.due_to_start, now=self.app.now()):
            total = await self._db(repo.start, broadcast_id=broadcast_id, now=self.app.now())
            log.info("broadcast %s started for %s recipients", broadcast_id, total)
        for broadcast in await self._db(repo.sending):
            if await self._send_batch(broadcast):
                return True
        return False

    async def _send_batch(self, broadcast: Broadcast) -> bool:
        """Send the next batch of one broadcast; finish it when nothing is left."""
        due = await self._db(
            repo.next_due, broadcast_id=broadcast.id, now=self.app.now(), limit=BATCH
        )
        if not due:
            await self._drain_in_flight()
            found = await self._db(repo.counts, broadcast_id=broadcast.id)
            if found["pending"] or found["sending"]:
                await self.progress.maybe_update(broadcast, self.pacer.interval)
                return False  # only retries waiting for their time
            finished = await self._db(repo.finish, broadcast_id=broadcast.id, now=self.app.now())
            if finished is not None:
                await self.progress.final(finished, found)
            return True
        reply = notice_reply(
            self.app.content.messages,
            text=broadcast.text,
            attachment_url=broadcast.attachment_url,
            buttons=broadcast.buttons,
        )
        checked = time.monotonic()
        for item in due:
            if self._stopping.is_set():
                return True
            if time.monotonic() - checked >= CANCEL_CHECK_SECONDS:
                checked = time.monotonic()
                if not await self._still_sending(broadcast.id):
                    return True
            if not item.wants_notices:  # opted out or blocked since the audience was taken
                await self._db(repo.set_delivery, delivery_id=item.id, status="skipped")
                continue
            await self.slots.acquire()  # first: a 429 on the send in flight pauses the pacer
            await self.pacer.wait(item.chat_id)
            # Committed before the send, so a crash can only repeat this message; marked here,
            # not in the task, so the next batch cannot pick it up again.
            try:
                await self._db(repo.set_delivery, delivery_id=item.id, status="sending")
            except BaseException:
                self.slots.release()
                raise
            task = asyncio.create_task(self._send_one(item, reply))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            await self.progress.maybe_update(broadcast, self.pacer.interval)
        await self._still_sending(broadcast.id)
        return True

    async def _still_sending(self, broadcast_id: int) -> bool:
        """Return whether the broadcast is still on; if an admin stopped it, let sends settle."""
        if await self._db(repo.status_of, broadcast_id=broadcast_id) == "sending":
            return True
        await self._drain_in_flight()
        return False

    async def _send_one(self, item: repo.Due, reply: Reply) -> None:
        """Send one notice already marked in flight, then record the outcome."""
        try:
            try:
                result = await deliver(
                    self.app,
                    user_id=item.user_id,
                    channel=item.channel,
                    chat_id=item.chat_id,
                    reply=reply,
                )
            except Exception as error:  # noqa: BLE001 - e.g. a 400: retrying will not help
                log.warning("broadcast delivery %s failed: %s", item.id, error)
                result = DeliveryResult(Outcome.UNREACHABLE, detail=str(error))
            await self._db(repo.set_delivery, delivery_id=item.id, **self._outcome(item, result))
        finally:
            self.slots.release()

    def _outcome(self, item: repo.Due, result: DeliveryResult) -> dict[str, object]:
        """Turn a delivery result into the delivery row's new values."""
        now = self.app.now()
        settings = self.app.settings
        if result.outcome is Outcome.SENT:
            return {"status": "sent", "sent_at": now, "attempts": item.attempts + 1}
        if result.outcome is Outcome.BLOCKED:
            return {"status": "blocked", "attempts": item.attempts + 1, "error": "blocked"}
        if result.outcome is Outcome.RATE_LIMITED:
            # The messenger's own limit, not this citizen's fault: pause, then resend.
            self.pacer.pause(result.retry_after)
            log.warning("429 from %s: pausing broadcasts %.1fs", item.channel, result.retry_after)
            return {"status": "pending"}
        attempts = item.attempts + 1
        error = result.detail[:250]
        if result.outcome is Outcome.RETRY and attempts < settings.broadcast_max_attempts:
            backoff = settings.broadcast_retry_seconds * 2 ** (attempts - 1)
            retry_at = now + timedelta(seconds=min(backoff, 3600))
            return {"status": "pending", "attempts": attempts, "next_attempt_at": retry_at}
        return {"status": "failed", "attempts": attempts, "error": error}

    async def _drain_in_flight(self) -> None:
        """Wait for the messages in flight to be sent and recorded."""
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)


def create_service(app: App) -> BroadcastService:
    """Build the broadcast sender for the app (registered in bot/services.py)."""
    return BroadcastService(app)
