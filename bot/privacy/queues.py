"""The messaging core's rows about a citizen: updates received from them, messages to them.

Inbox payloads hold what the person typed (their name, their phone) and outbox rows hold
the replies. On deletion inbox rows are pseudonymised (payload emptied, chat key replaced,
still pending ones settled so that no worker handles them) and outbox rows are deleted, so
neither a queued reply nor an update in flight can bring the person's data back.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, delete, false, or_, select, update
from sqlalchemy.orm import Session

from bot.db.base import write_deferred
from bot.db.models import User
from bot.db.models_messaging import InboxUpdate, OutboxMessage
from bot.handoff.models import Ticket, TicketMessage

MIN_NEEDLE_CHARS = 6  # shorter values (a short display name) would match unrelated rows
ERASED = "erased"  # the error column of a pseudonymised inbox row
ERASED_INBOX = "privacy.erased_inbox"  # session.info: inbox ids processing must not handle


@dataclass(frozen=True)
class Marks:
    """What identifies the person in a queued row: ids (whole values) and texts (inside)."""

    channel: str
    chats: frozenset[str]
    ids: frozenset[str]
    texts: tuple[str, ...]
    user_id: int

    def holds(self, payload: Any) -> bool:
        """Say whether a stored payload names the person."""
        if self.ids and any(value in self.ids for value in _values(payload)):
            return True
        if not self.texts:
            return False
        text = json.dumps(payload, ensure_ascii=False)
        return any(needle in text for needle in self.texts)


def marks_of(session: Session, user: User, needles: list[str]) -> Marks:
    """Return the person's chats, account id and the texts that identify them.

    `needles` are the name and phone forms; the texts of their handoff tickets are added,
    since the staff group's messages repeat them.
    """
    chats = frozenset(c for c in (user.chat_id, user.external_id) if c)
    texts = [n for n in needles if n not in chats]  # ids match whole values only
    texts += session.scalars(select(Ticket.question).where(Ticket.user_id == user.id))
    texts += session.scalars(select(TicketMessage.text).where(TicketMessage.user_id == user.id))
    ids = frozenset(i for i in chats if len(i) >= MIN_NEEDLE_CHARS)
    long_enough = tuple(dict.fromkeys(t for t in texts if t and len(t) >= MIN_NEEDLE_CHARS))
    return Marks(user.channel, chats, ids, long_enough, user.id)


def _values(value: Any) -> Iterator[str]:
    """Yield every scalar inside a JSON value as text."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _values(item)
    elif value is not None:
        yield str(value)


def _mentions(column: Any, marks: Marks) -> ColumnElement[bool]:
    """SQL pre-filter: the stored JSON text holds an id or a text (as typed or escaped).

    It only narrows the rows read; `Marks.holds` decides on each of them.
    """
    forms = set(marks.ids)
    for needle in marks.texts:
        forms.update((needle, json.dumps(needle)[1:-1]))
    text = cast(column, Text)
    return or_(false(), *(text.contains(form, autoescape=True) for form in sorted(forms)))


def _inbox(session: Session, marks: Marks) -> list[int]:
    own = [f"{marks.channel}:{chat}" for chat in marks.chats]
    mine = InboxUpdate.chat_key.in_(own)
    rows = session.execute(
        select(InboxUpdate.id, mine, InboxUpdate.payload).where(
            InboxUpdate.error.is_distinct_from(ERASED),
            or_(mine, _mentions(InboxUpdate.payload, marks)),
        )
    )
    return [i for i, is_mine, payload in rows if is_mine or marks.holds(payload)]


def _outbox(session: Session, marks: Marks) -> list[int]:
    addressed = or_(
        OutboxMessage.user_id == marks.user_id,
        and_(OutboxMessage.channel == marks.channel, OutboxMessage.chat_id.in_(marks.chats)),
    )
    rows = session.execute(
        select(OutboxMessage.id, addressed, OutboxMessage.payload).where(
            or_(addressed, _mentions(OutboxMessage.payload, marks))
        )
    )
    return [i for i, to_them, payload in rows if to_them or marks.holds(payload)]


def export(session: Session, marks: Marks) -> dict[str, list[dict[str, Any]]]:
    """Return the inbox and outbox rows about the person (an attachment's bytes left out)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table, ids in (
        (InboxUpdate.__table__, _inbox(session, marks)),
        (OutboxMessage.__table__, _outbox(session, marks)),
    ):
        if not ids:
            continue
        columns = [c for c in table.c if c.name != "attachment"]
        rows = session.execute(select(*columns).where(table.c.id.in_(ids)).order_by(table.c.id))
        found[table.name] = [dict(row) for row in rows.mappings()]
    return found


def count(session: Session, marks: Marks) -> dict[str, int]:
    """Return how many inbox and outbox rows are about the person (tables with none left out)."""
    found = {
        InboxUpdate.__tablename__: len(_inbox(session, marks)),
        OutboxMessage.__tablename__: len(_outbox(session, marks)),
    }
    return {table: n for table, n in found.items() if n}


def erase(session: Session, marks: Marks) -> None:
    """Pseudonymise the person's inbox rows and delete every outbox row about them.

    A pending update is settled as erased, so no worker handles it; the ids go into
    `session.info` for the batch in hand, which loaded its rows before. The messenger's own
    update key stays (it drops a late redelivery) unless it holds the person's id.
    """
    write_deferred(session)  # the batch in hand's replies and outcomes, so they are found
    inbox = _inbox(session, marks)
    erased: set[int] = session.info.setdefault(ERASED_INBOX, set())
    erased.update(inbox)
    for update_id in inbox:
        alias = "đã-xóa-" + secrets.token_hex(6)
        key = session.scalar(select(InboxUpdate.update_key).where(InboxUpdate.id == update_id))
        values: dict[str, Any] = {"payload": {}, "chat_key": alias, "error": ERASED}
        if key is None or any(chat in key for chat in marks.chats):
            values["update_key"] = alias
        session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.id == update_id)
            .values(values)
            .execution_options(synchronize_session=False)
        )
    session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.id.in_(inbox), InboxUpdate.status == "pending")
        .values(status="done")
        .execution_options(synchronize_session=False)
    )
    outbox = _outbox(session, marks)
    if outbox:
        session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.id.in_(outbox))
            .execution_options(synchronize_session=False)
        )


def was_erased(session: Session, update_id: int) -> bool:
    """Say whether a deletion in this transaction pseudonymised the update (do not handle it)."""
    return update_id in session.info.get(ERASED_INBOX, ())
