"""Remind the staff group of tickets waiting longer than TICKET_REMIND_HOURS."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.delivery import Outcome, deliver_addressed
from bot.handoff import repository as repo
from bot.handoff import staff_texts
from bot.handoff.tickets import staff_address
from bot.messages import Reply

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

MAX_LISTED = 20  # tickets named in one reminder; the rest come in the next one


def due_reminder(app: App) -> tuple[Reply, list[int]] | None:
    """Return the reminder for the staff group and the tickets it names, or None."""
    address = staff_address(app)
    if address is None:
        return None
    now = app.now()
    hours = app.settings.ticket_remind_hours
    with app.sessions() as session:
        due = repo.due_reminders(
            session, waiting_before=now - timedelta(hours=hours), limit=MAX_LISTED
        )
        if not due:
            return None
        items = staff_texts.ticket_lines(app, due, now)
        ids = [ticket.id for ticket in due]
    text = app.content.messages.text("handoff.staff_reminder", hours=f"{hours:g}", items=items)
    return Reply(text, to=address), ids


async def remind_once(app: App) -> int:
    """Send one reminder of waiting tickets; return how many tickets it named."""
    found = due_reminder(app)
    if found is None:
        return 0
    reply, ids = found
    result = await deliver_addressed(app, reply)  # INTERIM until the outbox (issue 19)
    if result.outcome is not Outcome.SENT:
        return 0
    with app.sessions.begin() as session:
        for ticket_id in ids:
            ticket = repo.get_ticket(session, ticket_id)
            if ticket is not None:
                ticket.reminded_at = app.now()
    return len(ids)


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
                await remind_once(self.app)
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
