"""Read what the bot could not answer well from the question log, for curators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AnswerFeedback, QuestionLog
from bot.matching.curation import Item

UNANSWERED = ("clarify", "fallback")
CURATION_ROWS = 5000  # newest logged questions looked at when grouping for curators


def curation_items(session: Session, *, since: datetime | None = None) -> list[Item]:
    """Return the newest clarify/fallback questions and 👎-voted answers, for curators."""
    query = select(QuestionLog).where(QuestionLog.status.in_(UNANSWERED))
    disliked = (
        select(QuestionLog, AnswerFeedback.faq_id)
        .join(AnswerFeedback, AnswerFeedback.question_log_id == QuestionLog.id)
        .where(AnswerFeedback.helpful.is_(False))
    )
    if since is not None:
        query = query.where(QuestionLog.created_at >= since)
        disliked = disliked.where(QuestionLog.created_at >= since)
    rows = session.scalars(query.order_by(QuestionLog.id.desc()).limit(CURATION_ROWS))
    items = [Item(r.text, r.normalized, bool(r.left_for_staff)) for r in rows]
    for row, faq_id in session.execute(
        disliked.order_by(QuestionLog.id.desc()).limit(CURATION_ROWS)
    ):
        items.append(Item(row.text, row.normalized, bool(row.left_for_staff), faq_id))
    return items
