"""The outbox: queue messages for the sender, pick what may go next, and settle outcomes.

Contract for features (broadcast, reminders, handoff, Zalo): call `enqueue` inside the
transaction that decides to send, and the message goes out after the commit, exactly as
committed, with retries; never call a channel directly. `kind` sets the priority:
reply < staff/progress < reminder/notice < broadcast (lower goes first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from bot.db.base import utcnow
from bot.db.models_messaging import OutboxMessage
from bot.messages import Address, Attachment, Button, Reply

PRIORITY = {"reply": 0, "staff": 1, "progress": 1, "reminder": 2, "notice": 2, "broadcast": 3}
OPEN = ("pending", "sending")


def enqueue(
    session: Session,
    *,
    reply: Reply,
    kind: str = "reply",
    to: Address | None = None,
    channel: str | None = None,
    chat_id: str | None = None,
    user_id: int | None = None,
    edit_of: int | None = None,
    not_before: datetime | None = None,
    ref: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Queue one message (or an edit of the message of row `edit_of`) and return its row.

    The address is `reply.to`, else `to`, else `channel` + `chat_id` (+ `user_id`).
    A newer edit of the same message supersedes an older one still waiting. Times here
    (`now`, `not_before`) are wall-clock UTC; `now` defaults to the current time.
    """
    address = reply.to or to
    if address is not None:
        channel, chat_id, user_id = address.channel, address.chat_id, address.user_id
    if not channel or not chat_id:
        raise ValueError("a message needs a channel and a chat")
    if edit_of is not None:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.edit_of == edit_of, OutboxMessage.status == "pending")
            .values(status="superseded")
            .execution_options(synchronize_session=False)
        )
    row = OutboxMessage(
        **_values(
            reply,
            channel=channel,
            chat_id=str(chat_id),
            user_id=user_id,
            kind=kind,
            now=now or utcnow(),
            not_before=not_before,
            edit_of=edit_of,
            ref=ref,
        )
    )
    session.add(row)
    return row


def enqueue_replies(
    session: Session, replies: list[Reply], *, channel: str, chat_id: str, now: datetime
) -> None:
    """Queue the replies to one incoming message, in order (kind `reply`)."""
    enqueue_many(session, [(reply, Address(channel, chat_id)) for reply in replies], now=now)


def enqueue_many(session: Session, replies: list[tuple[Reply, Address]], *, now: datetime) -> None:
    """Queue replies in one statement, in the given order (each to `reply.to` or its address).

    For many rows at once (a batch of handled updates); unlike `enqueue` no rows are returned.
    """
    if not replies:
        return
    rows = []
    for reply, fallback in replies:
        address = reply.to or fallback
        rows.append(
            _values(
                reply,
                channel=address.channel,
                chat_id=str(address.chat_id),
                user_id=address.user_id,
                kind="reply",
                now=now,
            )
        )
    session.execute(insert(OutboxMessage), rows)


def _values(
    reply: Reply,
    *,
    channel: str,
    chat_id: str,
    user_id: int | None,
    kind: str,
    now: datetime,
    not_before: datetime | None = None,
    edit_of: int | None = None,
    ref: str | None = None,
) -> dict[str, Any]:
    """Return the columns of the outbox row that carries a reply."""
    return {
        "channel": channel,
        "chat_id": chat_id,
        "user_id": user_id,
        "kind": kind,
        "priority": PRIORITY[kind],
        "payload": reply_to_json(reply),
        "attachment": reply.attachment.data if reply.attachment else None,
        "status": "pending",
        "attempts": 0,
        "not_before": not_before,
        "retry_at": None,
        "edit_of": edit_of,
        "ref": ref,
        "message_id": None,
        "created_at": now,
        "sent_at": None,
        "error": None,
    }


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """Return the reply as JSON (the attachment's bytes are stored beside it)."""
    data: dict[str, Any] = {"text": reply.text}
    if reply.to is not None and reply.to.topic:
        data["topic"] = reply.to.topic
    if reply.buttons:
        data["buttons"] = [
            [{"label": b.label, "payload": b.payload, "url": b.url} for b in row]
            for row in reply.buttons
        ]
    if reply.numbers_are_answers:
        data["numbers"] = True
    if reply.attachment is not None:
        data["file"] = {"name": reply.attachment.filename, "image": reply.attachment.is_image}
    return data


