"""Queue the reminders that are due: claim each occurrence and queue its message at once.

Claiming (moving the reminder past its occurrence) and queueing the message in the outbox
happen in one transaction, so an occurrence is never lost nor queued twice; the sender
delivers it under the token's rate limit, retrying as needed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.db import repo_outbox
from bot.db.models import User
from bot.messages import Button, Reply, button_rows
from bot.reminders import repo as repo_reminders
from bot.reminders.notices import run_notices_once
from bot.reminders.recurrence import is_quiet_hour, next_occurrence, rule_of

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

BATCH = 1000


def _claim(app: App, now: datetime) -> Counter[str]:
    """Claim and queue every due occurrence, a batch per transaction; count what happened."""
    grace = timedelta(hours=app.settings.reminder_grace_hours)
    counts: Counter[str] = Counter()
    while True:
        try:
            rows = _claim_batch(app, now, grace, counts)
        except OperationalError:  # e.g. SQLite busy with another poller: try on the next poll
            log.warning("reminders: database busy, claiming again on the next poll")
            return counts
        if rows < BATCH:
            return counts


def _claim_batch(app: App, now: datetime, grace: timedelta, counts: Counter[str]) -> int:
    """Claim one batch of due rows and queue their messages; return how many rows were due."""
    tz = app.settings.tz
    batch: Counter[str] = Counter()
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
                batch[reason] += 1
                log.info("reminder %s due %s not sent: %s", row.id, due.isoformat(), reason)
                if reason == "user inactive":
                    repo_reminders.pause_all(session, user_id=user.id)
                continue
            repo_outbox.enqueue(
                session,
                reply=reminder_reply(app, row.text),
                kind="reminder",
                channel=user.channel,
                chat_id=user.chat_id,
                user_id=user.id,
                ref=f"reminder:{row.id}",
            )
            batch["queued"] += 1
    counts.update(batch)  # only what was committed counts
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


async def run_due_once(app: App) -> Counter[str]:
    """Queue every due personal reminder and notice once; return counts of what happened."""
    now = app.now()
    counts = await asyncio.to_thread(_claim, app, now)
    counts.update(await run_notices_once(app, now))
    return counts
