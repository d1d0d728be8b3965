"""Repository functions for tickets, their messages, the staff role and FAQ proposals."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admins import repo as admins_repo
from bot.admins.models import STAFF
from bot.db.base import add_once
from bot.handoff.models import (
    AWAITING_STAFF,
    OPEN_STATES,
    REFERENCE_PREFIX,
    FaqProposal,
    Ticket,
    TicketMessage,
    TicketState,
)

_REFERENCE = re.compile(rf"\b{REFERENCE_PREFIX}(\d{{1,9}})\b", re.IGNORECASE)


def parse_reference(text: str) -> int | None:
    """Return the ticket id of the first reference (HK-0042) in the text, or None."""
    found = _REFERENCE.search(text or "")
    return int(found.group(1)) if found else None


def create_ticket(
    session: Session,
    *,
    user_id: int,
    channel: str,
    chat_id: str,
    display_name: str,
    question: str,
    candidates: list[str],
    question_log_id: int | None,
    now: datetime,
) -> Ticket:
    """Open a ticket with the citizen's question as its first message."""
    ticket = Ticket(
        user_id=user_id,
        channel=channel,
        chat_id=chat_id,
        display_name=display_name[:128],
        question=question[:4000],
        candidates=candidates,
        question_log_id=question_log_id,
        state=TicketState.NEW,
        created_at=now,
        waiting_since=now,
    )
    session.add(ticket)
    session.flush()
    add_message(session, ticket=ticket, author="citizen", text=question, now=now)
    return ticket


def get_ticket(session: Session, ticket_id: int) -> Ticket | None:
    """Return a ticket by id."""
    return session.get(Ticket, ticket_id)


def get_own_ticket(session: Session, *, ticket_id: int, user_id: int) -> Ticket | None:
    """Return the ticket if it belongs to the user."""
    ticket = session.get(Ticket, ticket_id)
    return ticket if ticket is not None and ticket.user_id == user_id else None


def add_message(
    session: Session,
    *,
    ticket: Ticket,
    author: str,
    text: str,
    now: datetime,
    staff_key: str = "",
    delivered: bool = True,
) -> TicketMessage:
    """Append a message to a ticket's thread and move its state on."""
    message = TicketMessage(
        ticket_id=ticket.id,
        user_id=ticket.user_id,
        author=author,
        staff_key=staff_key,
        text=text[:4000],
        delivered=delivered,
        created_at=now,
    )
    session.add(message)
    if author == "citizen" and ticket.state == TicketState.ANSWERED:
        ticket.state = TicketState.ANSWERING
        ticket.waiting_since = now
        ticket.reminded_at = None
    elif author == "staff" and delivered:
        ticket.state = TicketState.ANSWERED
        if ticket.first_answer_at is None:
            ticket.first_answer_at = now
    session.flush()
    return message


def close_ticket(session: Session, *, ticket: Ticket, now: datetime) -> bool:
    """Close a ticket; return False when it was already closed."""
    if ticket.state == TicketState.CLOSED:
        return False
    ticket.state = TicketState.CLOSED
    ticket.closed_at = now
    return True


def thread(session: Session, *, ticket_id: int) -> list[TicketMessage]:
    """Return a ticket's messages, oldest first."""
    query = select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
    return list(session.scalars(query.order_by(TicketMessage.id)))


def list_open(session: Session, *, limit: int = 50) -> list[Ticket]:
    """Return open tickets, the longest waiting first."""
    query = select(Ticket).where(Ticket.state.in_(OPEN_STATES))
    return list(session.scalars(query.order_by(Ticket.created_at, Ticket.id).limit(limit)))


def open_for_user(session: Session, *, user_id: int) -> list[Ticket]:
    """Return a citizen's open tickets, oldest first."""
    query = select(Ticket).where(Ticket.user_id == user_id, Ticket.state.in_(OPEN_STATES))
    return list(session.scalars(query.order_by(Ticket.id)))


def due_reminders(session: Session, *, waiting_before: datetime, limit: int = 100) -> list[Ticket]:
    """Return tickets waiting for staff since before the moment and not reminded since."""
    query = select(Ticket).where(
        Ticket.state.in_(AWAITING_STAFF),
        Ticket.waiting_since < waiting_before,
        Ticket.reminded_at.is_(None),
    )
    return list(session.scalars(query.order_by(Ticket.waiting_since).limit(limit)))


def is_staff(session: Session, *, channel: str, external_id: str) -> bool:
    """Return whether the account was given the staff role (admins are checked apart)."""
    return admins_repo.has_role(session, channel=channel, external_id=external_id, role=STAFF)


def propose_phrasing(
    session: Session, *, ticket: Ticket, faq_id: str, proposed_by: str, now: datetime
) -> bool:
    """Record the ticket's question as a proposed phrasing of an entry; False if already."""
    row = FaqProposal(
        ticket_id=ticket.id,
        faq_id=faq_id,
        phrasing=ticket.question[:1000],
        proposed_by=proposed_by,
        created_at=now,
    )
    return add_once(session, row)


def pending_proposals(session: Session, *, limit: int = 200) -> list[FaqProposal]:
    """Return FAQ phrasings proposed by staff and not yet reviewed, oldest first."""
    query = select(FaqProposal).where(FaqProposal.status == "pending")
    return list(session.scalars(query.order_by(FaqProposal.id).limit(limit)))


# What the console's ticket list can show: the states of each choice, and its order.
LIST_STATES: dict[str, tuple[TicketState, ...]] = {
    "open": AWAITING_STAFF,
    "answered": (TicketState.ANSWERED,),
    "closed": (TicketState.CLOSED,),
    "all": tuple(TicketState),
}


def list_tickets(session: Session, *, show: str, limit: int = 100) -> list[Ticket]:
    """Return tickets of a LIST_STATES choice ("open": the longest waiting first; else newest)."""
    query = select(Ticket).where(Ticket.state.in_(LIST_STATES[show]))
    if show == "open":
        query = query.order_by(Ticket.waiting_since, Ticket.id)
    else:
        query = query.order_by(Ticket.created_at.desc(), Ticket.id.desc())
    return list(session.scalars(query.limit(limit)))


PROPOSAL_DONE = ("accepted", "dismissed")  # what a curator decides about a proposal


def settle_proposal(session: Session, *, proposal_id: int, status: str) -> FaqProposal | None:
    """Mark a pending proposal accepted or dismissed; None when it is gone or was settled."""
    if status not in PROPOSAL_DONE:
        raise ValueError(f"status must be one of {PROPOSAL_DONE}")
    proposal = session.get(FaqProposal, proposal_id)
    if proposal is None or proposal.status != "pending":
        return None
    proposal.status = status
    session.flush()
    return proposal
