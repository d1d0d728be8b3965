"""The staff side of a handover: answer by replying in the group, buttons, /phieu, /themfaq."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.context import Context
from bot.handoff import figures, staff_texts, tickets
from bot.handoff import repository as repo
from bot.handoff.models import Ticket, format_reference
from bot.logs import pseudonym
from bot.messages import Button, Reply

log = logging.getLogger(__name__)

OPEN_LIST_LIMIT = 30


def is_staff(ctx: Context) -> bool:
    """Return whether the sender has the staff role (admins count as staff)."""
    return ctx.is_admin or repo.is_staff(
        ctx.session, channel=ctx.user.channel, external_id=ctx.user.external_id
    )


def _who(ctx: Context) -> str:
    """Return the sender's stable pseudonymous staff id, kept with what they did."""
    return tickets.pseudonym(ctx.user.channel, ctx.user.external_id)


def _logged(ctx: Context) -> str:
    """Return the sender's name for log lines (the keyed log pseudonym, never the id)."""
    return pseudonym(ctx.user.channel, ctx.user.external_id)


def is_staff_chat(ctx: Context) -> bool:
    """Return whether the message was written in the staff group."""
    settings = ctx.app.settings
    return bool(settings.staff_chat_id) and (ctx.user.channel, ctx.incoming.chat_id) == (
        settings.staff_channel,
        settings.staff_chat_id,
    )


def handle_staff_message(ctx: Context) -> list[Reply]:
    """Send a staff reply to a ticket's post (or "HK-0042 text") to the citizen."""
    incoming = ctx.incoming
    reference = repo.parse_reference(incoming.reply_to)
    text = ctx.text
    if reference is None:  # typed as "HK-0042 the answer" (the terminal's staff side)
        first, _, rest = text.partition(" ")
        reference = repo.parse_reference(first)
        text = rest.strip()
    if reference is None:
        return []  # ordinary talk among staff
    if not is_staff(ctx):
        log.info("staff group: ignored a reply from non-staff %s", _logged(ctx))
        return []
    ticket = repo.get_ticket(ctx.session, reference)
    if ticket is None:
        return [ctx.say("handoff.staff_no_ticket", reference=format_reference(reference))]
    if not text:
        return []
    return _in_thread(ctx, ticket, _answer(ctx, ticket, text))


def _answer(ctx: Context, ticket: Ticket, text: str) -> list[Reply]:
    """Answer the ticket and tell staff how it went."""
    done = tickets.answer(
        ctx.app, ctx.session, ticket=ticket, text=text, staff_key=_who(ctx), now=ctx.now
    )
    return [*done.replies, ctx.reply(done.note)]


def handle_staff_button(ctx: Context) -> list[Reply]:
    """Handle `tk:done|faq|c|fq:<id>[:<arg>]` pressed by staff under a ticket."""
    if not is_staff(ctx):
        log.info("ticket button refused for non-staff %s", _logged(ctx))
        return [ctx.say("handoff.staff_only")]
    _, action, number, arg = (ctx.payload.split(":", 3) + ["", "", ""])[:4]
    ticket = repo.get_ticket(ctx.session, int(number)) if number.isdigit() else None
    if ticket is None:
        return [ctx.say("core.stale_button")]
    return _in_thread(ctx, ticket, _ticket_action(ctx, ticket, action, arg))


def _ticket_action(ctx: Context, ticket: Ticket, action: str, arg: str) -> list[Reply]:
    """Close, send a canned answer, or pick and propose an FAQ entry."""
    if action == "done":
        closed = tickets.close(ctx.app, ctx.session, ticket=ticket, by_citizen=False, now=ctx.now)
        key = "handoff.staff_closed" if closed else "handoff.staff_already_closed"
        return [*closed, ctx.say(key, reference=ticket.reference)]
    if action == "c":
        canned = staff_texts.canned_answers(ctx.app).get(arg)
        return (
            [ctx.say("core.stale_button")] if canned is None else _answer(ctx, ticket, canned[1])
        )
    if action == "faq":
        return [_pick_entry(ctx, ticket)]
    if action == "fq" and arg.isdigit() and int(arg) < len(ticket.candidates):
        return [_propose(ctx, ticket, ticket.candidates[int(arg)])]
    return [ctx.say("core.stale_button")]


