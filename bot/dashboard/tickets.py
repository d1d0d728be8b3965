"""Open tickets and the median time to a first staff answer (the handoff feature's figures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.dashboard.period import Period


@dataclass(frozen=True)
class TicketSummary:
    """Tickets opened in the period, answered, still open now, and the median first wait."""

    opened: int
    answered: int
    open_now: int
    median_first_answer: timedelta | None


def ticket_summary(session: Session, period: Period) -> TicketSummary | None:
    """Return the period's ticket figures, or None while the bot has no tickets feature.

    Seam: the handoff feature (bot/handoff) owns tickets and their figures; until it is part
    of the bot, the dashboard shows this figure as not available rather than a made-up zero.
    """
    return None