def reply_of(row: OutboxMessage | Queued) -> Reply:
    """Rebuild the Reply a row carries."""
    data = row.payload
    buttons = _buttons_of(data)
    attachment = None
    if "file" in data:
        attachment = Attachment(
            data["file"]["name"], row.attachment or b"", is_image=data["file"]["image"]
        )
    topic = data.get("topic")
    return Reply(
        data["text"],
        buttons,
        attachment=attachment,
        numbers_are_answers=bool(data.get("numbers")),
        to=Address(row.channel, row.chat_id, row.user_id, topic=topic) if topic else None,
    )


def _buttons_of(data: dict[str, Any]) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        tuple(Button(b["label"], payload=b.get("payload"), url=b.get("url")) for b in line)
        for line in data.get("buttons", ())
    )


def last_buttons(
    session: Session, *, channel: str, chat_id: str, within: int = 5
) -> tuple[list[Button], bool]:
    """Return the buttons of the last message with buttons sent to a chat, and if lettered.

    Only the chat's last `within` sent messages are looked at: older options are stale.
    Any process can read them, whichever one sent the message.
    """
    query = (
        select(OutboxMessage.payload)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status.in_(("sent", "sending")),  # may be on screen, not recorded
        )
        .order_by(OutboxMessage.id.desc())
        .limit(within)
    )
    for data in session.scalars(query):
        if data.get("buttons"):
            shown = [button for line in _buttons_of(data) for button in line]
            return shown, bool(data.get("numbers"))
    return [], False


@dataclass(frozen=True)
class Queued:
    """A row picked for sending, detached from its session."""

    id: int
    channel: str
    chat_id: str
    user_id: int | None
    kind: str
    payload: dict[str, Any]
    attachment: bytes | None
    attempts: int
    edit_of: int | None
    ref: str | None
    edit_message_id: str | None = None  # the messenger's id of the message an edit replaces


_QUEUED = (  # the columns of Queued, in its order
    OutboxMessage.id,
    OutboxMessage.channel,
    OutboxMessage.chat_id,
    OutboxMessage.user_id,
    OutboxMessage.kind,
    OutboxMessage.payload,
    OutboxMessage.attachment,
    OutboxMessage.attempts,
    OutboxMessage.edit_of,
    OutboxMessage.ref,
)


def _sendable_query() -> Any:
    """Build the query of `sendable` (bound: channel, now, limit)."""
    earlier = aliased(OutboxMessage)
    now = bindparam("now", type_=OutboxMessage.not_before.type)
    due = (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before <= now)
    waiting = (
        select(earlier.id)
        .where(
            earlier.channel == OutboxMessage.channel,
            earlier.chat_id == OutboxMessage.chat_id,
            earlier.status.in_(OPEN),
            earlier.id < OutboxMessage.id,
            earlier.priority <= OutboxMessage.priority,
            (earlier.not_before.is_(None)) | (earlier.not_before <= now),
        )
        .exists()
    )
    return (
        select(*_QUEUED)
        .where(
            OutboxMessage.channel == bindparam("channel"),
            OutboxMessage.status == "pending",
            due,
            (OutboxMessage.retry_at.is_(None)) | (OutboxMessage.retry_at <= now),
            ~waiting,
        )
        .order_by(OutboxMessage.priority, OutboxMessage.id)
        .limit(bindparam("limit", type_=Integer))
    )


_SENDABLE = _sendable_query()  # built once: building it cost more than running it


def sendable(
    session: Session, *, channel: str, now: datetime, limit: int, skip_chats: set[str]
) -> list[Queued]:
    """Return up to `limit` rows that may go now, most urgent first, one per chat.

    A row waits while an earlier row of the same chat and the same or a more urgent kind is
    still open, so one chat's replies keep their order (a later reply never overtakes one
    backing off after an error), while a reply does not wait behind a notice.
    """
    params = {"channel": channel, "now": now, "limit": limit + len(skip_chats)}
    picked: list[Queued] = []
    for row in session.connection().execute(_SENDABLE, params):  # plain rows, no ORM objects
        if row.chat_id in skip_chats:
            continue
        picked.append(Queued(*row))
        if len(picked) >= limit:
            break
    return picked


