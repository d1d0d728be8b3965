"""The admin's live progress message for a broadcast, edited every few seconds."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot.broadcast import repo
from bot.broadcast.models import Broadcast
from bot.broadcast.pacer import Pacer
from bot.channels.base import RateLimited
from bot.db.models import User
from bot.messages import Button, Reply, button_rows

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)


class Progress:
    """Sends, then edits, one progress message per broadcast to the admin who created it."""

    def __init__(self, app: App, pacer: Pacer) -> None:
        self.app = app
        self.pacer = pacer  # progress messages count against the same limits as the notices
        self._last: dict[int, float] = {}
        self._targets: dict[int, tuple[str, str, str | None] | None] = {}

    def text(self, key: str, **values: object) -> str:
        """Return a message template from content."""
        return self.app.content.messages.text(key, **values)

    async def maybe_update(self, broadcast: Broadcast, interval: float) -> None:
        """Edit the progress message if the last edit is old enough."""
        every = self.app.settings.broadcast_progress_seconds
        if time.monotonic() - self._last.get(broadcast.id, -1e9) < every:
            return
        target = await self._target(broadcast)
        if target is None or self.pacer.ready_at(target[1]) > self.pacer.now():
            return  # never hold up the notices for a progress edit; try again later
        found = await self._db(repo.counts, broadcast_id=broadcast.id)
        await self.update(broadcast, found, interval)

    async def update(self, broadcast: Broadcast, found: dict[str, int], interval: float) -> None:
        """Show sent / failed / blocked / remaining and the time left."""
        self._last[broadcast.id] = time.monotonic()
        remaining = found["pending"] + found["sending"]
        text = self.text(
            "broadcast.progress",
            id=broadcast.id,
            sent=found["sent"],
            failed=found["failed"],
            blocked=found["blocked"],
            remaining=remaining,
            eta=self.duration(remaining * interval),
        )
        stop = Button(self.text("broadcast.btn_stop"), payload=f"bc:stop:{broadcast.id}")
        await self._show(broadcast, Reply(text, button_rows([stop])))

    async def final(self, broadcast: Broadcast, found: dict[str, int]) -> None:
        """Replace the progress with the final counts and send the report as a new message."""
        text = self.text(
            "broadcast.final",
            id=broadcast.id,
            total=broadcast.total,
            sent=found["sent"],
            failed=found["failed"],
            blocked=found["blocked"],
            skipped=found["skipped"],
        )
        target = await self._target(broadcast)
        edited = target is not None and target[2] is not None
        await self._show(broadcast, Reply(text))
        if edited:  # an edit does not notify the admin; a new message does
            await self._call(self._channel(target).send, target[1], Reply(text))
        self._last.pop(broadcast.id, None)
        self._targets.pop(broadcast.id, None)

    def duration(self, seconds: float) -> str:
        """Say a duration the way an admin reads it: minutes, or seconds when short."""
        if seconds >= 60:
            return self.text("broadcast.eta_minutes", minutes=round(seconds / 60))
        return self.text("broadcast.eta_seconds", seconds=max(1, round(seconds)))

    async def _show(self, broadcast: Broadcast, reply: Reply) -> None:
        """Edit the progress message, sending it first if there is none yet."""
        target = await self._target(broadcast)
        if target is None:
            return
        channel_name, chat_id, message_id = target
        channel = self._channel(target)
        if message_id is not None:
            await self._call(channel.edit, chat_id, message_id, reply)
            return
        message_id = await self._call(channel.send, chat_id, reply)
        if message_id is not None:
            self._targets[broadcast.id] = (channel_name, chat_id, message_id)
            await self._db(
                repo.set_progress_message,
                broadcast_id=broadcast.id,
                channel=channel_name,
                chat_id=chat_id,
                message_id=message_id,
            )

    async def _target(self, broadcast: Broadcast) -> tuple[str, str, str | None] | None:
        """Return (channel, chat, message id) of the progress message, if it can be shown."""
        if broadcast.id not in self._targets:
            target = None
            if broadcast.progress_channel and broadcast.progress_chat_id:
                target = (
                    broadcast.progress_channel,
                    broadcast.progress_chat_id,
                    broadcast.progress_message_id,
                )
            elif broadcast.created_by is not None:
                user = await self._db(_user, user_id=broadcast.created_by)
                if user is not None:
                    target = (user.channel, user.chat_id, None)
            if target is not None and self.app.channels.get(target[0]) is None:
                target = None  # the admin's channel does not run in this process
            self._targets[broadcast.id] = target
        return self._targets[broadcast.id]

    def _channel(self, target: tuple[str, str, str | None]) -> object:
        """Return the running channel of the target."""
        return self.app.channels.get(target[0])

    async def _call(self, method: object, chat_id: str, *args: object) -> str | None:
        """Call a channel method; a failed progress message never stops the broadcast."""
        await self.pacer.wait(chat_id)
        try:
            return await method(chat_id, *args)  # type: ignore[operator]
        except RateLimited as error:
            self.pacer.pause(error.retry_after)
            log.info("broadcast progress message rate limited: %s", error)
            return None
        except Exception as error:  # noqa: BLE001
            log.info("broadcast progress message not updated: %s", error)
            return None

    async def _db(self, function: Callable[..., Any], **kwargs: object) -> Any:
        """Run a repository function in its own transaction, off the event loop."""
        return await in_session(self.app, function, **kwargs)


async def in_session(app: App, function: Callable[..., Any], **kwargs: object) -> Any:
    """Run a repository function in its own transaction in a worker thread."""

    def work() -> Any:
        with app.sessions.begin() as session:
            return function(session, **kwargs)

    return await asyncio.to_thread(work)


def _user(session: Session, *, user_id: int) -> User | None:
    """Return a user by id."""
    return session.get(User, user_id)
