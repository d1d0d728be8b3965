"""Step events of the multi-step flows, for the drop-off per step of /dangky and /tudanhgia."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime, utcnow


class FlowStep(Base):
    """A citizen reached one step of a flow (or finished it: step "done")."""

    __tablename__ = "flow_steps"
    __table_args__ = (Index("ix_flow_steps_flow_at", "flow", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
