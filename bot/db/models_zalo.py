"""Zalo tables: the OA token pair and the events already processed (for de-duplication)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime, utcnow


class ZaloToken(Base):
    """The OA access/refresh token pair, one row per OA app, with a refresh lease."""

    __tablename__ = "zalo_tokens"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    obtained_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set while one process refreshes, so that two processes never spend the single-use
    # refresh token twice (the loser would lose the pair).
    refreshing_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ZaloEvent(Base):
    """An inbound Zalo event already taken, kept for a retention period to drop redeliveries."""

    __tablename__ = "zalo_events"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
