"""Event reminders for subscribers and the yearly self-assessment reminder."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, exists, select

from bot.broadcast import repo as repo_broadcasts
from bot.cdht.models import Assessment, Registration
from bot.db import repo_outbox
from bot.db.models import TopicSubscription, User
from bot.messages import Button, Reply, button_rows
from bot.reminders import repo as repo_reminders
from bot.reminders.events import TOPIC_PREFIX, Event, events_of, remind_window
from bot.reminders.models import ReminderNotice
from bot.reminders.recurrence import is_quiet_hour

if TYPE_CHECKING:
    from bot.parts import Parts as App

BATCH = 500  # notices per event per poll; the rest go on the next polls


@dataclass(frozen=True)
class Notice:
    """One notice claimed for one citizen."""

    user_id: int
    key: str
    channel: str
    chat_id: str
    reply: Reply


def _recipients(session, event: Event, key: str, year: int) -> list[User]:  # noqa: ANN001
    """Return active citizens who should get this event's notice and have not had it."""
    not_sent = ~exists().where(ReminderNotice.user_id == User.id, ReminderNotice.key == key)
    subscribed = exists().where(
        TopicSubscription.user_id == User.id, TopicSubscription.topic == TOPIC_PREFIX + event.id
    )
    wanted = subscribed
    if event.kind == "self_assessment":
        registered = exists().where(Registration.user_id == User.id)
        assessed = exists().where(
            and_(
                Assessment.user_id == User.id,
                Assessment.year == year,
                Assessment.completed_at.is_not(None),
            )
        )
        wanted = and_(registered | subscribed, ~assessed)
    query = select(User).where(User.active.is_(True), not_sent, wanted).order_by(User.id)
    return list(session.scalars(query.limit(BATCH)))


def _reply(app: App, event: Event, start, today) -> Reply:  # noqa: ANN001
    """Build the notice text and button for an event."""
    messages = app.content.messages
    if event.kind == "self_assessment":
        button = Button(messages.text("reminders.btn_assess"), payload="cmd:tudanhgia")
        text = messages.text("reminders.self_assessment", year=start.year)
        return Reply(text, button_rows([button]))
    days = (start - today).days
    key = "reminders.event_soon" if days > 0 else "reminders.event_today"
    text = messages.text(key, title=event.title, days=days, start=f"{start:%d/%m/%Y}")
    return Reply(text)


def notices_per_poll(app: App) -> int:
    """Return how many notices one poll may send at NOTICE_RATE within most of the interval."""
    settings = app.settings
    return max(1, int(settings.notice_rate * settings.reminder_poll_seconds * 0.8))


def _claim(app: App, now: datetime, limit: int | None = None) -> list[Notice]:
    """Claim up to `limit` notices whose window is open now (daytime only), recording each.

    Notices are not urgent: while a broadcast is being sent they wait for a later poll, so the
    two never add up past the messenger's overall rate limit.
    """
    tz = app.settings.tz
    local = now.astimezone(tz)
    if is_quiet_hour(local.hour):
        return []
    claimed: list[Notice] = []
    with app.sessions.begin() as session:
        if _broadcast_on_air(session, now):
            return []
        for event in events_of(app).values():
            window = remind_window(app, event, local.date())
            if window is None or not window[0] <= local <= window[1]:
                continue
            start = window[2]
            prefix = "sa" if event.kind == "self_assessment" else f"ev:{event.id}"
            key = f"{prefix}:{start.year}"
            reply = _reply(app, event, start, local.date())
            for user in _recipients(session, event, key, start.year):
                if limit is not None and len(claimed) >= limit:
                    return claimed
                if repo_reminders.claim_notice(session, user_id=user.id, key=key, now=now):
                    repo_outbox.enqueue(
                        session,
                        reply=reply,
                        kind="notice",
                        channel=user.channel,
                        chat_id=user.chat_id,
                        user_id=user.id,
                        ref=f"notice:{key}",
                    )
                    claimed.append(Notice(user.id, key, user.channel, user.chat_id, reply))
    return claimed


def _broadcast_on_air(session, now: datetime) -> bool:  # noqa: ANN001
    """Return whether a broadcast is sending or due to start (notices then wait)."""
    return bool(repo_broadcasts.sending(session) or repo_broadcasts.due_to_start(session, now=now))


async def run_notices_once(app: App, now: datetime) -> Counter[str]:
    """Queue the event and self-assessment notices that are due now; count them."""
    claimed = await asyncio.to_thread(_claim, app, now, notices_per_poll(app))
    return Counter({"notice_queued": len(claimed)})
