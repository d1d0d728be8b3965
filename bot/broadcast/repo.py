"""Repository functions for broadcasts and their per-recipient delivery queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from bot.broadcast.audience import recipients
from bot.broadcast.models import Broadcast, BroadcastDelivery
from bot.db import repo_outbox
from bot.db.models import User

OPEN = ("scheduled", "sending")  # statuses an admin can still cancel
STATUSES = ("pending", "sending", "sent", "failed", "blocked", "skipped")


@dataclass(frozen=True)
class Due:
    """One delivery to attempt now: who and where."""

    id: int
    user_id: int
    channel: str
    chat_id: str
    attempts: int
    wants_notices: bool


def create(session: Session, *, created_by: int, now: datetime, **fields: Any) -> Broadcast:
    """Queue a broadcast (text, attachment_url, buttons, audience, scheduled_at)."""
    broadcast = Broadcast(status="scheduled", created_by=created_by, created_at=now, **fields)
    session.add(broadcast)
    session.flush()
    return broadcast


def due_to_start(session: Session, *, now: datetime) -> list[int]:
    """Return the ids of scheduled broadcasts whose time has come, oldest first."""
    query = select(Broadcast.id).where(
        Broadcast.status == "scheduled", Broadcast.scheduled_at <= now
    )
    return list(session.scalars(query.order_by(Broadcast.scheduled_at, Broadcast.id)))


def start(session: Session, *, broadcast_id: int, now: datetime) -> int:
    """Snapshot the audience into the queue and mark the broadcast sending; return the total."""
    broadcast = session.get(Broadcast, broadcast_id, with_for_update=True)
    if broadcast is None or broadcast.status != "scheduled":
        return 0
    query = recipients(broadcast.audience).with_only_columns(
        literal(broadcast_id), User.id, literal("pending"), literal(0)
    )
    columns = ["broadcast_id", "user_id", "status", "attempts"]
    session.execute(insert(BroadcastDelivery).from_select(columns, query))
    broadcast.total = session.scalar(
        select(func.count()).where(BroadcastDelivery.broadcast_id == broadcast_id)
    )
    broadcast.status = "sending"
    broadcast.started_at = now
    return broadcast.total


def sending(session: Session) -> list[Broadcast]:
    """Return the broadcasts being sent, oldest first."""
    query = select(Broadcast).where(Broadcast.status == "sending").order_by(Broadcast.id)
    return list(session.scalars(query))


def next_due(session: Session, *, broadcast_id: int, now: datetime, limit: int) -> list[Due]:
    """Return up to `limit` pending deliveries whose time has come, in queue order."""
    query = (
        select(
            BroadcastDelivery.id,
            BroadcastDelivery.user_id,
            User.channel,
            User.chat_id,
            BroadcastDelivery.attempts,
            User.active & User.notices_enabled,
        )
        .join(User, User.id == BroadcastDelivery.user_id)
        .where(
            BroadcastDelivery.broadcast_id == broadcast_id,
            BroadcastDelivery.status == "pending",
            or_(
                BroadcastDelivery.next_attempt_at.is_(None),
                BroadcastDelivery.next_attempt_at <= now,
            ),
        )
        .order_by(BroadcastDelivery.id)
        .limit(limit)
    )
    return [Due(*row) for row in session.execute(query)]


def set_delivery(session: Session, *, delivery_id: int, **values: Any) -> None:
    """Update one delivery (status, attempts, next_attempt_at, sent_at, error)."""
    session.execute(
        update(BroadcastDelivery).where(BroadcastDelivery.id == delivery_id).values(**values)
    )


def counts(session: Session, *, broadcast_id: int) -> dict[str, int]:
    """Return the number of deliveries in each status."""
    query = (
        select(BroadcastDelivery.status, func.count())
        .where(BroadcastDelivery.broadcast_id == broadcast_id)
        .group_by(BroadcastDelivery.status)
    )
    found = {status: 0 for status in STATUSES}
    found.update({status: n for status, n in session.execute(query)})
    return found


def store_counts(broadcast: Broadcast, found: dict[str, int]) -> None:
    """Copy the delivery counts onto the broadcast row for reports."""
    broadcast.sent_count = found["sent"]
    broadcast.failed_count = found["failed"]
    broadcast.blocked_count = found["blocked"]


def finish(session: Session, *, broadcast_id: int, now: datetime) -> Broadcast | None:
    """Mark a broadcast done with its final counts, unless it was cancelled meanwhile."""
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.status != "sending":
        return None
    store_counts(broadcast, counts(session, broadcast_id=broadcast_id))
    broadcast.status = "done"
    broadcast.finished_at = now
    return broadcast


def cancel(session: Session, *, broadcast_id: int, now: datetime) -> Broadcast | None:
    """Cancel a scheduled or running broadcast; return it, or None if it was not open."""
    broadcast = session.get(Broadcast, broadcast_id, with_for_update=True)
    if broadcast is None or broadcast.status not in OPEN:
        return None
    # Withdraw the notices still waiting in the outbox (those in flight settle as they go).
    repo_outbox.cancel(session, ref_prefix=f"{OUTBOX_REF}{broadcast_id}:")
    session.execute(
        update(BroadcastDelivery)
        .where(
            BroadcastDelivery.broadcast_id == broadcast_id,
            BroadcastDelivery.status == "sending",
        )
        .values(status="pending")
        .execution_options(synchronize_session=False)
    )
    store_counts(broadcast, counts(session, broadcast_id=broadcast_id))
    broadcast.status = "cancelled"
    broadcast.finished_at = now
    return broadcast


def status_of(session: Session, *, broadcast_id: int) -> str | None:
    """Return the broadcast's status."""
    return session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))


def set_progress_message(
    session: Session, *, broadcast_id: int, channel: str, chat_id: str, message_id: str
) -> None:
    """Remember the admin's progress message so later runs keep editing it."""
    session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(progress_channel=channel, progress_chat_id=chat_id, progress_message_id=message_id)
    )


def recent(session: Session, *, limit: int = 10) -> list[Broadcast]:
    """Return the latest broadcasts, newest first."""
    return list(session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)))


OUTBOX_REF = "broadcast:"  # outbox rows of a broadcast: "broadcast:<broadcast id>:<delivery id>"


def outbox_ref(broadcast_id: int, delivery_id: int) -> str:
    """Return the outbox reference of one delivery."""
    return f"{OUTBOX_REF}{broadcast_id}:{delivery_id}"


def settle_outbox_ref(
    session: Session, *, ref: str | None, status: str, at: datetime, error: str | None = None
) -> None:
    """Copy a final outbox outcome (sent / blocked / failed) onto the delivery it carries."""
    if not ref or not ref.startswith(OUTBOX_REF):
        return
    delivery_id = int(ref.rsplit(":", 1)[1])
    values: dict[str, Any] = {"status": status, "attempts": BroadcastDelivery.attempts + 1}
    if status == "sent":
        values["sent_at"] = at
    elif error:
        values["error"] = error[:250]
    set_delivery(session, delivery_id=delivery_id, **values)
