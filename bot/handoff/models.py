"""Tables of the handover: tickets, their messages and FAQ proposals from staff."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime, utcnow

REFERENCE_PREFIX = "HK-"


class TicketState(StrEnum):
    """Where a ticket stands."""

    NEW = "new"  # mới: no staff answer yet
    ANSWERING = "answering"  # đang trả lời: the citizen wrote again after an answer
    ANSWERED = "answered"  # đã trả lời: staff answered, nothing new from the citizen
    CLOSED = "closed"  # đóng


OPEN_STATES = (TicketState.NEW, TicketState.ANSWERING, TicketState.ANSWERED)
AWAITING_STAFF = (TicketState.NEW, TicketState.ANSWERING)


class Ticket(Base):
    """One question a citizen handed over to staff."""

    __tablename__ = "tickets"
    # AUTOINCREMENT on SQLite too: a reference (HK-0042) is never given to a second ticket.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    question: Mapped[str] = mapped_column(Text)
    candidates: Mapped[list[str]] = mapped_column(JSON, default=list)
    question_log_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_log.id", ondelete="SET NULL")
    )
    state: Mapped[str] = mapped_column(String(16), default=TicketState.NEW, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    waiting_since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def reference(self) -> str:
        """Return the reference citizens quote, e.g. HK-0042."""
        return format_reference(self.id)


class TicketMessage(Base):
    """One message in a ticket's thread: the citizen's, a staff member's or the bot's."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    # The citizen the ticket belongs to, also on staff answers: export and deletion find all.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # citizen / staff
    staff_key: Mapped[str] = mapped_column(String(32), default="")  # pseudonymous staff id
    text: Mapped[str] = mapped_column(Text)
    delivered: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FaqProposal(Base):
    """A handed-over question proposed by staff as a new phrasing of an FAQ entry."""

    __tablename__ = "faq_proposals"
    __table_args__ = (UniqueConstraint("ticket_id", "faq_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Deleted with the ticket: the phrasing is the citizen's own words (/xoadulieu).
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    faq_id: Mapped[str] = mapped_column(String(64), index=True)
    phrasing: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(32))  # pseudonymous staff id
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def format_reference(ticket_id: int) -> str:
    """Return the reference of a ticket id: 42 -> HK-0042."""
    return f"{REFERENCE_PREFIX}{ticket_id:04d}"
