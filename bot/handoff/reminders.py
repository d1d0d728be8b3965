"""Remind the staff group of tickets waiting longer than TICKET_REMIND_HOURS."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.db import repo_outbox
from bot.handoff import repository as repo
from bot.handoff import staff_texts
from bot.handoff.tickets import staff_address
from bot.messages import Reply

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

MAX_LISTED = 20  # tickets named in one reminder; the rest come in the next one


def remind_once(app: App) -> int:
    """Queue one reminder of the tickets waiting too long; return how many it names."""
    address = staff_address(app)
    if address is None:
        return 0
    now = app.now()
    hours = app.settings.ticket_remind_hours
    with app.sessions.begin() as session:
        due = repo.due_reminders(
            session, waiting_before=now - timedelta(hours=hours), limit=MAX_LISTED
        )
        if not due:
            return 0
        items = staff_texts.ticket_lines(app, due, now)
        text = app.content.messages.text("handoff.staff_reminder", hours=f"{hours:g}", items=items)
        repo_outbox.enqueue(session, reply=Reply(text, to=address), kind="staff")
        for ticket in due:
            ticket.reminded_at = now
        return len(due)


class TicketReminderService:
    """Polls every TICKET_POLL_SECONDS for tickets waiting too long."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start polling in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        """Poll until stopped; an error is logged and the next poll tries again."""
        while True:
            try:
                await asyncio.to_thread(remind_once, self.app)
            except Exception:
                log.exception("ticket reminders failed")
            await asyncio.sleep(self.app.settings.ticket_poll_seconds)

    async def stop(self) -> None:
        """Stop polling."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def create_service(app: App) -> TicketReminderService:
    """Build the ticket reminder service (listed in SERVICE_FACTORIES)."""
    return TicketReminderService(app)
