"""A citizen's data across every table that points at users.id: count, export, delete."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.base import Base
from bot.db.models import User
from bot.db.models_messaging import OutboxMessage
from bot.db.registry import import_all_models
from bot.privacy import queues, traces

# Columns of kept shared records that name the person's chat, cleared with the link to them.
CHAT_COLUMNS = {
    "broadcasts": ("progress_channel", "progress_chat_id", "progress_message_id"),
}
# Tables pointing at users.id whose rows about the person bot/privacy/queues.py finds and
# deletes (also rows that do not point at the person but are addressed to their chat).
QUEUE_TABLES = {"outbox"}


def user_tables(kept: bool | None = None) -> list[tuple[Table, list[Column[Any]]]]:
    """Return every table with a foreign key to users.id, with those columns.

    `kept=False`: only tables whose rows go with the user (ON DELETE CASCADE); `kept=True`:
    only shared records that stay, detached from the person (ON DELETE SET NULL).
    """
    import_all_models()
    found: list[tuple[Table, list[Column[Any]]]] = []
    users_id = User.__table__.c.id
    for table in Base.metadata.sorted_tables:
        if kept and table.name in QUEUE_TABLES:
            continue
        keys = [fk for fk in table.foreign_keys if fk.column is users_id]
        if kept is not None:
            keys = [fk for fk in keys if (fk.ondelete == "SET NULL") is kept]
        if keys and table is not User.__table__:
            found.append((table, [fk.parent for fk in keys]))
    return found


def _owned(columns: list[Column[Any]], user_id: int) -> Any:
    """Return the condition "this row references the user"."""
    return or_(*(column == user_id for column in columns))


def count_rows(session: Session, *, user_id: int, kept: bool = False) -> dict[str, int]:
    """Return, per table, how many rows reference the user (tables with none left out).

    By default the rows deletion removes; `kept=True` counts the shared records it keeps.
    """
    counts: dict[str, int] = {}
    for table, columns in user_tables(kept=kept):
        query = select(func.count()).select_from(table).where(_owned(columns, user_id))
        number = session.scalar(query) or 0
        if number:
            counts[table.name] = number
    return counts


def export_rows(
    session: Session, *, user_id: int, needles: Sequence[str] = ()
) -> dict[str, list[dict[str, Any]]]:
    """Return the user's row, every row referencing it and the rows about it, table by table.

    `needles` (name, phone) find the messaging core's rows naming the person.
    """
    result: dict[str, list[dict[str, Any]]] = {}
    user_table: Table = User.__table__  # type: ignore[assignment]
    own = session.execute(select(user_table).where(user_table.c.id == user_id)).mappings()
    result[user_table.name] = [dict(row) for row in own]
    for table, columns in user_tables():
        query = select(table).where(_owned(columns, user_id))
        rows = [dict(row) for row in session.execute(query).mappings()]
        if rows:
            result[table.name] = rows
    user = session.get(User, user_id)
    if user is not None:
        result.pop(OutboxMessage.__tablename__, None)  # the queue's own search finds them all
        result.update(traces.export_traces(session, user))
        result.update(queues.export(session, queues.marks_of(session, user, list(needles))))
    return result


def to_json(data: dict[str, Any]) -> bytes:
    """Serialise exported data as indented UTF-8 JSON (dates as ISO 8601)."""

    def default(value: object) -> object:
        if isinstance(value, datetime | date):
            return value.isoformat()
        return str(value)

    return json.dumps(data, ensure_ascii=False, indent=2, default=default).encode("utf-8")


def count_all(session: Session, *, user: User, needles: list[str]) -> dict[str, int]:
    """Return, per table, how many rows deletion removes: own rows, traces, queued messages."""
    counts = count_rows(session, user_id=user.id)
    counts.update(traces.count_traces(session, user))
    counts.update(queues.count(session, queues.marks_of(session, user, needles)))
    return counts


def delete_user(session: Session, *, user_id: int, needles: Sequence[str] = ()) -> dict[str, int]:
    """Delete the user and every trace of them; keep shared records detached; return counts.

    The database cascades to every referencing row; audit-log rows and Zalo event keys about
    the user are deleted, or pseudonymised where they record an admin's official act; the
    messaging core's rows about them (found by their chat, id and `needles`: name, phone)
    are pseudonymised (inbox) or deleted (outbox).
    """
    user = session.get(User, user_id)
    counts = count_rows(session, user_id=user_id)
    if user is not None:
        counts = count_all(session, user=user, needles=list(needles))
        traces.erase_traces(session, user)
        queues.erase(session, queues.marks_of(session, user, list(needles)))
    _detach(session, user_id)
    session.flush()
    session.expunge_all()  # loaded objects of this user must not be written back after the delete
    session.execute(delete(User).where(User.id == user_id))
    return counts


def _detach(session: Session, user_id: int) -> None:
    """Clear the person's chat from shared records (e.g. a notice's progress message)."""
    for table, columns in user_tables(kept=True):
        clear = {name: None for name in CHAT_COLUMNS.get(table.name, ())}
        clear.update({c.name: None for c in columns})
        session.execute(update(table).where(_owned(columns, user_id)).values(clear))
