"""Shortcuts to register and self-assess through the real handlers."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.db.models import User
from tests.helpers import DEFAULT_USER, press, press_label, say


def register(
    app: App,
    user: str = DEFAULT_USER,
    *,
    name: str = "nguyễn thị lan",
    year: str = "1975",
    place: str = "lap vo",
    place_label: str = "xã Lấp Vò",
    group_label: str = "Người lao động",
    union: str = "Có",
    phone: str = "0912 345 678",
) -> list:
    """Register a citizen by pressing and typing like a person; return the last replies."""
    replies = say(app, "/dangky", user)
    replies = press_label(app, replies, "Tôi đồng ý", user)
    say(app, name, user)
    replies = say(app, year, user)
    replies = press_label(app, replies, "Nữ", user)
    replies = say(app, place, user)
    replies = press_label(app, replies, place_label, user)
    replies = press_label(app, replies, group_label, user)
    replies = press_label(app, replies, union, user)
    return say(app, phone, user) if phone else press(app, "dk:phone:skip", user)


def assess(app: App, scores: list[int], user: str = DEFAULT_USER) -> list:
    """Answer the self-assessment with typed scores; return the replies to the last one."""
    replies = say(app, "/tudanhgia", user)
    for value in scores:
        replies = say(app, str(value), user)
    return replies


def user_id(app: App, external_id: str = DEFAULT_USER) -> int | None:
    """Return the users.id of a console user, or None."""
    with app.sessions() as session:
        return session.scalar(select(User.id).where(User.external_id == external_id))
