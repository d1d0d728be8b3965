"""Repository functions for admins added in the bot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admins.models import Admin


def is_db_admin(session: Session, *, channel: str, external_id: str) -> bool:
    """Return whether the account was added as an admin."""
    query = select(Admin.id).where(Admin.channel == channel, Admin.external_id == external_id)
    return session.scalar(query) is not None


def list_admins(session: Session) -> list[Admin]:
    """Return the admins added in the bot, oldest first."""
    return list(session.scalars(select(Admin).order_by(Admin.id)))


def add_admin(
    session: Session, *, channel: str, external_id: str, added_by: str, now: datetime
) -> bool:
    """Add an admin; return False when the account already is one."""
    if is_db_admin(session, channel=channel, external_id=external_id):
        return False
    session.add(Admin(channel=channel, external_id=external_id, added_by=added_by, added_at=now))
    session.flush()
    return True


def remove_admin(session: Session, *, channel: str, external_id: str) -> bool:
    """Remove an admin; return False when the account was not one."""
    query = select(Admin).where(Admin.channel == channel, Admin.external_id == external_id)
    admin = session.scalars(query).one_or_none()
    if admin is None:
        return False
    session.delete(admin)
    return True
