"""Send the reminders that are due: claim rows in the database, then deliver them."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.db.models import User
from bot.delivery import Outcome
from bot.messages import Button, Reply, button_rows
from bot.reminders import repo as repo_reminders
from bot.reminders.notices import run_notices_once
from bot.reminders.recurrence import is_quiet_hour, next_occurrence, rule_of
from bot.reminders.sending import deliver_all, send_and_settle

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

BATCH = 1000


@dataclass(frozen=True)
class Due:
    """One claimed occurrence of a reminder, ready to deliver."""

    reminder_id: int
    user_id: int
    channel: str
    chat_id: str
    text: str
    due: datetime
    next_due: datetime | None


def _claim(app: App, now: datetime) -> tuple[list[Due], Counter[str]]:
    """Claim every due occurrence: move each reminder on before sending, so none goes twice."""
    grace = timedelta(hours=app.settings.reminder_grace_hours)
    claimed: list[Due] = []
    skipped: Counter[str] = Counter()
    while True:
        batch: list[Due] = []
        try:
            rows = _claim_batch(app, now, grace, batch, skipped)
        except OperationalError:  # e.g. SQLite busy with another poller: try on the next poll
            log.warning("reminders: database busy, claiming again on the next poll")
            return claimed, skipped
        claimed.extend(batch)  # only what was committed is sent
        if rows < BATCH:
            return claimed, skipped


def _claim_batch(
    app: App, now: datetime, grace: timedelta, batch: list[Due], skipped: Counter[str]
) -> int:
    """Claim one batch of due rows in one transaction; return how many rows were due."""
    tz = app.settings.tz
    with app.sessions.begin() as session:
        rows = list(session.scalars(repo_reminders.due_query(session, now=now, limit=BATCH)))
        user_ids = {r.user_id for r in rows}
        users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
        for row in rows:
            due = row.next_due_at
            assert due is not None
            next_due = next_occurrence(rule_of(row), now, tz)
            if not repo_reminders.advance(
                session, reminder_id=row.id, due=due, next_due=next_due, now=now
            ):
                continue  # another poller took it
            user = users[row.user_id]
            reason = _skip_reason(row, user, due, now, grace, tz)
            if reason:
                skipped[reason] += 1
                log.info("reminder %s due %s not sent: %s", row.id, due.isoformat(), reason)
                if reason == "user inactive":
                    repo_reminders.pause_all(session, user_id=user.id)
                continue
            batch.append(Due(row.id, user.id, user.channel, user.chat_id, row.text, due, next_due))
    return len(rows)


def _skip_reason(row, user, due, now, grace, tz) -> str:  # noqa: ANN001 - internal helper
    """Return why an occurrence must not be sent (empty when it may go)."""
    if not user.active:
        return "user inactive"
    if now - due > grace:
        return "beyond the grace window"
    if now - due > timedelta(minutes=1) and is_quiet_hour(now.astimezone(tz).hour):
        if not is_quiet_hour(row.hour):
            return "late and now in quiet hours"
    return ""


def reminder_reply(app: App, text: str) -> Reply:
    """Build the message a citizen receives when a reminder is due."""
    messages = app.content.messages
    buttons = [Button(messages.text("reminders.btn_list"), payload="cmd:lichnhac")]
    return Reply(messages.text("reminders.due", text=text), button_rows(buttons))


async def _send(app: App, item: Due) -> Outcome:
    """Deliver one reminder; a retryable failure puts the occurrence back as due."""
    return await send_and_settle(
        app,
        user_id=item.user_id,
        channel=item.channel,
        chat_id=item.chat_id,
        reply=reminder_reply(app, item.text),
        retry=lambda session: repo_reminders.retry_later(
            session, reminder_id=item.reminder_id, due=item.due, next_due=item.next_due
        ),
        label=f"reminder {item.reminder_id}",
    )


async def run_due_once(app: App) -> Counter[str]:
    """Send every due personal reminder and notice once; return counts of what happened."""
    now = app.now()
    claimed, counts = await asyncio.to_thread(_claim, app, now)
    counts.update(await deliver_all(app, claimed, lambda item: _send(app, item)))
    counts.update(await run_notices_once(app, now))
    return counts
