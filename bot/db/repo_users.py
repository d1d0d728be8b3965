"""Repository functions for users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.base import add_once
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
    """Return the user, creating it on first contact; record that they were seen and active."""
    user = get_user(session, channel=channel, external_id=external_id)
    if user is None:
        user = User(
            channel=channel,
            external_id=external_id,
            chat_id=chat_id,
            display_name=display_name[:128],
            first_seen=now,
            last_seen=now,
        )
        if not add_once(session, user):  # another process created it at the same moment
            user = get_user(session, channel=channel, external_id=external_id)
            assert user is not None
    user.last_seen = now
    user.active = True
    user.chat_id = chat_id
    if display_name:
        user.display_name = display_name[:128]
    return user


def mark_unreachable(session: Session, *, user_id: int) -> None:
    """Mark a user inactive after the messenger said they blocked the bot."""
    user = session.get(User, user_id)
    if user is not None:
        user.active = False
