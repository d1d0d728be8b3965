"""Repository functions for the inbox: store updates once, claim each chat's next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from bot.db.models_messaging import InboxUpdate


@dataclass(frozen=True)
class Received:
    """One update as a messenger delivered it, ready to store."""

    channel: str
    update_key: str
    chat_key: str
    payload: dict[str, Any]


def store(session: Session, items: list[Received], *, now: datetime) -> int:
    """Insert the updates not stored yet (redeliveries are dropped); return how many were new."""
    if not items:
        return 0
    rows = [
        {
            "channel": item.channel,
            "update_key": item.update_key[:160],
            "chat_key": item.chat_key[:96],
            "payload": item.payload,
            "status": "pending",
            "received_at": now,
        }
        for item in items
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(InboxUpdate)
        .on_conflict_do_nothing(index_elements=["channel", "update_key"])
        .returning(InboxUpdate.id)
    )
    return len(session.connection().execute(statement, rows).all())


@dataclass(frozen=True)
class Claimed:
    """A stored update taken for handling."""

    id: int
    channel: str
    payload: dict[str, Any]
    received_at: datetime


def _heads_query(*, locked: bool) -> Any:
    """Build the query of `claim_heads` (bound: channels, limit)."""
    earlier = aliased(InboxUpdate)
    blocked = (
        select(earlier.id)
        .where(
            earlier.chat_key == InboxUpdate.chat_key,
            earlier.status == "pending",
            earlier.id < InboxUpdate.id,
        )
        .exists()
    )
    query = (
        select(InboxUpdate.id, InboxUpdate.channel, InboxUpdate.payload, InboxUpdate.received_at)
        .where(
            InboxUpdate.status == "pending",
            InboxUpdate.channel.in_(bindparam("channels", expanding=True)),
            ~blocked,
        )
        .order_by(InboxUpdate.id)
        .limit(bindparam("limit", type_=Integer))
    )
    return query.with_for_update(skip_locked=True) if locked else query


# Built once: building them cost more than running them.
_HEADS = {"postgresql": _heads_query(locked=True), "sqlite": _heads_query(locked=False)}


def claim_heads(session: Session, *, channels: list[str], limit: int) -> list[Claimed]:
    """Lock the oldest pending update of up to `limit` chats that nobody else is handling.

    A chat's later update is not taken while an earlier one is pending, so each chat's
    updates run one at a time and in order. On PostgreSQL the rows stay locked (FOR UPDATE
    SKIP LOCKED) until the caller's transaction ends, so other processes pass them by and,
    seeing them still pending, leave those chats alone too.
    """
    statement = _HEADS[session.get_bind().dialect.name]
    rows = session.connection().execute(statement, {"channels": channels, "limit": limit})
    return [Claimed(*row) for row in rows]


def settle(session: Session, outcomes: list[tuple[int, datetime, str | None]]) -> None:
    """Mark updates handled (or failed, with the reason) in one statement.

    Each outcome is (update id, when it was handled, error or None).
    """
    if not outcomes:
        return
    rows = [
        {
            "id": update_id,
            "status": "failed" if error else "done",
            "handled_at": at,
            "error": error,
        }
        for update_id, at, error in outcomes
    ]
    session.execute(update(InboxUpdate), rows)


def lag(session: Session, *, now: datetime) -> tuple[int, float]:
    """Return the number of pending updates and the age in seconds of the oldest."""
    count, oldest = session.execute(
        select(func.count(), func.min(InboxUpdate.received_at)).where(
            InboxUpdate.status == "pending"
        )
    ).one()
    if oldest is None:
        return count, 0.0
    return count, max(0.0, (now - oldest).total_seconds())


def prune(session: Session, *, older_than: datetime) -> int:
    """Forget handled updates received before `older_than` (redeliveries come within hours)."""
    result = session.execute(
        delete(InboxUpdate).where(
            InboxUpdate.status != "pending", InboxUpdate.received_at < older_than
        )
    )
    return result.rowcount or 0
