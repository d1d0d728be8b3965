"""The broadcast service: starts due broadcasts and feeds their notices to the outbox.

Each poll queues the next pending deliveries of every broadcast being sent (up to WINDOW
in the outbox at once, so an admin's stop takes effect quickly and late opt-outs are
honoured) as `broadcast` rows, the least urgent kind: the sender sends them with what the
token's rate limit leaves after replies, staff messages, progress edits and reminders.
The sender copies each final outcome onto the delivery row; when none is left pending or
queued, the broadcast is finished and the admin gets the final report.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.broadcast import repo
from bot.broadcast.models import Broadcast, BroadcastDelivery
from bot.broadcast.progress import Progress, in_session
from bot.broadcast.render import notice_reply
from bot.db import repo_outbox
from bot.messages import Reply

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

WINDOW = 300  # deliveries of one broadcast queued in the outbox at once


class BroadcastService:
    """Starts due broadcasts, queues their notices and reports their progress."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.progress = Progress(app)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the background task."""
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="broadcasts")

    async def stop(self) -> None:
        """Stop after the step in hand (queued notices stay queued in the outbox)."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _db(self, function: Callable[..., Any], **kwargs: object) -> Any:
        """Run a repository function in its own transaction, off the event loop."""
        return await in_session(self.app, function, **kwargs)

    async def _run(self) -> None:
        """Loop until stopped: one step per poll."""
        settings = self.app.settings
        # Often enough that the progress message moves every BROADCAST_PROGRESS_SECONDS.
        poll = max(0.05, min(settings.broadcast_poll_seconds, settings.broadcast_progress_seconds))
        while not self._stopping.is_set():
            try:
                await self._step()
            except Exception:
                log.exception("broadcast step failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=poll)

    async def _step(self) -> None:
        """Start due broadcasts; queue, report and finish the ones being sent."""
        for broadcast_id in await self._db(repo.due_to_start, now=self.app.now()):
            total = await self._db(repo.start, broadcast_id=broadcast_id, now=self.app.now())
            log.info("broadcast %s started for %s recipients", broadcast_id, total)
        for broadcast in await self._db(repo.sending):
            reply = notice_reply(
                self.app.content.messages,
                text=broadcast.text,
                attachment_url=broadcast.attachment_url,
                buttons=broadcast.buttons,
            )
            await self._db(top_up, broadcast_id=broadcast.id, reply=reply, now=self.app.now())
            found = await self._db(repo.counts, broadcast_id=broadcast.id)
            if found["pending"] or found["sending"]:
                await self.progress.maybe_update(broadcast, found)
                continue
            finished = await self._db(repo.finish, broadcast_id=broadcast.id, now=self.app.now())
            if finished is not None:
                await self.progress.final(finished, found)


def top_up(session: Session, *, broadcast_id: int, reply: Reply, now: Any) -> int:
    """Queue pending deliveries until WINDOW are in the outbox; return how many were queued.

    The broadcast row is locked first, as `repo.cancel` does, so a stop pressed meanwhile
    either comes first (nothing is queued) or withdraws what this queued.
    """
    broadcast = session.get(Broadcast, broadcast_id, with_for_update=True)
    if broadcast is None or broadcast.status != "sending":
        return 0
    queued = session.scalar(
        select(func.count()).where(
            BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == "sending"
        )
    )
    room = WINDOW - (queued or 0)
    if room <= 0:
        return 0
    count = 0
    for item in repo.next_due(session, broadcast_id=broadcast_id, now=now, limit=room):
        if not item.wants_notices:  # opted out or blocked since the audience was taken
            repo.set_delivery(session, delivery_id=item.id, status="skipped")
            continue
        repo_outbox.enqueue(
            session,
            reply=reply,
            kind="broadcast",
            channel=item.channel,
            chat_id=item.chat_id,
            user_id=item.user_id,
            ref=repo.outbox_ref(broadcast_id, item.id),
        )
        repo.set_delivery(session, delivery_id=item.id, status="sending")
        count += 1
    return count


def create_service(app: App) -> BroadcastService:
    """Build the broadcast service for the app (registered in bot/services.py)."""
    return BroadcastService(app)
