"""Keep a heard transcript until the citizen confirms or rejects it; expire it after a while."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.voice.models import PendingTranscript

EXPIRES_AFTER = timedelta(minutes=30)
TOKEN_BYTES = 6  # 8 URL-safe characters
TOKEN = re.compile(r"^[A-Za-z0-9_-]{8}$")


def offer(session: Session, *, user_id: int, text: str, now: datetime) -> str:
    """Store the transcript (replacing an older one of the user); return its token."""
    session.execute(
        delete(PendingTranscript).where(
            (PendingTranscript.user_id == user_id)
            | (PendingTranscript.created_at < now - EXPIRES_AFTER)
        )
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(PendingTranscript(user_id=user_id, token=token, text=text, created_at=now))
    return token


def take(session: Session, *, user_id: int, token: str, now: datetime) -> str | None:
    """Remove and return the user's transcript with that token, unless stale or unknown."""
    if not TOKEN.match(token):
        return None
    row = session.get(PendingTranscript, user_id)
    if row is None or not secrets.compare_digest(row.token, token):
        return None
    session.delete(row)
    return row.text if row.created_at >= now - EXPIRES_AFTER else None
