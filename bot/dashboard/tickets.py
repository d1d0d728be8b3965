"""Open tickets and the median time to a first staff answer (the handoff feature's figures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.dashboard.period import Period
from bot.handoff import figures


@dataclass(frozen=True)
class TicketSummary:
    """Tickets opened in the period, answered, still open now, and the median first wait."""

    opened: int
    answered: int
    open_now: int
    median_first_answer: timedelta | None


def ticket_summary(session: Session, period: Period) -> TicketSummary:
    """Return the period's ticket figures from the handoff feature's tickets.

    `opened`, `answered` and the median count tickets opened in the period (answered: those
    with a staff answer by now); `open_now` counts every ticket not closed, whenever opened.
    """
    found = figures.ticket_figures(
        session, since=period.start, until=period.end, channel=period.channel
    )
    return TicketSummary(
        opened=found.opened,
        answered=found.answered,
        open_now=figures.open_now(session, channel=period.channel),
        median_first_answer=found.median_first_answer,
    )
