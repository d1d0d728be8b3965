"""Entry codes (a campaign or a xã/phường) and the code each citizen first came in with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime, utcnow


class EntryCode(Base):
    """A code put in deep links and QR posters: `https://t.me/<bot>?start=<code>`."""

    __tablename__ = "entry_codes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(120))  # e.g. the campaign's or the place's name
    place_name: Mapped[str | None] = mapped_column(String(80))  # a xã/phường label, if any
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(96), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UserSource(Base):
    """The entry code a citizen first started the bot with (later codes do not replace it)."""

    __tablename__ = "user_sources"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