def mark_sending(session: Session, *, ids: list[int]) -> set[int]:
    """Mark rows in flight (committed before they go); return those this call marked.

    A row another sender marked meanwhile is not returned, so it never goes twice.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending")
        .values(status="sending", attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


def unmark_sending(session: Session, *, ids: list[int]) -> None:
    """Give back rows marked sending that never went (their attempt is not counted)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "sending")
        .values(status="pending", attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )


def existing(session: Session, *, ids: list[int]) -> set[int]:
    """Return those of the row ids still in the outbox."""
    if not ids:
        return set()
    return set(session.scalars(select(OutboxMessage.id).where(OutboxMessage.id.in_(ids))))


def still_sending(session: Session, *, ids: list[int]) -> set[int]:
    """Return those of the rows still marked sending (not withdrawn meanwhile)."""
    if not ids:
        return set()
    query = select(OutboxMessage.id).where(
        OutboxMessage.id.in_(ids), OutboxMessage.status == "sending"
    )
    return set(session.scalars(query))


def requeue_sending(session: Session, *, channel: str) -> int:
    """Put rows a dead sender left in flight back in the queue; return how many."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.status == "sending")
        .values(status="pending")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def set_outcome(session: Session, *, row_id: int, **values: Any) -> None:
    """Record what happened to a row (status, message_id, sent_at, retry_at, error)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def mark_sent(session: Session, sent: list[tuple[int, str | None, datetime]]) -> None:
    """Record rows sent, each (row id, messenger message id, when), in one statement.

    A row deleted meanwhile (an erasure) matches nothing and stays deleted.
    """
    if not sent:
        return
    table = OutboxMessage.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(status="sent", message_id=bindparam("sent_id"), sent_at=bindparam("sent_at"))
    )
    rows = [{"row_id": i, "sent_id": m, "sent_at": at} for i, m, at in sent]
    session.connection().execute(statement, rows)


def message_id_of(session: Session, *, row_id: int) -> tuple[str | None, str | None]:
    """Return (status, messenger message id) of a row, e.g. the message an edit replaces."""
    found = session.execute(
        select(OutboxMessage.status, OutboxMessage.message_id).where(OutboxMessage.id == row_id)
    ).one_or_none()
    return (None, None) if found is None else (found[0], found[1])


def cancel(session: Session, *, ref_prefix: str) -> int:
    """Withdraw the rows not sent yet whose ref starts with the prefix; return how many.

    Rows a sender claimed are withdrawn too: it drops those it has not started, and records
    the outcome of those already on their way.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.ref.startswith(ref_prefix), OutboxMessage.status.in_(OPEN))
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def depth(session: Session) -> dict[tuple[str, str], int]:
    """Return the number of open rows by (channel, kind)."""
    query = (
        select(OutboxMessage.channel, OutboxMessage.kind, func.count())
        .where(OutboxMessage.status.in_(OPEN))
        .group_by(OutboxMessage.channel, OutboxMessage.kind)
    )
    return {(channel, kind): n for channel, kind, n in session.execute(query)}


def oldest_open(session: Session, *, now: datetime) -> float:
    """Return how long the oldest due open row has waited, in seconds."""
    oldest = session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_(OPEN),
            (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before <= now),
        )
    )
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())


def prune(session: Session, *, older_than: datetime) -> int:
    """Delete settled rows older than `older_than`; return how many."""
    result = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.not_in(OPEN), OutboxMessage.created_at < older_than
        )
    )
    return result.rowcount or 0


def open_due(session: Session, *, now: datetime) -> int:
    """Return how many rows are open and due (waiting, backing off or in flight)."""
    return (
        session.scalar(
            select(func.count()).where(
                OutboxMessage.status.in_(OPEN),
                (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before <= now),
            )
        )
        or 0
    )


def recent_sends(
    session: Session, *, channel: str, since: datetime
) -> list[tuple[str, datetime | None]]:
    """Return (chat, sent_at) of rows sent since then, and (chat, None) of rows in flight."""
    sending = OutboxMessage.status == "sending"
    query = select(OutboxMessage.chat_id, OutboxMessage.sent_at, sending).where(
        OutboxMessage.channel == channel, sending | (OutboxMessage.sent_at >= since)
    )
    return [(chat, None if flying else sent) for chat, sent, flying in session.execute(query)]
