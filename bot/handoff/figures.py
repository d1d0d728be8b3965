"""Figures on handed-over questions for admins (/thongke) and the console."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import QuestionLog
from bot.handoff.models import OPEN_STATES, Ticket

BUTTON_CHOICE = "chosen"  # question-log rows of a pressed FAQ button, not typed questions


@dataclass(frozen=True)
class TicketFigures:
    """Tickets opened and answered in a period, the median wait, the share handed over."""

    opened: int
    answered: int
    median_first_answer: timedelta | None
    questions: int

    @property
    def handed_over_share(self) -> float | None:
        """Return the tickets opened per typed question (None without questions)."""
        return self.opened / self.questions if self.questions else None


def ticket_figures(
    session: Session, *, since: datetime, until: datetime, channel: str | None = None
) -> TicketFigures:
    """Return the figures of tickets opened in [since, until), on one channel or all."""
    opened_in = [Ticket.created_at >= since, Ticket.created_at < until]
    asked_in = [
        QuestionLog.created_at >= since,
        QuestionLog.created_at < until,
        QuestionLog.status != BUTTON_CHOICE,
    ]
    if channel is not None:
        opened_in.append(Ticket.channel == channel)
        asked_in.append(QuestionLog.channel == channel)
    rows = session.execute(select(Ticket.created_at, Ticket.first_answer_at).where(*opened_in))
    waits = [answered - created for created, answered in rows if answered is not None]
    opened = session.scalar(select(func.count()).select_from(Ticket).where(*opened_in)) or 0
    questions = session.scalar(select(func.count()).select_from(QuestionLog).where(*asked_in))
    median = statistics.median(waits) if waits else None
    return TicketFigures(opened, len(waits), median, questions or 0)


def open_now(session: Session, *, channel: str | None = None) -> int:
    """Return how many tickets are not closed now, on one channel or all."""
    query = select(func.count()).select_from(Ticket).where(Ticket.state.in_(OPEN_STATES))
    if channel is not None:
        query = query.where(Ticket.channel == channel)
    return session.scalar(query) or 0
