"""Zalo tables: OA tokens, processed events, download links, ZNS consents and ZNS sends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
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


class DownloadLink(Base):
    """A file behind a short-lived, unguessable link (Zalo Bot photos, files Zalo refuses)."""

    __tablename__ = "download_links"

    # Only the SHA-256 of the link's secret is kept: the database alone opens no file.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ZnsConsent(Base):
    """A citizen's agreement to get notices as ZNS to this phone when outside Zalo's window."""

    __tablename__ = "zns_consents"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    phone: Mapped[str] = mapped_column(String(16))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ZnsSend(Base):
    """One ZNS message sent (each costs money): for the bill and the admin's report."""

    __tablename__ = "zns_sends"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Kept (without the user) after the citizen deletes their data: the cost stays on record.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    template_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(16))  # reminder / notice / broadcast
    status: Mapped[str] = mapped_column(String(16))  # sent / failed
    zalo_msg_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(256))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
