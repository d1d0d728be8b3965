"""Repository functions for the question log and answer feedback."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from bot.db.base import attached
from bot.db.models import AnswerFeedback, FlowState, QuestionLog, User

_LOG = insert(QuestionLog.__table__).returning(QuestionLog.__table__.c.id)
_RESERVE = text(
    "SELECT nextval(pg_get_serial_sequence('question_log', 'id')) FROM generate_series(1, :n)"
)
LOG_IDS = "question_log_ids"  # session.info: ids reserved for a batch's questions


class ReservedIds:
    """Question-log ids for a batch, taken from the sequence in one statement when needed."""

    def __init__(self, room: int) -> None:
        self.room = room  # how many the batch may still log
        self.ids: list[int] = []

    def take(self, session: Session) -> int:
        """Return the next reserved id (reserving the batch's room at the first call)."""
        if not self.ids:
            found = session.connection().execute(_RESERVE, {"n": max(1, self.room)})
            self.ids = sorted(found.scalars(), reverse=True)
        self.room -= 1
        return self.ids.pop()


def reserve_log_ids(session: Session, room: int) -> None:
    """Let this transaction's next `room` logged questions go in one INSERT (PostgreSQL).

    Their ids come from the table's sequence up front (one statement, at the first question),
    so that each reply can carry its question's id before the row is written; the rows are
    written at the next flush, before any read of the table. Ids not used are skipped.
    """
    if room and session.get_bind().dialect.name == "postgresql":
        session.info[LOG_IDS] = ReservedIds(room)


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
    """Record one question and the matcher's decision; return its id.

    With ids reserved (`reserve_log_ids`) the row is added to the session, to be written
    with the batch's others; else it is inserted now.
    """
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
    reserved: ReservedIds | None = session.info.get(LOG_IDS)
    if reserved is not None:
        row = QuestionLog(id=reserved.take(session), **values)
        session.add(row)
        return row.id
    session.flush()  # the user it refers to
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
