"""Accounts given a role (admin or staff) in the bot by a super-admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime, utcnow

ADMIN = "admin"
STAFF = "staff"  # answers handed-over questions (bot/handoff); admins count as staff too


class Admin(Base):
    """An account given a role (admin or staff) by a super-admin (supers are in ADMIN_IDS)."""

    __tablename__ = "admins"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default=ADMIN, server_default=ADMIN)
    added_by: Mapped[str] = mapped_column(String(96))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