def _in_thread(ctx: Context, ticket: Ticket, replies: list[Reply]) -> list[Reply]:
    """In the staff group, put the bot's notes about a ticket into the ticket's topic."""
    if not is_staff_chat(ctx):
        return replies
    return [
        r if r.to is not None else tickets.to_staff(ctx.app, ticket, r.text, r.buttons)[0]
        for r in replies
    ]


def _pick_entry(ctx: Context, ticket: Ticket) -> Reply:
    """Offer the bot's candidate entries for the ticket's question as buttons."""
    faq = ctx.app.content.faq
    buttons = [
        Button(faq[faq_id].question, payload=f"tk:fq:{ticket.id}:{index}")
        for index, faq_id in enumerate(ticket.candidates)
        if faq_id in faq
    ]
    key = "handoff.staff_pick_faq" if buttons else "handoff.staff_pick_none"
    return ctx.say(key, buttons, reference=ticket.reference)


def _propose(ctx: Context, ticket: Ticket, faq_id: str) -> Reply:
    """Record the ticket's question as a proposed phrasing of an entry."""
    entry = ctx.app.content.faq.get(faq_id)
    if entry is None:
        return ctx.say("handoff.staff_unknown_entry", faq_id=faq_id[:64])
    fresh = repo.propose_phrasing(
        ctx.session, ticket=ticket, faq_id=faq_id, proposed_by=_who(ctx), now=ctx.now
    )
    if not fresh:
        return ctx.say("handoff.staff_proposed_already")
    return ctx.say("handoff.staff_proposed", reference=ticket.reference, entry=entry.question)


def handle_propose(ctx: Context) -> list[Reply]:
    """`/themfaq HK-0042 <entry id>`: propose a ticket's question as an entry's phrasing."""
    if not is_staff(ctx):
        return [ctx.say("handoff.staff_only")]
    reference, _, faq_id = ctx.args.partition(" ")
    number = repo.parse_reference(reference)
    if number is None or not faq_id.strip():
        return [ctx.say("handoff.staff_propose_usage")]
    ticket = repo.get_ticket(ctx.session, number)
    if ticket is None:
        return [ctx.say("handoff.staff_no_ticket", reference=format_reference(number))]
    return [_propose(ctx, ticket, faq_id.strip())]


def handle_open_list(ctx: Context) -> list[Reply]:
    """`/phieu`: list open tickets, the longest waiting first."""
    if not is_staff(ctx):
        return [ctx.say("handoff.staff_only")]
    open_now = repo.list_open(ctx.session, limit=OPEN_LIST_LIMIT)
    if not open_now:
        return [ctx.say("handoff.staff_open_none")]
    items = staff_texts.ticket_lines(ctx.app, open_now, ctx.now)
    return [ctx.say("handoff.staff_open_list", count=len(open_now), items=items)]


FIGURES_DAYS = 30


def figures_text(ctx: Context) -> str:
    """Return the handover figures of the last 30 days, for /thongke."""
    until = ctx.now
    data = figures.ticket_figures(
        ctx.session, since=until - timedelta(days=FIGURES_DAYS), until=until
    )
    none = ctx.t("handoff.figures_none")
    median = none
    if data.median_first_answer is not None:
        hours, minutes = divmod(int(data.median_first_answer.total_seconds() // 60), 60)
        key = "handoff.duration_hours" if hours else "handoff.duration_minutes"
        median = ctx.t(key, h=hours, m=minutes)
    share = data.handed_over_share
    return ctx.t(
        "handoff.figures",
        opened=data.opened,
        answered=data.answered,
        median=median,
        share=none if share is None else f"{100 * share:.1f}%".replace(".", ","),
    )
