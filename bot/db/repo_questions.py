"""Repository functions for the question log and answer feedback."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AnswerFeedback, QuestionLog
from bot.matching.curation import Item


def log_question(
    session: Session,
    *,
    user_id: int | None,
    channel: str,
    text: str,
    normalized: str,
    status: str,
    matched_id: str | None,
    score: float,
    now: datetime,
) -> QuestionLog:
    """Record one question and the matcher's decision."""
    row = QuestionLog(
        user_id=user_id,
        channel=channel,
        text=text[:1000],
        normalized=normalized[:1000],
        status=status,
        matched_id=matched_id,
        score=score,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get_question(session: Session, *, log_id: int, user_id: int) -> QuestionLog | None:
    """Return one of the user's logged questions."""
    row = session.get(QuestionLog, log_id)
    return row if row is not None and row.user_id == user_id else None


def record_feedback(
    session: Session, *, user_id: int, log_id: int, faq_id: str, helpful: bool, now: datetime
) -> bool:
    """Record 👍/👎 once per answer; return False if the user had already voted."""
    query = select(AnswerFeedback).where(
        AnswerFeedback.user_id == user_id, AnswerFeedback.question_log_id == log_id
    )
    if session.scalars(query).first() is not None:
        return False
    session.add(
        AnswerFeedback(
            user_id=user_id, question_log_id=log_id, faq_id=faq_id, helpful=helpful, created_at=now
        )
    )
    return True


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


def latest_question(
    session: Session, *, user_id: int, minutes: int, now: datetime
) -> QuestionLog | None:
    """Return the user's latest typed question of the last `minutes`, if any."""
    query = (
        select(QuestionLog)
        .where(
            QuestionLog.user_id == user_id,
            QuestionLog.status != "chosen",
            QuestionLog.created_at >= now - timedelta(minutes=minutes),
        )
        .order_by(QuestionLog.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()
