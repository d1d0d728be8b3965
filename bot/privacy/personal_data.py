"""A citizen's data across every table that points at users.id: count, export, delete."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, delete, func, or_, select
from sqlalchemy.orm import Session

from bot.db.base import Base
from bot.db.models import User
from bot.db.registry import import_all_models


def user_tables() -> list[tuple[Table, list[Column[Any]]]]:
    """Return every table with a foreign key to users.id, with those columns."""
    import_all_models()
    found: list[tuple[Table, list[Column[Any]]]] = []
    users_id = User.__table__.c.id
    for table in Base.metadata.sorted_tables:
        columns = [fk.parent for fk in table.foreign_keys if fk.column is users_id]
        if columns and table is not User.__table__:
            found.append((table, columns))
    return found


def _owned(columns: list[Column[Any]], user_id: int) -> Any:
    """Return the condition "this row references the user"."""
    return or_(*(column == user_id for column in columns))


def count_rows(session: Session, *, user_id: int) -> dict[str, int]:
    """Return, per table, how many rows reference the user (tables with none left out)."""
    counts: dict[str, int] = {}
    for table, columns in user_tables():
        query = select(func.count()).select_from(table).where(_owned(columns, user_id))
        number = session.scalar(query) or 0
        if number:
            counts[table.name] = number
    return counts


def export_rows(session: Session, *, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Return the user's row and every row referencing it, table by table."""
    result: dict[str, list[dict[str, Any]]] = {}
    user_table: Table = User.__table__  # type: ignore[assignment]
    own = session.execute(select(user_table).where(user_table.c.id == user_id)).mappings()
    result[user_table.name] = [dict(row) for row in own]
    for table, columns in user_tables():
        query = select(table).where(_owned(columns, user_id))
        rows = [dict(row) for row in session.execute(query).mappings()]
        if rows:
            result[table.name] = rows
    return result


def to_json(data: dict[str, Any]) -> bytes:
    """Serialise exported data as indented UTF-8 JSON (dates as ISO 8601)."""

    def default(value: object) -> object:
        if isinstance(value, datetime | date):
            return value.isoformat()
        return str(value)

    return json.dumps(data, ensure_ascii=False, indent=2, default=default).encode("utf-8")


def delete_user(session: Session, *, user_id: int) -> dict[str, int]:
    """Delete the users row (the database cascades to every referencing row); return counts."""
    counts = count_rows(session, user_id=user_id)
    session.flush()
    session.expunge_all()  # loaded objects of this user must not be written back after the delete
    session.execute(delete(User).where(User.id == user_id))
    return counts
