"""Name the staff behind the pseudonymous ids kept on ticket messages, for the console."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admins import repo as admins_repo
from bot.admins.models import STAFF
from bot.db.models import User
from bot.handoff.tickets import pseudonym

CONSOLE_PREFIX = "console:"  # staff_key of an answer written in the web console


def console_key(name: str) -> str:
    """Return the staff id kept on an answer written in the console by this account."""
    return f"{CONSOLE_PREFIX}{name}"[:32]


def staff_names(session: Session, admin_ids: Iterable[str] = ()) -> dict[str, str]:
    """Return pseudonym -> display name for every staff member and admin the bot knows.

    `admin_ids` are the configured admins (ADMIN_IDS, "telegram:123"); the others are the
    accounts given the staff or admin role with /quantri.
    """
    rows = [*admins_repo.list_role(session, role=STAFF), *admins_repo.list_admins(session)]
    accounts = {(row.channel, row.external_id) for row in rows}
    for item in admin_ids:
        channel, _, external_id = item.partition(":")
        if external_id:
            accounts.add((channel, external_id))
    names: dict[str, str] = {}
    for channel, external_id in accounts:
        user = session.scalars(
            select(User).where(User.channel == channel, User.external_id == external_id)
        ).first()
        shown = user.display_name if user is not None and user.display_name else external_id
        names[pseudonym(channel, external_id)] = f"{shown} ({channel})"
    return names
