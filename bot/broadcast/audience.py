"""Who receives a broadcast: an audience spec (JSON) turned into a query of user ids."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.cdht.models import Registration
from bot.db.models import TopicSubscription, User
from bot.matching.normalize import fold, nfc

KINDS = ("all", "place", "group", "union", "registered", "topic")
GROUPS = ("nguoi-dan", "nguoi-lao-dong", "can-bo", "hoc-sinh")


def recipients(audience: dict[str, Any]) -> Select[tuple[int]]:
    """Return a query of the ids of reachable users who want notices and are in the audience."""
    kind = audience.get("kind")
    value = audience.get("value")
    # Opted-out and blocked citizens are never included, whatever the notice says.
    query = select(User.id).where(User.active.is_(True), User.notices_enabled.is_(True))
    if kind == "all":
        return query
    if kind == "topic":
        subscribed = select(TopicSubscription.user_id).where(TopicSubscription.topic == value)
        return query.where(User.id.in_(subscribed))
    query = query.join(Registration, Registration.user_id == User.id)
    if kind == "place":
        return query.where(Registration.place_name == value)
    if kind == "group":
        return query.where(Registration.group == value)
    if kind == "union":
        return query.where(Registration.union_member.is_(True))
    if kind == "registered":
        return query
    raise ValueError(f"unknown audience kind {kind!r}")


def count(session: Session, audience: dict[str, Any]) -> int:
    """Return how many citizens the audience reaches now."""
    return session.scalar(select(func.count()).select_from(recipients(audience).subquery())) or 0


def _match(typed: str, names: list[str]) -> str | None:
    """Return the name the admin meant: exact (ignoring case), else unique without accents."""
    wanted = nfc(typed).strip().casefold()
    for name in names:
        if nfc(name).casefold() == wanted:
            return name
    loose = [name for name in names if fold(nfc(name).casefold()) == fold(wanted)]
    return loose[0] if len(loose) == 1 else None


def find_place(session: Session, typed: str) -> str | None:
    """Return the registered xã/phường name the admin typed, or None if nobody lives there."""
    names = list(session.scalars(select(Registration.place_name).distinct()))
    return _match(typed, names)


def topics(session: Session) -> list[str]:
    """Return the topics citizens follow, alphabetically."""
    query = select(TopicSubscription.topic).distinct().order_by(TopicSubscription.topic)
    return list(session.scalars(query))


def find_topic(session: Session, typed: str) -> str | None:
    """Return the followed topic the admin typed, or None."""
    return _match(typed, topics(session))
