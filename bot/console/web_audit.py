"""The audit-log viewer (admins only): who did what and when, with filters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from bot.console.web_common import deps_of, render, signed_in
from bot.db.models import AuditLog

PERMISSION = "audit"
LIMIT = 200


def _day(text: str) -> date | None:
    """Read a yyyy-mm-dd date from a form field, or None."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def entries(
    session: Session, *, who: str, action: str, since: datetime | None, until: datetime | None
) -> list[AuditLog]:
    """Return the newest audit rows matching the filters (at most LIMIT)."""
    query = select(AuditLog)
    if who:
        query = query.where(AuditLog.who.contains(who, autoescape=True))
    if action:
        query = query.where(AuditLog.action == action)
    if since is not None:
        query = query.where(AuditLog.at >= since)
    if until is not None:
        query = query.where(AuditLog.at < until)
    return list(
        session.scalars(query.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(LIMIT))
    )


async def page(request: Request) -> Response:
    """List the audit log, newest first, filtered by who, action and dates (local days)."""
    signed_in(request, PERMISSION)
    deps = deps_of(request)
    tz = deps.settings.tz
    params = request.query_params
    who, action = params.get("who", "").strip()[:96], params.get("action", "").strip()[:48]
    first, last = _day(params.get("from", "")), _day(params.get("to", ""))
    since = datetime.combine(first, time(), tz) if first else None
    until = datetime.combine(last + timedelta(days=1), time(), tz) if last else None
    with deps.sessions() as session:
        rows = entries(session, who=who, action=action, since=since, until=until)
        actions = list(
            session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action))
        )
    return render(
        request, "audit.html", rows=rows, actions=actions, who=who, action=action,
        first=first, last=last, tz=tz, limit=LIMIT,
    )  # fmt: skip
