"""Repository function for the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.models import AuditLog


def audit(
    session: Session, *, who: str, action: str, detail: str, result: str, now: datetime
) -> None:
    """Append one entry to the audit log."""
    session.add(AuditLog(who=who, action=action, detail=detail[:2000], result=result, at=now))
