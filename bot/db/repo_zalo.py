"""Repository functions for Zalo: tokens, event keys, download links, the window, ZNS."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.base import add_once
from bot.db.models import User
from bot.db.models_zalo import DownloadLink, ZaloEvent, ZaloToken, ZnsConsent, ZnsSend

OA_CHANNEL = "zalo"  # the Zalo OA channel's name (the Zalo Bot has no such window)
ZALO_WINDOW = timedelta(days=7)
WINDOW_MARGIN = timedelta(minutes=10)


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


def add_link(
    session: Session,
    *,
    token_hash: str,
    filename: str,
    data: bytes,
    now: datetime,
    until: datetime,
) -> None:
    """Store a file behind a download link, first deleting the links that have expired."""
    session.execute(delete(DownloadLink).where(DownloadLink.expires_at <= now))
    session.add(
        DownloadLink(
            token_hash=token_hash, filename=filename, data=data, created_at=now, expires_at=until
        )
    )


def open_link(session: Session, *, token_hash: str, now: datetime) -> DownloadLink | None:
    """Return the file behind a link still valid; an expired one is deleted and not returned."""
    link = session.get(DownloadLink, token_hash)
    if link is not None and link.expires_at <= now:
        session.delete(link)
        return None
    return link


def prune_links(session: Session, *, now: datetime) -> int:
    """Delete every expired download link; return how many."""
    return session.execute(delete(DownloadLink).where(DownloadLink.expires_at <= now)).rowcount


def inside_window(last_interaction: datetime | None, now: datetime) -> bool:
    """Return whether Zalo lets the OA write to a citizen who last wrote at that moment.

    Zalo OA accepts customer-service (Tư vấn) messages only within 7 days of the citizen's
    last interaction (error -230/-232 after that). A small margin keeps us clear of the edge.
    """
    if last_interaction is None:
        return False
    return now - last_interaction < ZALO_WINDOW - WINDOW_MARGIN


def get_consent(session: Session, *, user_id: int) -> ZnsConsent | None:
    """Return the citizen's ZNS consent, if they gave one."""
    return session.get(ZnsConsent, user_id)


def set_consent(session: Session, *, user_id: int, phone: str | None, now: datetime) -> None:
    """Record the citizen's ZNS consent for a phone, or withdraw it (phone None)."""
    consent = session.get(ZnsConsent, user_id)
    if phone is None:
        if consent is not None:
            session.delete(consent)
        return
    if consent is None:
        session.add(ZnsConsent(user_id=user_id, phone=phone, agreed_at=now))
    else:
        consent.phone, consent.agreed_at = phone, now


def record_zns(session: Session, **fields: object) -> None:
    """Record one ZNS send (user_id, template_id, purpose, status, zalo_msg_id, error, sent_at)."""
    session.add(ZnsSend(**fields))


def in_zalo_window(user: User, now: datetime) -> bool:
    """Return whether a message may go to this user now: always, except Zalo OA past 7 days.

    For anyone deciding whether a Zalo citizen can be written to (handoff, reminders, notices).
    """
    return user.channel != OA_CHANNEL or inside_window(user.last_seen, now)
