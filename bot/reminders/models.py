"""Reminder tables: personal reminders and the log of one-off notices (events, self-assessment)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime, utcnow


class Reminder(Base):
    """A citizen's reminder; `next_due_at` is empty once a one-off reminder has been handled."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "paused", "next_due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))  # once / daily / weekly / monthly
    weekdays: Mapped[str] = mapped_column(String(16), default="")  # "0,2,4" (0 = Monday)
    month_day: Mapped[int | None] = mapped_column(Integer)  # monthly: 1-31
    once_date: Mapped[str | None] = mapped_column(String(10))  # once: local "YYYY-MM-DD"
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why it is paused: "blocked", or "outside_window" (Zalo's 7 days passed, no ZNS): the
    # latter resumes when the citizen writes again.
    paused_reason: Mapped[str | None] = mapped_column(String(16))
    # The occurrence last handled (sent or skipped): the key that stops a second send.
    last_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReminderNotice(Base):
    """One notice sent to one citizen (e.g. `ev:tuan-le-hoc-tap:2026`, `sa:2026`), never twice."""

    __tablename__ = "reminder_notices"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
