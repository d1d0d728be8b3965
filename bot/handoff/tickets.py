"""Ticket services: open, follow up, answer and close; each returns the replies to send."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.db.models import User
from bot.handoff import repository as repo
from bot.handoff import staff_texts
from bot.handoff.hours import from_settings, window_end
from bot.handoff.models import Ticket
from bot.messages import Address, Button, Reply, button_rows

if TYPE_CHECKING:
    from bot.parts import Parts as App

MAX_OPEN_PER_CITIZEN = 3  # more open tickets: the citizen adds to one instead
PSEUDONYM_CHARS = 10
TOPIC_QUESTION_CHARS = 100  # with the reference, within Telegram's 128 for a topic name


@dataclass(frozen=True)
class Answered:
    """The outcome of a staff answer: delivered or not, the replies, a note for staff."""

    delivered: bool
    replies: list[Reply]
    note: str


def pseudonym(channel: str, external_id: str) -> str:
    """Return a stable pseudonymous id of an account for logs and the thread (no raw id)."""
    digest = hashlib.sha256(f"{channel}:{external_id}".encode()).hexdigest()
    return f"s-{digest[:PSEUDONYM_CHARS]}"


def staff_address(app: App) -> Address | None:
    """Return the staff group's address, or None when STAFF_CHAT_ID is not set."""
    settings = app.settings
    if not settings.staff_chat_id:
        return None
    return Address(settings.staff_channel, settings.staff_chat_id)


def citizen_address(ticket: Ticket) -> Address:
    """Return where the citizen of a ticket is reached."""
    return Address(ticket.channel, ticket.chat_id, ticket.user_id)


def citizen_buttons(app: App, ticket: Ticket) -> tuple[tuple[Button, ...], ...]:
    """Return the citizen's buttons under a ticket: add a message, close it."""
    t = app.content.messages.text
    return button_rows(
        [
            Button(t("handoff.btn_more"), payload=f"hk:more:{ticket.id}"),
            Button(t("handoff.btn_close"), payload=f"hk:close:{ticket.id}"),
        ],
        per_row=2,
    )


def topic_of(ticket: Ticket) -> str:
    """Return the ticket's conversation title in the staff group (a forum topic's name)."""
    question = " ".join(ticket.question.split())
    if len(question) > TOPIC_QUESTION_CHARS:
        question = question[: TOPIC_QUESTION_CHARS - 1] + "…"
    return f"{ticket.reference} · {question}"


def to_staff(
    app: App, ticket: Ticket, text: str, buttons: tuple[tuple[Button, ...], ...] = ()
) -> list[Reply]:
    """Return a message about a ticket for the staff group (in its topic), or nothing."""
    address = staff_address(app)
    if address is None:
        return []
    return [Reply(text, buttons, to=replace(address, topic=topic_of(ticket)))]


def expected_answer(app: App, now: datetime) -> str:
    """Tell the citizen when to expect an answer, from the office's working hours."""
    t = app.content.messages.text
    local = now.astimezone(app.settings.tz)
    hours = from_settings(app.settings)
    if hours.is_open(local):
        return t("handoff.when_open", until=f"{hours.closing_today(local):%H:%M}")
    opens = hours.next_opening(local)
    return t("handoff.when_closed", opens=f"{opens:%H:%M} ngày {opens:%d/%m/%Y}")


def open_ticket(
    app: App,
    session: Session,
    *,
    user: User,
    question: str,
    candidates: list[str],
    question_log_id: int | None,
    now: datetime,
) -> tuple[Ticket, list[Reply]]:
    """Open a ticket; return it with the citizen's confirmation and the staff group's post.

    `candidates` are the ids of the FAQ entries the bot thought closest, best first.
    """
    ticket = repo.create_ticket(
        session,
        user_id=user.id,
        channel=user.channel,
        chat_id=user.chat_id,
        display_name=user.display_name,
        question=question,
        candidates=candidates,
        question_log_id=question_log_id,
        now=now,
    )
    text = app.content.messages.text(
        "handoff.created", reference=ticket.reference, when=expected_answer(app, now)
    )
    confirmation = Reply(text, citizen_buttons(app, ticket))
    post = staff_texts.ticket_post(app, ticket, user.last_seen)
    return ticket, [
        confirmation,
        *to_staff(app, ticket, post, staff_texts.ticket_buttons(app, ticket)),
    ]


def follow_up(
    app: App, session: Session, *, ticket: Ticket, text: str, now: datetime
) -> list[Reply]:
    """Add the citizen's message to an open ticket; return the staff group's post."""
    repo.add_message(session, ticket=ticket, author="citizen", text=text, now=now)
    post = app.content.messages.text(
        "handoff.staff_follow_up",
        reference=ticket.reference,
        name=staff_texts.citizen_name(app, ticket),
        text=text[:3000],
    )
    return to_staff(app, ticket, post, staff_texts.ticket_buttons(app, ticket))


def answer(
    app: App, session: Session, *, ticket: Ticket, text: str, staff_key: str, now: datetime
) -> Answered:
    """Send a staff answer to the citizen, unless their messenger's window has passed."""
    t = app.content.messages.text
    citizen = session.get(User, ticket.user_id)
    last_seen = citizen.last_seen if citizen is not None else ticket.created_at
    end = window_end(ticket.channel, last_seen)
    if end is not None and now > end:
        repo.add_message(
            session, ticket=ticket, author="staff", text=text, now=now,
            staff_key=staff_key, delivered=False,
        )  # fmt: skip
        local = last_seen.astimezone(app.settings.tz)
        note = t(
            "handoff.staff_window_closed",
            reference=ticket.reference,
            last_seen=f"{local:%H:%M %d/%m/%Y}",
        )
        return Answered(False, [], note)
    repo.add_message(
        session, ticket=ticket, author="staff", text=text, now=now, staff_key=staff_key
    )
    body = t("handoff.answer", reference=ticket.reference, text=text[:3500])
    reply = Reply(body, citizen_buttons(app, ticket), to=citizen_address(ticket))
    note = t(
        "handoff.staff_sent",
        reference=ticket.reference,
        name=staff_texts.citizen_name(app, ticket),
    )
    return Answered(True, [reply], note)


def close(
    app: App, session: Session, *, ticket: Ticket, by_citizen: bool, now: datetime
) -> list[Reply]:
    """Close a ticket; tell the other side. Return [] when it was already closed."""
    if not repo.close_ticket(session, ticket=ticket, now=now):
        return []
    t = app.content.messages.text
    if by_citizen:
        return to_staff(app, ticket, t("handoff.staff_citizen_closed", reference=ticket.reference))
    text = t("handoff.closed_by_staff", reference=ticket.reference)
    return [Reply(text, to=citizen_address(ticket))]
