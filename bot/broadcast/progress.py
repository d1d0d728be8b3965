"""The admin's live progress message for a broadcast, edited every few seconds via the outbox.

The first progress message is an outbox row of kind `progress` (more urgent than notices);
later updates are edits of it (`edit_of`), a newer edit superseding one not sent yet.
The row's id is kept on the broadcast (`progress_message_id = "outbox:<id>"`), so the
edits go on after a restart.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.broadcast.models import Broadcast
from bot.db import repo_outbox
from bot.db.models import User
from bot.messages import Address, Button, Reply, button_rows

if TYPE_CHECKING:
    from bot.parts import Parts as App

OUTBOX_PREFIX = "outbox:"


class Progress:
    """Queues, then edits, one progress message per broadcast to the admin who created it."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._last: dict[int, float] = {}

    def text(self, key: str, **values: object) -> str:
        """Return a message template from content."""
        return self.app.content.messages.text(key, **values)

    async def maybe_update(self, broadcast: Broadcast, found: dict[str, int]) -> None:
        """Queue an edit of the progress message if the last one is old enough."""
        every = self.app.settings.broadcast_progress_seconds
        if time.monotonic() - self._last.get(broadcast.id, -1e9) < every:
            return
        self._last[broadcast.id] = time.monotonic()
        remaining = found["pending"] + found["sending"]
        text = self.text(
            "broadcast.progress",
            id=broadcast.id,
            sent=found["sent"],
            failed=found["failed"],
            blocked=found["blocked"],
            remaining=remaining,
            eta=self.duration(remaining / self.app.settings.send_rate),
        )
        stop = Button(self.text("broadcast.btn_stop"), payload=f"bc:stop:{broadcast.id}")
        await in_session(
            self.app, _show, broadcast_id=broadcast.id, reply=Reply(text, button_rows([stop]))
        )

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
        await in_session(self.app, _show, broadcast_id=broadcast.id, reply=Reply(text), last=True)
        self._last.pop(broadcast.id, None)

    def duration(self, seconds: float) -> str:
        """Say a duration the way an admin reads it: minutes, or seconds when short."""
        if seconds >= 60:
            return self.text("broadcast.eta_minutes", minutes=round(seconds / 60))
        return self.text("broadcast.eta_seconds", seconds=max(1, round(seconds)))


def _show(session: Session, *, broadcast_id: int, reply: Reply, last: bool = False) -> None:
    """Queue the progress message, or an edit of it; the last one also goes as a new message."""
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return
    target = _target(session, broadcast)
    if target is None:
        return
    shown = broadcast.progress_message_id or ""
    if shown.startswith(OUTBOX_PREFIX):
        edit_of = int(shown.removeprefix(OUTBOX_PREFIX))
        repo_outbox.enqueue(session, reply=reply, kind="progress", to=target, edit_of=edit_of)
        if last:  # an edit does not notify the admin; a new message does
            repo_outbox.enqueue(session, reply=reply, kind="progress", to=target)
        return
    row = repo_outbox.enqueue(session, reply=reply, kind="progress", to=target)
    session.flush()
    session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(
            progress_channel=target.channel,
            progress_chat_id=target.chat_id,
            progress_message_id=f"{OUTBOX_PREFIX}{row.id}",
        )
    )


def _target(session: Session, broadcast: Broadcast) -> Address | None:
    """Return where the progress goes: the stored chat, else the admin who created it."""
    if broadcast.progress_channel and broadcast.progress_chat_id:
        return Address(broadcast.progress_channel, broadcast.progress_chat_id)
    if broadcast.created_by is None:
        return None
    user = session.get(User, broadcast.created_by)
    return None if user is None else Address(user.channel, user.chat_id, user.id)


async def in_session(app: App, function: Callable[..., Any], **kwargs: object) -> Any:
    """Run a repository function in its own transaction in a worker thread."""

    def work() -> Any:
        with app.sessions.begin() as session:
            return function(session, **kwargs)

    return await asyncio.to_thread(work)
