"""Ask, before queueing a reminder or notice, whether it can reach the citizen at all."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot import reach
from bot.db.models import User

if TYPE_CHECKING:
    from bot.parts import Parts as App


def beyond_reach(
    app: App, session: Session, user: User, kind: str, text: str, now: datetime
) -> bool:
    """Return True when Zalo's 7-day window has passed and no ZNS is possible for the user."""
    plan = reach.plan(
        session,
        settings=app.settings,
        channel=user.channel,
        chat_id=user.chat_id,
        user_id=user.id,
        kind=kind,
        text=text,
        now=now,
    )
    return plan.how is reach.How.OUTSIDE
