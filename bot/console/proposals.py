"""Phrasings staff proposed from handed-over questions ("📚 Thêm vào FAQ", /themfaq)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.content import Content
from bot.handoff import repository as handoff_repo
from bot.handoff.models import format_reference


@dataclass(frozen=True)
class ProposalRow:
    """One pending proposal as the curation page shows it."""

    id: int
    phrasing: str
    faq_id: str
    entry_question: str | None  # None when the entry is no longer in the content
    reference: str
    created_at: datetime


def pending(session: Session, content: Content, *, limit: int = 100) -> list[ProposalRow]:
    """Return the proposals waiting for a curator, oldest first, with their entry's question."""
    return [
        ProposalRow(
            id=p.id,
            phrasing=p.phrasing,
            faq_id=p.faq_id,
            entry_question=content.faq[p.faq_id].question if p.faq_id in content.faq else None,
            reference=format_reference(p.ticket_id),
            created_at=p.created_at,
        )
        for p in handoff_repo.pending_proposals(session, limit=limit)
    ]
