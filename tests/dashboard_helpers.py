"""Fill a database with known events for the dashboard's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot.campaigns.models import EntryCode, UserSource
from bot.cdht.models import Assessment, Registration
from bot.dashboard.models import FlowStep
from bot.db.models import AnswerFeedback, QuestionLog, User
from bot.handoff import repository as tickets_repo
from bot.handoff.models import Ticket


def at(day: int, hour: int, month: int = 3) -> datetime:
    """Return a UTC moment of 2026 (March by default)."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


def user(session: Session, name: str, channel: str, first: datetime, last: datetime) -> User:
    """Add a citizen first seen and last seen at the given moments."""
    row = User(
        channel=channel, external_id=name, chat_id=name, display_name=name,
        first_seen=first, last_seen=last,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def question(
    session: Session, who: User, status: str, when: datetime, faq_id: str | None = None,
    *, staff: bool = False,
) -> QuestionLog:  # fmt: skip
    """Log one question with the matcher's decision."""
    row = QuestionLog(
        user_id=who.id, channel=who.channel, text="câu hỏi", normalized="cau hoi",
        status=status, matched_id=faq_id, score=90.0, created_at=when, left_for_staff=staff,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def vote(session: Session, who: User, row: QuestionLog, helpful: bool, when: datetime) -> None:
    """Record 👍 or 👎 under an answer."""
    session.add(
        AnswerFeedback(
            user_id=who.id, question_log_id=row.id, faq_id=row.matched_id or "",
            helpful=helpful, created_at=when,
        )  # fmt: skip
    )


def registered(session: Session, who: User, group: str, place: str, when: datetime) -> None:
    """Add a Công dân học tập registration."""
    session.add(
        Registration(
            user_id=who.id, full_name="Nguyễn Văn An", birth_year=1980, place_name=place,
            group=group, consent_version="v1", created_at=when, updated_at=when,
        )  # fmt: skip
    )


def assessed(session: Session, who: User, passed: bool | None, when: datetime) -> None:
    """Add a self-assessment attempt of 2026: finished (passed or not) or, with None, open."""
    done = passed is not None
    session.add(
        Assessment(
            user_id=who.id, year=2026, answers={}, started_at=when,
            total=(90 if passed else 40) if done else None, passed=passed,
            completed_at=when if done else None,
        )  # fmt: skip
    )
    session.flush()


def steps(session: Session, who: User, flow: str, names: list[str], when: datetime) -> None:
    """Record that the citizen reached these steps of a flow."""
    for name in names:
        session.add(FlowStep(user_id=who.id, flow=flow, step=name, at=when))


def came_from(session: Session, who: User, code: str, title: str, when: datetime) -> None:
    """Record the entry code a citizen started with (creating the code if new)."""
    if session.get(EntryCode, code) is None:
        session.add(EntryCode(code=code, title=title, created_at=when))
    session.add(UserSource(user_id=who.id, code=code, at=when))


def ticket(
    session: Session, who: User, opened: datetime, *, answer_after: timedelta | None = None,
    closed: datetime | None = None,
) -> Ticket:  # fmt: skip
    """Hand a question over at `opened`; a staff answer after `answer_after`; close it."""
    row = tickets_repo.create_ticket(
        session, user_id=who.id, channel=who.channel, chat_id=who.chat_id,
        display_name=who.display_name, question="câu hỏi", candidates=[],
        question_log_id=None, now=opened,
    )  # fmt: skip
    if answer_after is not None:
        tickets_repo.add_message(
            session, ticket=row, author="staff", text="Dạ, trả lời.", now=opened + answer_after
        )
    if closed is not None:
        tickets_repo.close_ticket(session, ticket=row, now=closed)
    session.flush()
    return row
