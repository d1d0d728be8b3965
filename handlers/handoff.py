"""The citizen's side of a handover: hand a question to staff, add to it, close it."""

from __future__ import annotations

from bot.context import Context
from bot.db import repo_questions
from bot.handoff import repository as repo
from bot.handoff import tickets
from bot.handoff.models import Ticket, TicketState
from bot.matching.normalize import clean, fold
from bot.messages import Button, Reply

FLOW = "handoff"
ASK_STEP = "ask"  # waiting for the question to hand over
MORE_STEP = "more"  # waiting for a follow-up to an open ticket
RECENT_QUESTION_MINUTES = 30  # "gặp cán bộ" offers to send the question asked this recently
# Folded phrases asking for a person; a short message containing one hands over.
HANDOVER_PHRASES = (
    "gap can bo",
    "hoi can bo",
    "chuyen can bo",
    "gap nguoi that",
    "hoi nguoi that",
    "nguoi that tra loi",
    "noi chuyen voi nguoi",
    "gap nhan vien",
    "gap truc tiep",
    "gapcanbo",
)
MAX_HANDOVER_WORDS = 10


def is_handover_request(ctx: Context) -> bool:
    """Return whether the text asks for a person ("gặp cán bộ", "cho tôi hỏi người thật")."""
    folded = fold(clean(ctx.text))
    if len(folded.split()) > MAX_HANDOVER_WORDS:
        return False
    padded = f" {folded} "
    return any(f" {phrase} " in padded for phrase in HANDOVER_PHRASES)


def handle_handover_request(ctx: Context) -> list[Reply]:
    """Ask for the question to hand over, offering the one just asked."""
    ctx.start_flow(FLOW, ASK_STEP)
    buttons = []
    recent = repo_questions.latest_question(
        ctx.session, user_id=ctx.user.id, minutes=RECENT_QUESTION_MINUTES, now=ctx.now
    )
    if recent is not None:
        preview = recent.text if len(recent.text) <= 40 else recent.text[:39] + "…"
        buttons.append(Button(ctx.t("handoff.send_last", question=preview), f"staff:{recent.id}"))
    return [ctx.say("handoff.ask_question", buttons)]


def handle_leave_for_staff(ctx: Context) -> list[Reply]:
    """Hand a logged question over to staff (the "📨 Gửi câu hỏi cho cán bộ" button)."""
    log_part = ctx.payload.partition(":")[2]
    question = (
        repo_questions.get_question(ctx.session, log_id=int(log_part), user_id=ctx.user.id)
        if log_part.isdigit()
        else None
    )
    if question is None:
        return [ctx.say("core.stale_button")]
    if ctx.flow is not None and ctx.flow.flow == FLOW:
        ctx.end_flow()
    question.left_for_staff = True
    return _open(ctx, question.text, question.id)


def handle_text(ctx: Context) -> list[Reply]:
    """Take the question to hand over, or a follow-up to an open ticket."""
    assert ctx.flow is not None
    step, data = ctx.flow.step, dict(ctx.flow.data)
    ctx.end_flow()
    if step == MORE_STEP:
        ticket = repo.get_own_ticket(
            ctx.session, ticket_id=int(data["ticket"]), user_id=ctx.user.id
        )
        if ticket is None:
            return [ctx.say("core.stale_button")]
        if ticket.state == TicketState.CLOSED:
            return [ctx.say("handoff.already_closed", reference=ticket.reference)]
        staff = tickets.follow_up(ctx.app, ctx.session, ticket=ticket, text=ctx.text, now=ctx.now)
        return [ctx.say("handoff.more_sent", reference=ticket.reference), *staff]
    return _open(ctx, ctx.text, None)


def _open(ctx: Context, question: str, log_id: int | None) -> list[Reply]:
    """Open a ticket unless this question is already open or the citizen has too many."""
    open_now = repo.open_for_user(ctx.session, user_id=ctx.user.id)
    same = _same_question(open_now, question, log_id)
    if same is not None:  # a double press, or the same question sent twice
        text = ctx.t("handoff.already_sent", reference=same.reference)
        return [Reply(text, tickets.citizen_buttons(ctx.app, same))]
    if len(open_now) >= tickets.MAX_OPEN_PER_CITIZEN:
        references = ", ".join(t.reference for t in open_now)
        return [ctx.say("handoff.too_many_open", count=len(open_now), references=references)]
    candidates = [c.id for c in ctx.app.faq_index.match(question).candidates]
    _ticket, replies = tickets.open_ticket(
        ctx.app,
        ctx.session,
        user=ctx.user,
        question=question,
        candidates=candidates,
        question_log_id=log_id,
        now=ctx.now,
    )
    return replies


def _same_question(open_now: list[Ticket], question: str, log_id: int | None) -> Ticket | None:
    """Return the open ticket of this logged question or of the same words, if any."""
    folded = fold(clean(question))
    for ticket in open_now:
        if log_id is not None and ticket.question_log_id == log_id:
            return ticket
        if fold(clean(ticket.question)) == folded:
            return ticket
    return None


def handle_button(ctx: Context) -> list[Reply]:
    """Handle `hk:more:<id>` (add a message) and `hk:close:<id>` (close the ticket)."""
    _, action, number = (ctx.payload.split(":") + ["", ""])[:3]
    ticket = _own(ctx, number)
    if ticket is None or action not in ("more", "close"):
        return [ctx.say("core.stale_button")]
    if ticket.state == TicketState.CLOSED:
        return [ctx.say("handoff.already_closed", reference=ticket.reference)]
    if action == "more":
        ctx.start_flow(FLOW, MORE_STEP, {"ticket": ticket.id})
        return [ctx.say("handoff.ask_more", reference=ticket.reference)]
    staff = tickets.close(ctx.app, ctx.session, ticket=ticket, by_citizen=True, now=ctx.now)
    return [ctx.say("handoff.closed_by_citizen", reference=ticket.reference), *staff]


def _own(ctx: Context, number: str) -> Ticket | None:
    """Return the citizen's own ticket named by a button, or None."""
    if not number.isdigit():
        return None
    return repo.get_own_ticket(ctx.session, ticket_id=int(number), user_id=ctx.user.id)
