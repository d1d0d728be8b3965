"""The tickets pages: handed-over questions, their threads, answers and closing from the browser.

An answer goes through the handoff feature (`tickets.answer`) and the outbox, exactly as a
staff member's reply in the staff group does; nothing is sent from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.console.web_common import audit_in, back, checked_form, deps_of, render, signed_in
from bot.db import repo_outbox
from bot.db.models import User
from bot.handoff import repository as repo
from bot.handoff import staff_texts, tickets
from bot.handoff.hours import window_end
from bot.handoff.models import AWAITING_STAFF, Ticket, TicketState
from bot.handoff.staff_names import CONSOLE_PREFIX, console_key, staff_names
from bot.messages import Reply
from bot.parts import Parts

PERMISSION = "tickets"
MAX_ANSWER_CHARS = 3500  # what the citizen's message carries (handoff.answer)
FILTERS = {"open": "Chờ cán bộ trả lời", "answered": "Đã trả lời", "closed": "Đã đóng",
           "all": "Tất cả"}  # fmt: skip
EMPTY = "Câu trả lời đang trống. Anh/Chị gõ nội dung rồi bấm «Gửi câu trả lời»."
TOO_LONG = f"Câu trả lời quá dài: tối đa {MAX_ANSWER_CHARS} ký tự."
CLOSED = "Câu hỏi {reference} đã đóng nên không gửi trả lời được nữa."


def _parts(request: Request) -> Parts:
    """Return the running bot's parts (the console is always mounted with them)."""
    parts = deps_of(request).parts
    if parts is None:
        raise HTTPException(503, "no_bot")
    return parts


def _ticket(session: Session, request: Request) -> Ticket:
    """Return the ticket named in the path, or a 404."""
    ticket = repo.get_ticket(session, request.path_params["number"])
    if ticket is None:
        raise HTTPException(404, "not_found")
    return ticket


async def ticket_list(request: Request) -> Response:
    """List handed-over questions with state, age and channel, filtered by state."""
    signed_in(request, PERMISSION)
    show = request.query_params.get("show", "open")
    show = show if show in FILTERS else "open"
    parts = _parts(request)
    now = deps_of(request).clock()
    with deps_of(request).sessions() as session:
        rows = [_summary(parts, ticket, now) for ticket in repo.list_tickets(session, show=show)]
    return render(request, "tickets.html", rows=rows, show=show, filters=FILTERS)


def _summary(parts: Parts, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """Return what a ticket's line in the list shows."""
    waiting = ticket.state in AWAITING_STAFF
    return {
        "number": ticket.id,
        "reference": ticket.reference,
        "state": ticket.state,
        "state_label": staff_texts.state_label(parts, ticket.state),
        "channel": staff_texts.channel_label(parts, ticket),
        "name": staff_texts.citizen_name(parts, ticket),
        "question": ticket.question,
        "age": staff_texts.age(parts, ticket.created_at, now),
        "waiting": staff_texts.age(parts, ticket.waiting_since, now) if waiting else "",
    }


async def ticket_page(request: Request, problem: str = "", text: str = "") -> Response:
    """Show a ticket's thread with its context, the answer form and the close button."""
    signed_in(request, PERMISSION)
    parts = _parts(request)
    deps = deps_of(request)
    now = deps.clock()
    with deps.sessions() as session:
        ticket = _ticket(session, request)
        names = staff_names(session, parts.settings.admin_ids)
        thread = [
            {"author": _author(m.author, m.staff_key, names), "staff": m.author == "staff",
             "at": m.created_at, "text": m.text, "delivered": m.delivered}
            for m in repo.thread(session, ticket_id=ticket.id)
        ]  # fmt: skip
        citizen = session.get(User, ticket.user_id)
        last_seen = citizen.last_seen if citizen is not None else ticket.created_at
        end = window_end(ticket.channel, last_seen)
        faq = parts.content.faq
        candidates = [faq[c].question for c in ticket.candidates if c in faq]
        summary = _summary(parts, ticket, now)
    canned = list(staff_texts.canned_answers(parts).values())
    return render(
        request, "ticket.html", status=400 if problem else 200, ticket=summary,
        created=ticket.created_at, thread=thread, candidates=candidates, window_end=end,
        window_passed=end is not None and now > end, closed=ticket.state == TicketState.CLOSED,
        canned=canned, problem=problem, text=text, max_chars=MAX_ANSWER_CHARS,
    )  # fmt: skip


def _author(author: str, staff_key: str, names: dict[str, str]) -> str:
    """Name who wrote a thread message: the citizen, a console account or a staff member."""
    if author != "staff":
        return "Người hỏi"
    if staff_key.startswith(CONSOLE_PREFIX):
        return f"Cán bộ {staff_key.removeprefix(CONSOLE_PREFIX)} (trang quản trị)"
    return f"Cán bộ {names.get(staff_key, staff_key or '?')}"


def _enqueue(session: Session, replies: list[Reply], kind: str) -> None:
    """Queue replies that carry their address (the citizen's chat or the staff group)."""
    for reply in replies:
        repo_outbox.enqueue(session, reply=reply, kind=kind)


async def answer(request: Request) -> Response:
    """Send a staff answer to the citizen through the handoff service and the outbox."""
    user = signed_in(request, PERMISSION)
    form = await checked_form(request)
    text = str(form.get("text") or "").strip()
    parts = _parts(request)
    deps = deps_of(request)
    now = deps.clock()
    with deps.sessions.begin() as session:
        ticket = _ticket(session, request)
        reference, number = ticket.reference, ticket.id
        problem = (
            EMPTY if not text
            else TOO_LONG if len(text) > MAX_ANSWER_CHARS
            else CLOSED.format(reference=reference) if ticket.state == TicketState.CLOSED
            else ""
        )  # fmt: skip
        if not problem:
            done = tickets.answer(
                parts, session, ticket=ticket, text=text, staff_key=console_key(user.name),
                now=now,
            )  # fmt: skip
            _enqueue(session, done.replies, "reply")
            t = parts.content.messages.text
            note = t("handoff.staff_console_answer", name=user.name, reference=reference,
                     text=text)  # fmt: skip
            _enqueue(session, tickets.to_staff(parts, ticket, note), "staff")
            outcome = "delivered" if done.delivered else "not delivered (window)"
            detail = f"{reference} {outcome}, {len(text)} chars"
            audit_in(session, request, "ticket.answer", detail)
    if problem:
        return await ticket_page(request, problem=problem, text=text)
    return back(request, f"/tickets/{number}", "ticket_answered" if done.delivered else
                "ticket_not_delivered")  # fmt: skip


async def close(request: Request) -> Response:
    """Close a ticket (as "✅ Đã xong" in the staff group does); the citizen is told."""
    signed_in(request, PERMISSION)
    await checked_form(request)
    parts = _parts(request)
    deps = deps_of(request)
    with deps.sessions.begin() as session:
        ticket = _ticket(session, request)
        told = tickets.close(parts, session, ticket=ticket, by_citizen=False, now=deps.clock())
        if told:
            _enqueue(session, told, "reply")
            note = parts.content.messages.text("handoff.staff_closed", reference=ticket.reference)
            _enqueue(session, tickets.to_staff(parts, ticket, note), "staff")
            audit_in(session, request, "ticket.close", ticket.reference)
        number = ticket.id
    return back(request, f"/tickets/{number}", "ticket_closed" if told else "ticket_was_closed")
