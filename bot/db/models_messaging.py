"""The messaging core's tables: the inbox of updates received and the outbox of messages.

Contract (other features build on it; keep it stable):
- `inbox`: one row per update or event a messenger delivered, unique on
  (channel, update_key); `status` pending -> done (or failed when it cannot be read).
- `outbox`: one row per message to send or edit; `kind` sets its priority
  (see `repo_outbox.PRIORITY`); `status` pending -> sending -> sent / failed / blocked,
  or superseded / cancelled. `edit_of` points at the row whose message an edit replaces;
  `ref` links a row back to what it delivers (e.g. "broadcast:<id>:<delivery id>").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime, utcnow


class InboxUpdate(Base):
    """An update received from a messenger, stored before it is acknowledged."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_key"),
        Index("ix_inbox_queue", "status", "id"),
        Index("ix_inbox_chat_queue", "chat_key", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(160))  # the messenger's own update id
    chat_key: Mapped[str] = mapped_column(String(96))  # updates of one chat run in order
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(256))


class OutboxMessage(Base):
    """A message (or an edit) waiting to be sent, being sent, or settled."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_queue", "channel", "status", "priority", "id"),
        Index("ix_outbox_chat_queue", "channel", "chat_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(SmallInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the Reply without its file
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())  # scheduled
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # backing off
    edit_of: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    ref: Mapped[str | None] = mapped_column(String(64), index=True)
    message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    error: Mapped[str | None] = mapped_column(String(256))
