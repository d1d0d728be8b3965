"""Repository functions for entry codes and where each citizen came from."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.campaigns.models import EntryCode, UserSource
from bot.db.base import add_once

# Telegram deep links carry 1-64 characters of A-Z, a-z, 0-9, _ and - after ?start=.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class CodeError(ValueError):
    """An entry code that cannot be used; the message says why (in Vietnamese, for staff)."""


def valid_code(code: str) -> bool:
    """Return whether the text can be a deep-link code."""
    return bool(CODE_PATTERN.match(code))


def add_code(
    session: Session,
    *,
    code: str,
    title: str,
    place_name: str | None,
    created_by: str,
    now: datetime,
) -> EntryCode:
    """Create an entry code; refuse a malformed or taken one."""
    if not valid_code(code):
        raise CodeError("Mã chỉ gồm 1–64 ký tự A-Z, a-z, 0-9, dấu gạch dưới hoặc gạch ngang.")
    title = title.strip()
    if not 1 <= len(title) <= 120:
        raise CodeError("Tên hiển thị cần 1–120 ký tự.")
    row = EntryCode(
        code=code, title=title, place_name=place_name, created_by=created_by, created_at=now
    )
    if not add_once(session, row):
        raise CodeError(f"Mã {code} đã có.")
    return row


def get_code(session: Session, code: str) -> EntryCode | None:
    """Return an active entry code, or None."""
    row = session.get(EntryCode, code) if valid_code(code) else None
    return row if row is not None and row.active else None


def list_codes(session: Session) -> list[EntryCode]:
    """Return every entry code, newest first."""
    query = select(EntryCode).order_by(EntryCode.created_at.desc(), EntryCode.code)
    return list(session.scalars(query))


def remember_source(session: Session, *, user_id: int, code: str, now: datetime) -> bool:
    """Record the code a citizen came in with, unless one is already recorded."""
    if session.get(UserSource, user_id) is not None:
        return False
    return add_once(session, UserSource(user_id=user_id, code=code, at=now))


def source_place(session: Session, *, user_id: int) -> str | None:
    """Return the xã/phường of the code the citizen came in with, if it names one."""
    query = (
        select(EntryCode.place_name)
        .join(UserSource, UserSource.code == EntryCode.code)
        .where(UserSource.user_id == user_id)
    )
    return session.scalar(query)
