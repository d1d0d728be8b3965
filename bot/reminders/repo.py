"""Repository functions for reminders and one-off notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from bot.db.base import add_once
from bot.db.models import TopicSubscription
from bot.reminders.models import Reminder, ReminderNotice


def count_active(session: Session, *, user_id: int) -> int:
    """Return how many unfinished reminders a citizen has."""
    query = select(func.count()).where(
        Reminder.user_id == user_id, Reminder.next_due_at.is_not(None)
    )
    return session.scalar(query) or 0


def list_active(session: Session, *, user_id: int) -> list[Reminder]:
    """Return a citizen's unfinished reminders, soonest first."""
    query = (
        select(Reminder)
        .where(Reminder.user_id == user_id, Reminder.next_due_at.is_not(None))
        .order_by(Reminder.next_due_at, Reminder.id)
    )
    return list(session.scalars(query))


def get_own(session: Session, *, user_id: int, reminder_id: int) -> Reminder | None:
    """Return one of the citizen's reminders, or None (also for someone else's)."""
    row = session.get(Reminder, reminder_id)
    return row if row is not None and row.user_id == user_id else None


def pause_all(session: Session, *, user_id: int) -> int:
    """Pause every reminder of a citizen (after they blocked the bot); return how many."""
    result = session.execute(
        update(Reminder).where(Reminder.user_id == user_id).values(paused=True)
    )
    return result.rowcount or 0


def due_query(session: Session, *, now: datetime, limit: int) -> Select[tuple[Reminder]]:
    """Select due reminders; on PostgreSQL concurrent pollers skip each other's rows."""
    query = (
        select(Reminder)
        .where(Reminder.paused.is_(False), Reminder.next_due_at <= now)
        .order_by(Reminder.next_due_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return query


def advance(
    session: Session, *, reminder_id: int, due: datetime, next_due: datetime | None, now: datetime
) -> bool:
    """Move a reminder past its occurrence `due`; False when another poller already did."""
    result = session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.next_due_at == due)
        .values(next_due_at=next_due, last_due_at=due, last_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def retry_later(session: Session, *, reminder_id: int, due: datetime, next_due: datetime | None):
    """Put an occurrence whose delivery failed for a passing reason back as due."""
    session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.last_due_at == due)
        .where(
            Reminder.next_due_at.is_(None)
            if next_due is None
            else Reminder.next_due_at == next_due
        )
        .values(next_due_at=due)
        .execution_options(synchronize_session=False)
    )


def claim_notice(session: Session, *, user_id: int, key: str, now: datetime) -> bool:
    """Record that a notice goes to a citizen; False when it already went."""
    return add_once(session, ReminderNotice(user_id=user_id, key=key, sent_at=now))


def release_notice(session: Session, *, user_id: int, key: str) -> None:
    """Forget a notice claim whose delivery failed for a passing reason."""
    session.execute(
        delete(ReminderNotice).where(ReminderNotice.user_id == user_id, ReminderNotice.key == key)
    )


def subscribe(session: Session, *, user_id: int, topic: str, now: datetime) -> bool:
    """Subscribe a citizen to a topic; False when already subscribed."""
    return add_once(session, TopicSubscription(user_id=user_id, topic=topic, created_at=now))


def unsubscribe(session: Session, *, user_id: int, topic: str) -> bool:
    """Remove a subscription; False when there was none."""
    row = session.scalars(
        select(TopicSubscription).where(
            TopicSubscription.user_id == user_id, TopicSubscription.topic == topic
        )
    ).one_or_none()
    if row is None:
        return False
    session.delete(row)
    return True


def topics_of(session: Session, *, user_id: int, prefix: str) -> list[str]:
    """Return a citizen's subscribed topics starting with a prefix."""
    query = select(TopicSubscription.topic).where(
        TopicSubscription.user_id == user_id, TopicSubscription.topic.startswith(prefix)
    )
    return list(session.scalars(query.order_by(TopicSubscription.id)))
