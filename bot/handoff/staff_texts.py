"""What staff read in their group: the ticket post, its buttons, lists and reminders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.handoff.hours import window_end
from bot.handoff.models import Ticket, TicketState
from bot.messages import MAX_PAYLOAD_BYTES, Button

if TYPE_CHECKING:
    from bot.parts import Parts as App

CANNED_PREFIX = "handoff.canned_"
LABEL_SUFFIX = "_label"
QUESTION_PREVIEW = 80


def citizen_name(app: App, ticket: Ticket) -> str:
    """Return the citizen's display name, or "Người dùng <channel>" without one."""
    if ticket.display_name:
        return ticket.display_name
    return app.content.messages.text("handoff.anonymous", channel=channel_label(app, ticket))


def channel_label(app: App, ticket: Ticket) -> str:
    """Return the messenger's name as staff know it."""
    key = f"handoff.channel_{ticket.channel}"
    messages = app.content.messages
    return messages.text(key) if key in messages else ticket.channel


def canned_answers(app: App) -> dict[str, tuple[str, str]]:
    """Return the canned answers from content: name -> (button label, text)."""
    messages = app.content.messages
    found: dict[str, tuple[str, str]] = {}
    for key in messages.keys():
        if key.startswith(CANNED_PREFIX) and not key.endswith(LABEL_SUFFIX):
            label_key = key + LABEL_SUFFIX
            label = messages.text(label_key) if label_key in messages else key
            found[key.removeprefix(CANNED_PREFIX)] = (label, messages.text(key))
    return found


def ticket_buttons(app: App, ticket: Ticket) -> tuple[tuple[Button, ...], ...]:
    """Return the staff buttons of a ticket: done, add to the FAQ, then the canned answers."""
    t = app.content.messages.text
    rows: list[tuple[Button, ...]] = [
        (
            Button(t("handoff.btn_done"), payload=f"tk:done:{ticket.id}"),
            Button(t("handoff.btn_faq"), payload=f"tk:faq:{ticket.id}"),
        )
    ]
    for name, (label, _text) in canned_answers(app).items():
        payload = f"tk:c:{ticket.id}:{name}"
        if len(payload.encode()) <= MAX_PAYLOAD_BYTES:
            rows.append((Button(label, payload=payload),))
    return tuple(rows)


def ticket_post(app: App, ticket: Ticket, last_seen: datetime) -> str:
    """Return the staff group's post of a new ticket."""
    t = app.content.messages.text
    tz = app.settings.tz
    faq = app.content.faq
    names = [faq[c].question for c in ticket.candidates if c in faq]
    end = window_end(ticket.channel, last_seen)
    window = "" if end is None else t("handoff.staff_window", until=_when(end, tz))
    return t(
        "handoff.staff_ticket",
        reference=ticket.reference,
        channel=channel_label(app, ticket),
        created=_when(ticket.created_at, tz),
        name=citizen_name(app, ticket),
        question=ticket.question,
        candidates="; ".join(names) or t("handoff.staff_no_candidates"),
        window=window,
    )


def _when(moment: datetime, tz: object) -> str:
    """Format a moment in local time as 14:05 02/03/2026."""
    return f"{moment.astimezone(tz):%H:%M %d/%m/%Y}"  # type: ignore[arg-type]


def age(app: App, since: datetime, now: datetime) -> str:
    """Return how long ago, in minutes, hours or days."""
    t = app.content.messages.text
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return t("handoff.age_minutes", n=minutes)
    if minutes < 48 * 60:
        return t("handoff.age_hours", n=minutes // 60)
    return t("handoff.age_days", n=minutes // (24 * 60))


def ticket_lines(app: App, tickets: list[Ticket], now: datetime) -> str:
    """Return one line per ticket: reference, state, waiting time, name, question."""
    t = app.content.messages.text
    lines = []
    for ticket in tickets:
        question = ticket.question.replace("\n", " ")
        if len(question) > QUESTION_PREVIEW:
            question = question[: QUESTION_PREVIEW - 1] + "…"
        lines.append(
            t(
                "handoff.staff_item",
                reference=ticket.reference,
                state=state_label(app, ticket.state),
                age=age(app, ticket.waiting_since, now),
                name=citizen_name(app, ticket),
                question=question,
            )
        )
    return "\n".join(lines)


def state_label(app: App, state: str) -> str:
    """Return the Vietnamese name of a ticket state."""
    return app.content.messages.text(f"handoff.state_{TicketState(state).value}")
