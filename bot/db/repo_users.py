"""Repository functions for users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.models import User


def get_user(session: Session, *, channel: str, external_id: str) -> User | None:
    """Return the user of one channel account, if known."""
    query = select(User).where(User.channel == channel, User.external_id == external_id)
    return session.scalars(query).one_or_none()


def touch_user(
    session: Session,
    *,
    channel: str,
    external_id: str,
    chat_id: str,
    display_name: str,
    now: datetime,
) -> User:
    """Return the user, creating it on first contact; record that they were seen and active.

    One statement (an upsert), also when another process creates the user at the same moment.
    """
    name = display_name[:128]
    seen = {"last_seen": now, "active": True, "chat_id": chat_id}
    if name:
        seen["display_name"] = name
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(User)
        .values(
            channel=channel,
            external_id=external_id,
            chat_id=chat_id,
            display_name=name,
            first_seen=now,
            last_seen=now,
            active=True,
        )
        .on_conflict_do_update(index_elements=["channel", "external_id"], set_=seen)
        .returning(User)
    )
    options = {"populate_existing": True}
    return session.scalars(statement, execution_options=options).one()


def mark_unreachable(session: Session, *, user_id: int) -> None:
    """Mark a user inactive after the messenger said they blocked the bot."""
    user = session.get(User, user_id)
    if user is not None:
        user.active = False
