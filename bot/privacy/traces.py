"""Rows about a citizen outside the tables pointing at users.id: the audit log, Zalo event keys."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import AuditLog, User
from bot.db.models_zalo import ZaloEvent

ZALO_OA = "zalo"  # the OA channel's name: its event keys may hold the follower's id
# Admin acts the office keeps (pseudonymised) when the admin deletes their data; the rest of
# a person's audit rows (refused attempts, mistyped commands) are deleted.
OFFICIAL_ACTIONS = ("broadcast.", "admins.", "cdht.", "questions.")
ALIAS_PREFIX = "đã-xóa-"


def account_key(user: User) -> str:
    """Return the `channel:external_id` the audit log names a user by."""
    return f"{user.channel}:{user.external_id}"


def _audit_about(user: User) -> ColumnElement[bool]:
    """Rows written by the user or naming their account."""
    key = account_key(user)
    return or_(AuditLog.who == key, AuditLog.detail.contains(key, autoescape=True))


def _events_about(user: User) -> ColumnElement[bool] | None:
    """Zalo OA event keys holding the user's id (follow and unfollow events)."""
    if user.channel != ZALO_OA:
        return None
    return ZaloEvent.key.contains(f":{user.external_id}:", autoescape=True)


def export_traces(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    """Return the audit-log rows and Zalo event rows about the user, table by table."""
    found: dict[str, list[dict[str, Any]]] = {}
    audit = session.execute(select(AuditLog.__table__).where(_audit_about(user))).mappings()
    found[AuditLog.__tablename__] = [dict(row) for row in audit]
    events = _events_about(user)
    if events is not None:
        rows = session.execute(select(ZaloEvent.__table__).where(events)).mappings()
        found[ZaloEvent.__tablename__] = [dict(row) for row in rows]
    return {table: rows for table, rows in found.items() if rows}


def count_traces(session: Session, user: User) -> dict[str, int]:
    """Return how many audit-log and Zalo event rows are about the user."""
    return {table: len(rows) for table, rows in export_traces(session, user).items()}


def erase_traces(session: Session, user: User) -> None:
    """Delete the user's own audit rows and event keys; keep official acts under an alias.

    The alias is random, so nothing links it back to the person once the account is gone.
    """
    key = account_key(user)
    alias = ALIAS_PREFIX + secrets.token_hex(6)
    official = or_(*(AuditLog.action.startswith(p) for p in OFFICIAL_ACTIONS))
    own = AuditLog.who == key
    session.execute(delete(AuditLog).where(own, or_(AuditLog.result != "ok", ~official)))
    session.execute(update(AuditLog).where(own).values(who=alias))
    naming = AuditLog.detail.contains(key, autoescape=True)
    session.execute(
        update(AuditLog).where(naming).values(detail=func.replace(AuditLog.detail, key, alias))
    )
    events = _events_about(user)
    if events is not None:
        session.execute(delete(ZaloEvent).where(events))
