"""Repository functions for the roles (admin, staff) super-admins give in the bot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admins.models import ADMIN, Admin


def _row(session: Session, channel: str, external_id: str) -> Admin | None:
    """Return the account's role row, if it has one."""
    query = select(Admin).where(Admin.channel == channel, Admin.external_id == external_id)
    return session.scalars(query).one_or_none()


def has_role(session: Session, *, channel: str, external_id: str, role: str) -> bool:
    """Return whether the account was given the role."""
    query = select(Admin.id).where(
        Admin.channel == channel, Admin.external_id == external_id, Admin.role == role
    )
    return session.scalar(query) is not None


def list_role(session: Session, *, role: str) -> list[Admin]:
    """Return the accounts with the role, oldest first."""
    return list(session.scalars(select(Admin).where(Admin.role == role).order_by(Admin.id)))


def grant(
    session: Session, *, channel: str, external_id: str, role: str, added_by: str, now: datetime
) -> bool:
    """Give an account the role (replacing another one); False when it already had it."""
    row = _row(session, channel, external_id)
    if row is not None and row.role == role:
        return False
    if row is None:
        row = Admin(channel=channel, external_id=external_id)
        session.add(row)
    row.role, row.added_by, row.added_at = role, added_by, now
    session.flush()
    return True


def revoke(session: Session, *, channel: str, external_id: str, role: str) -> bool:
    """Take the role away; return False when the account did not have it."""
    row = _row(session, channel, external_id)
    if row is None or row.role != role:
        return False
    session.delete(row)
    return True


def is_db_admin(session: Session, *, channel: str, external_id: str) -> bool:
    """Return whether the account was added as an admin."""
    return has_role(session, channel=channel, external_id=external_id, role=ADMIN)


def list_admins(session: Session) -> list[Admin]:
    """Return the admins added in the bot, oldest first."""
    return list_role(session, role=ADMIN)


def add_admin(
    session: Session, *, channel: str, external_id: str, added_by: str, now: datetime
) -> bool:
    """Add an admin; return False when the account already is one."""
    return grant(
        session, channel=channel, external_id=external_id, role=ADMIN, added_by=added_by, now=now
    )


def remove_admin(session: Session, *, channel: str, external_id: str) -> bool:
    """Remove an admin; return False when the account was not one."""
    return revoke(session, channel=channel, external_id=external_id, role=ADMIN)
