"""Repository functions for the question log and answer feedback."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, tuple_
from sqlalchemy.orm import Session

from bot.db.base import attached
from bot.db.models import AnswerFeedback, FlowState, QuestionLog, User

_LOG = insert(QuestionLog.__table__).returning(QuestionLog.__table__.c.id)


def _count_since(*moments: str) -> Any:
    """Build the count of a user's questions logged since all of the bound moments."""
    return (
        select(func.count(QuestionLog.id))
        .where(
            QuestionLog.user_id == User.id,
            *(QuestionLog.created_at >= bindparam(m) for m in moments),
        )
        .scalar_subquery()
    )


def stored_and_flow(
    session: Session, *, channel: str, external_id: str, day_start: datetime, recent: datetime
) -> tuple[int, int, FlowState | None]:
    """Return the account's questions stored today and within the window, and its flow.

    One statement, whatever process stored them: the questions since `day_start`, those
    also since `recent`, and the flow state (None without one). Pending changes are flushed
    first (an earlier update of the batch may have moved the same user's flow); the flow
    state is the session's object, as `get_flow` returns it.
    """
    found = stored_and_flow_many(
        session, accounts=[(channel, external_id)], day_start=day_start, recent=recent
    )
    return found.get((channel, external_id), (0, 0, None))  # a first message: nothing yet


_STORED_AND_FLOW_MANY = (
    select(
        User.channel,
        User.external_id,
        _count_since("day_start"),
        _count_since("day_start", "recent"),
        *FlowState.__table__.c,
    )
    .select_from(User)
    .outerjoin(FlowState, FlowState.user_id == User.id)
    .where(tuple_(User.channel, User.external_id).in_(bindparam("accounts", expanding=True)))
)  # built once: building a statement costs several times more than running it


def stored_and_flow_many(
    session: Session,
    *,
    accounts: list[tuple[str, str]],
    day_start: datetime,
    recent: datetime,
) -> dict[tuple[str, str], tuple[int, int, FlowState | None]]:
    """Return `stored_and_flow` for several (channel, external id) accounts in one statement.

    Accounts never seen are left out (no questions, no flow).
    """
    if not accounts:
        return {}
    session.flush()
    params = {"accounts": accounts, "day_start": day_start, "recent": recent}
    found: dict[tuple[str, str], tuple[int, int, FlowState | None]] = {}
    for channel, external_id, today, latest, *state in session.connection().execute(
        _STORED_AND_FLOW_MANY, params
    ):
        found[(channel, external_id)] = (int(today), int(latest), _flow_of(session, state))
    return found


def _flow_of(session: Session, state: list[Any]) -> FlowState | None:
    """Return the flow state of a row's FlowState columns (None when they are empty)."""
    if state[0] is None:
        return None
    names = [column.key for column in FlowState.__table__.c]
    return attached(session, FlowState, dict(zip(names, state, strict=True)))


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
) -> int:
    """Record one question and the matcher's decision (one INSERT); return its id."""
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
    return session.connection().execute(_LOG, values).scalar_one()


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
