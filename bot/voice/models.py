"""The transcript a citizen has not confirmed yet (one per user, deleted once answered)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class PendingTranscript(Base):
    """What the bot heard in a voice note, waiting for "✅ Đúng" or "✏️ Không"."""

    __tablename__ = "voice_transcripts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
