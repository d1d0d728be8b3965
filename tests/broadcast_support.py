"""Shared setup for the broadcast tests: citizens in the database, a fast Telegram app."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.broadcast.models import BroadcastDelivery
from bot.cdht.models import Registration
from bot.db.models import TopicSubscription, User
from tests import helpers
from tests.conftest import AppFactory
from tests.standins.bot_api import BotApiStandIn

ADMIN_CHAT = 42
FAST = {
    "send_rate": 200.0,
    "broadcast_poll_seconds": 0.05,
    "broadcast_progress_seconds": 0.0,
    "send_retry_seconds": 0.0,
}


def add_citizen(
    app: App,
    external_id: str,
    *,
    channel: str = "telegram",
    place: str | None = None,
    group: str = "nguoi-dan",
    union: bool = False,
    topic: str | None = None,
    active: bool = True,
    notices: bool = True,
) -> int:
    """Create a citizen (optionally registered, following a topic); return the user id."""
    with app.sessions.begin() as session:
        user = User(
            channel=channel,
            external_id=external_id,
            chat_id=external_id,
            display_name="Dân",
            active=active,
            notices_enabled=notices,
        )
        session.add(user)
        session.flush()
        if place is not None:
            session.add(
                Registration(
                    user_id=user.id,
                    full_name="Nguyễn Văn A",
                    birth_year=1970,
                    place_name=place,
                    group=group,
                    union_member=union,
                    consent_version="v1",
                )
            )
        if topic is not None:
            session.add(TopicSubscription(user_id=user.id, topic=topic))
        return user.id


def delivery_statuses(app: App) -> dict[str, str]:
    """Return each recipient's delivery status by chat id."""
    with app.sessions.begin() as session:
        rows = session.execute(
            select(User.chat_id, BroadcastDelivery.status).join(
                User, User.id == BroadcastDelivery.user_id
            )
        )
        return {chat_id: status for chat_id, status in rows}


def telegram_app(make_app: AppFactory, url: str, bot_api: BotApiStandIn, **extra: object) -> App:
    """Build an app on Telegram (the stand-in) with the admin chat as a super-admin."""
    values = {**FAST, "admin_ids": (f"telegram:{ADMIN_CHAT}",), **extra}
    return helpers.telegram_app(make_app, url, bot_api, **values)
