"""Questions in a period: how many, how the bot decided, 👍/👎, and the entries asked most."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.dashboard.period import Period
from bot.db.models import AnswerFeedback, QuestionLog, User

CHOSEN = "chosen"  # a pressed FAQ button, logged for curators; not a typed question
ANSWER, CLARIFY, FALLBACK = "answer", "clarify", "fallback"
TOP_ENTRIES = 10


@dataclass(frozen=True)
class QuestionFigures:
    """Typed questions and what became of them."""

    asked: int
    answered: int
    clarified: int  # the bot asked back which entry was meant
    declined: int  # out of scope or not understood
    handed_over: int  # the citizen pressed "send to staff" (or asked for a person)
    helpful: int  # 👍
    unhelpful: int  # 👎

    def share(self, part: int) -> float | None:
        """Return part / asked, or None without questions."""
        return part / self.asked if self.asked else None


def in_period(column: Any, period: Period) -> tuple[Any, Any]:
    """Return the conditions "column falls in the period"."""
    return column >= period.start, column < period.end


def question_figures(session: Session, period: Period) -> QuestionFigures:
    """Count the period's typed questions by decision, hand-overs and 👍/👎."""

    def counted(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = select(
        func.count(),
        counted(QuestionLog.status == ANSWER),
        counted(QuestionLog.status == CLARIFY),
        counted(QuestionLog.status == FALLBACK),
        counted(QuestionLog.left_for_staff.is_(True)),
    ).where(*in_period(QuestionLog.created_at, period), QuestionLog.status != CHOSEN)
    if period.channel:
        query = query.where(QuestionLog.channel == period.channel)
    asked, answered, clarified, declined, handed = session.execute(query).one()
    votes = select(AnswerFeedback.helpful, func.count()).where(
        *in_period(AnswerFeedback.created_at, period)
    )
    if period.channel:
        votes = votes.join(User, User.id == AnswerFeedback.user_id).where(
            User.channel == period.channel
        )
    found = dict(session.execute(votes.group_by(AnswerFeedback.helpful)).all())
    return QuestionFigures(
        asked=asked,
        answered=int(answered),
        clarified=int(clarified),
        declined=int(declined),
        handed_over=int(handed),
        helpful=found.get(True, 0),
        unhelpful=found.get(False, 0),
    )


@dataclass(frozen=True)
class EntryCount:
    """An FAQ entry, how often it answered a question, and its 👍/👎 in the period."""

    faq_id: str
    question: str
    asked: int
    helpful: int
    unhelpful: int


def top_entries(
    session: Session,
    period: Period,
    *,
    question_of: Callable[[str], str],
    limit: int = TOP_ENTRIES,
) -> list[EntryCount]:
    """Return the entries that answered most questions, most first (ties by id)."""
    query = (
        select(QuestionLog.matched_id, func.count())
        .where(
            *in_period(QuestionLog.created_at, period),
            QuestionLog.status.in_((ANSWER, CHOSEN)),
            QuestionLog.matched_id.is_not(None),
        )
        .group_by(QuestionLog.matched_id)
    )
    if period.channel:
        query = query.where(QuestionLog.channel == period.channel)
    counts = sorted(session.execute(query).all(), key=lambda row: (-row[1], row[0]))[:limit]
    votes = select(AnswerFeedback.faq_id, AnswerFeedback.helpful, func.count()).where(
        *in_period(AnswerFeedback.created_at, period),
        AnswerFeedback.faq_id.in_([faq_id for faq_id, _ in counts]),
    )
    if period.channel:
        votes = votes.join(User, User.id == AnswerFeedback.user_id).where(
            User.channel == period.channel
        )
    tally = {
        (faq_id, helpful): n
        for faq_id, helpful, n in session.execute(
            votes.group_by(AnswerFeedback.faq_id, AnswerFeedback.helpful)
        )
    }
    return [
        EntryCount(
            faq_id,
            question_of(faq_id),
            n,
            tally.get((faq_id, True), 0),
            tally.get((faq_id, False), 0),
        )
        for faq_id, n in counts
    ]
