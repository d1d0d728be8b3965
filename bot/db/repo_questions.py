"""Repository functions for the question log and answer feedback."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, func, insert, select
from sqlalchemy.orm import Session

from bot.db.base import attached
from bot.db.models import AnswerFeedback, QuestionLog, User

_STORED = (
    select(
        func.count(QuestionLog.id),
        func.coalesce(
            func.sum(case((QuestionLog.created_at >= bindparam("recent"), 1), else_=0)), 0
        ),
    )
    .join(User, User.id == QuestionLog.user_id)
    .where(
        User.channel == bindparam("channel"),
        User.external_id == bindparam("external_id"),
        QuestionLog.created_at >= bindparam("day_start"),
    )
)  # built once: building a statement costs several times more than running it
_LOG = insert(QuestionLog.__table__).returning(*QuestionLog.__table__.c)


def stored_since(
    session: Session, *, channel: str, external_id: str, day_start: datetime, recent: datetime
) -> tuple[int, int]:
    """Return how many questions the account stored since `day_start`, and since `recent`.

    One range scan of the (user_id, created_at) index, whatever process stored them.
    """
    params = {
        "channel": channel,
        "external_id": external_id,
        "day_start": day_start,
        "recent": recent,
    }
    today, latest = session.execute(_STORED, params).one()
    return int(today), int(latest)


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
    """Record one question and the matcher's decision (one INSERT)."""
    session.flush()  # the user it refers to
    values = {
        "user_id": user_id,
        "channel": channel,
        "text": text[:1000],
        "normalized": normalized[:1000],
        "status": status,
        "matched_id": matched_id,
        "score": score,
        "created_at": now,
        "left_for_staff": False,
    }
    row = session.connection().execute(_LOG, values).one()._mapping
    return attached(session, QuestionLog, row)


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
