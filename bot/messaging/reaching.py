"""Carry out the reach decision for one outbox row and settle what it leaves behind.

The sender asks `bot.reach.plan` how a row goes (the one decision function), then calls
`go`: a Zalo notice as Tin Truyền thông, a message beyond the 7-day window as ZNS (each
recorded: it costs money) or not at all ("outside"). `settle` runs in the sender's record
transaction: a ZNS send is logged in zns_sends, a reminder nobody could receive is paused.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot import reach
from bot.db import repo_zalo
from bot.db.repo_outbox import Queued
from bot.messages import Reply
from bot.reach import How, Plan
from bot.reminders import repo as repo_reminders

if TYPE_CHECKING:
    from bot.messaging.parts import MessagingParts as App

log = logging.getLogger(__name__)

OUTSIDE, ZNS = "outside", "zns"  # outbox statuses beyond the ordinary sent / failed
REMINDER_REF = "reminder:"


@dataclass(frozen=True)
class Went:
    """What `go` did: a final status and Zalo's message id."""

    status: str
    message_id: str | None = None
    template_id: str | None = None


async def plan_row(app: App, row: Queued, reply: Reply) -> Plan:
    """Decide how this row goes now (reads the citizen's last message and ZNS consent)."""
    if row.channel != repo_zalo.OA_CHANNEL or row.edit_of is not None:
        # Only Zalo OA has a window (no database read for the others); progress edits go
        # to admins who just wrote.
        return Plan(How.SEND, row.user_id)
    return await asyncio.to_thread(_plan_row, app, row, reply)


def _plan_row(app: App, row: Queued, reply: Reply) -> Plan:
    with app.sessions() as session:
        return reach.plan(
            session,
            settings=app.settings,
            channel=row.channel,
            chat_id=row.chat_id,
            user_id=row.user_id,
            kind=row.kind,
            text=reply.text,
            now=app.now(),
        )


async def go(channel: Any, row: Queued, reply: Reply, plan: Plan) -> Went | None:
    """Send as the plan says; None when it is an ordinary send (the sender does it)."""
    if plan.how is How.OUTSIDE:
        return Went(OUTSIDE)
    if plan.how is How.ZNS:
        assert plan.phone and plan.template_id
        message_id = await channel.send_zns(
            phone=plan.phone,
            template_id=plan.template_id,
            params=plan.params,
            tracking_id=f"outbox-{row.id}",
        )
        return Went(ZNS, message_id, plan.template_id)
    if plan.how is How.ANNOUNCE and hasattr(channel, "announce"):
        return Went("sent", await channel.announce(row.chat_id, reply))
    return None


def settle(
    session: Session,
    *,
    row: Queued,
    status: str,
    message_id: str | None,
    template_id: str | None,
    error: str | None,
    at: datetime,
) -> None:
    """Record a ZNS send; pause a reminder that could not reach its citizen."""
    if template_id is not None:
        repo_zalo.record_zns(
            session,
            user_id=row.user_id,
            template_id=template_id,
            purpose=row.kind,
            status="sent" if status == ZNS else "failed",
            zalo_msg_id=message_id,
            error=error,
            sent_at=at,
        )
    if status == OUTSIDE and row.ref and row.ref.startswith(REMINDER_REF):
        reminder_id = int(row.ref.removeprefix(REMINDER_REF))
        repo_reminders.pause_outside_window(session, reminder_id=reminder_id)
        log.info("reminder %s paused: outside Zalo's 7-day window, no ZNS", reminder_id)
