"""Repository functions for Zalo: the OA token pair and processed-event keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.base import add_once
from bot.db.models_zalo import ZaloEvent, ZaloToken


def get_token(session: Session, *, app_id: str) -> ZaloToken | None:
    """Return the stored token pair of the OA app, if any."""
    return session.get(ZaloToken, app_id)


def seed_token(
    session: Session,
    *,
    app_id: str,
    access_token: str,
    refresh_token: str,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """Store a first token pair unless the database already has one; return whether stored."""
    if get_token(session, app_id=app_id) is not None:
        return False
    pair = ZaloToken(
        app_id=app_id,
        access_token=access_token,
        refresh_token=refresh_token,
        obtained_at=now,
        expires_at=expires_at,
    )
    return add_once(session, pair)  # False if another process seeded it at the same moment


def acquire_refresh_lease(
    session: Session, *, app_id: str, now: datetime, until: datetime
) -> bool:
    """Take the right to refresh (one process at a time); return whether it was taken."""
    result = session.execute(
        update(ZaloToken)
        .where(
            ZaloToken.app_id == app_id,
            or_(ZaloToken.refreshing_until.is_(None), ZaloToken.refreshing_until < now),
        )
        .values(refreshing_until=until)
    )
    return result.rowcount == 1


def release_refresh_lease(session: Session, *, app_id: str) -> None:
    """Give up the refresh lease without changing the pair (the refresh failed)."""
    session.execute(
        update(ZaloToken).where(ZaloToken.app_id == app_id).values(refreshing_until=None)
    )


def store_refreshed_token(
    session: Session,
    *,
    app_id: str,
    access_token: str,
    refresh_token: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    """Replace the pair with a freshly issued one and release the refresh lease."""
    session.execute(
        update(ZaloToken)
        .where(ZaloToken.app_id == app_id)
        .values(
            access_token=access_token,
            refresh_token=refresh_token,
            obtained_at=now,
            expires_at=expires_at,
            refreshing_until=None,
        )
    )


def claim_event(session: Session, *, key: str, now: datetime) -> bool:
    """Record an inbound event; return False when it was already taken (a redelivery)."""
    if session.get(ZaloEvent, key) is not None:
        return False
    return add_once(session, ZaloEvent(key=key, seen_at=now))  # False on a simultaneous twin


def prune_events(session: Session, *, older_than: datetime, max_rows: int) -> int:
    """Forget events past the retention period and the oldest beyond `max_rows`."""
    removed = session.execute(delete(ZaloEvent).where(ZaloEvent.seen_at < older_than)).rowcount
    count = session.scalar(select(func.count()).select_from(ZaloEvent)) or 0
    if count > max_rows:
        cutoff = session.scalar(
            select(ZaloEvent.seen_at).order_by(ZaloEvent.seen_at.desc()).offset(max_rows).limit(1)
        )
        if cutoff is not None:
            removed += session.execute(
                delete(ZaloEvent).where(ZaloEvent.seen_at <= cutoff)
            ).rowcount
    return removed
