"""Repository functions for users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.base import attached
from bot.db.models import User


def get_user(session: Session, *, channel: str, external_id: str) -> User | None:
    """Return the user of one channel account, if known."""
    query = select(User).where(User.channel == channel, User.external_id == external_id)
    return session.scalars(query).one_or_none()


def _upsert(dialect_insert: Any) -> Any:
    """Build the statement that creates a user or records a visit, returning the row."""
    table = User.__table__
    statement = dialect_insert(table).values(
        channel=bindparam("channel"),
        external_id=bindparam("external_id"),
        chat_id=bindparam("chat_id"),
        display_name=bindparam("display_name"),
        first_seen=bindparam("now"),
        last_seen=bindparam("now"),
        active=True,
    )
    new = statement.excluded
    seen = {
        "last_seen": new.last_seen,
        "active": True,
        "chat_id": new.chat_id,
        "display_name": func.coalesce(func.nullif(new.display_name, ""), table.c.display_name),
    }
    upsert = statement.on_conflict_do_update(index_elements=["channel", "external_id"], set_=seen)
    return upsert.returning(*table.c)


# Built once: building a statement costs several times more than running it.
_TOUCH = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}
_SEEN = ("chat_id", "display_name", "last_seen", "active")


def touch_user(
    session: Session,
    *,
    channel: str,
    external_id: str,
    chat_id: str,
    display_name: str,
    now: datetime,
) -> User:
    """Return the user, creating it on first contact; record that they were seen and active.

    One statement (an upsert), also when another process creates the user at the same moment.
    """
    account = {
        "channel": channel,
        "external_id": external_id,
        "chat_id": chat_id,
        "display_name": display_name,
    }
    return touch_users(session, accounts=[account], now=now)[(channel, external_id)]


def touch_users(
    session: Session, *, accounts: list[dict[str, str]], now: datetime
) -> dict[tuple[str, str], User]:
    """`touch_user` for several accounts (channel, external_id, chat_id, display_name) at once.

    One statement; the rows are written in key order, so that two batches touching the same
    users lock them in the same order. Each account must appear once.
    """
    if not accounts:
        return {}
    session.flush()
    params = [
        {**account, "display_name": account["display_name"][:128], "now": now}
        for account in sorted(accounts, key=lambda a: (a["channel"], a["external_id"]))
    ]
    statement = _TOUCH[session.get_bind().dialect.name]
    users: dict[tuple[str, str], User] = {}
    for row in session.connection().execute(statement, params):
        user = attached(session, User, row._mapping, refresh=_SEEN)
        users[(user.channel, user.external_id)] = user
    return users


def mark_unreachable(session: Session, *, user_id: int) -> None:
    """Mark a user inactive after the messenger said they blocked the bot."""
    user = session.get(User, user_id)
    if user is not None:
        user.active = False
