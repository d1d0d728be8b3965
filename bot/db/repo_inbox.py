"""Repository functions for the inbox: store updates once, claim each chat's next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, any_, bindparam, delete, func, select, update
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


_COLUMNS = (InboxUpdate.id, InboxUpdate.channel, InboxUpdate.payload, InboxUpdate.received_at)
_CHANNELS = InboxUpdate.channel.in_(bindparam("channels", expanding=True))
_LIMIT = bindparam("limit", type_=Integer)


def _heads_anti_join() -> Any:
    """Build SQLite's claim: pending updates with no earlier pending update of their chat."""
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
    return (
        select(*_COLUMNS)
        .where(InboxUpdate.status == "pending", _CHANNELS, ~blocked)
        .order_by(InboxUpdate.id)
        .limit(_LIMIT)
    )


# PostgreSQL's claim, in two statements: each chat's first pending update, then a lock on
# those still pending. Without statistics (a fresh or freshly flooded inbox) PostgreSQL
# planned the one-statement forms as nested loops over all the pending updates: 0.3-1 s per
# batch with 2,000 pending. Each statement here is linear whatever the plan.
_FIRSTS = (
    select(func.min(InboxUpdate.id))
    .where(InboxUpdate.status == "pending", _CHANNELS)
    .group_by(InboxUpdate.chat_key)
    .order_by(func.min(InboxUpdate.id))
    .limit(_LIMIT)
)
_LOCK_FIRSTS = (
    select(*_COLUMNS)
    .where(
        InboxUpdate.id == any_(bindparam("ids", type_=postgresql.ARRAY(Integer))),
        InboxUpdate.status == "pending",  # checked again on a row changed meanwhile
    )
    .order_by(InboxUpdate.id)
    .limit(_LIMIT)
    .with_for_update(skip_locked=True)
)
_SQLITE_HEADS = _heads_anti_join()  # built once: building it cost more than running it
LOOK_AHEAD = 4  # chats' first updates read per place in a batch (others may hold some)


def claim_heads(session: Session, *, channels: list[str], limit: int) -> list[Claimed]:
    """Lock the oldest pending update of up to `limit` chats that nobody else is handling.

    A chat's later update is not taken while an earlier one is pending, so each chat's
    updates run one at a time and in order. On PostgreSQL the rows stay locked (FOR UPDATE
    SKIP LOCKED) until the caller's transaction ends, so other processes pass them by and,
    seeing them still pending, leave those chats alone too. (An update that is no longer
    pending never becomes pending again, so a chat's first update read in one statement
    and locked in the next is still its first.)
    """
    connection = session.connection()
    params: dict[str, Any] = {"channels": channels, "limit": limit}
    if connection.dialect.name != "postgresql":
        return [Claimed(*row) for row in connection.execute(_SQLITE_HEADS, params)]
    firsts = connection.execute(_FIRSTS, {**params, "limit": limit * LOOK_AHEAD}).scalars()
    ids = list(firsts)
    if not ids:
        return []
    rows = connection.execute(_LOCK_FIRSTS, {"ids": ids, "limit": limit})
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
