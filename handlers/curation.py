"""Curators' loop: `/cauhoimoi` lists the questions the bot could not answer well."""

from __future__ import annotations

from datetime import timedelta

from bot.admins import auth
from bot.content.messages import Messages
from bot.context import Context
from bot.matching.curation import Group, group_questions
from bot.matching.unanswered import curation_items
from bot.messages import Reply

SHOWN_GROUPS = 20


def render_groups(messages: Messages, groups: list[Group], days: int | None = None) -> str:
    """Return the curator list as text: count, staff marks and an example per group."""
    if not groups:
        return messages.text("curation.empty")
    title = messages.text("curation.title_days", days=days) if days else None
    lines = [title or messages.text("curation.title")]
    for rank, group in enumerate(groups, start=1):
        staff = (
            messages.text("curation.staff_mark", staff=group.left_for_staff)
            if group.left_for_staff
            else ""
        )
        line = messages.text(
            "curation.line", rank=rank, count=group.count, staff=staff, example=group.example
        )
        if group.disliked_id:
            line += messages.text("curation.disliked_mark", faq_id=group.disliked_id)
        lines.append(line)
    lines.append(messages.text("curation.outro"))
    return "\n".join(lines)


def handle_unanswered(ctx: Context) -> list[Reply]:
    """List the most frequent unanswered questions (optionally of the last N days)."""
    days: int | None = None
    if ctx.args.strip():
        if not ctx.args.strip().isdigit() or int(ctx.args) < 1:
            auth.audit(ctx, "questions.unanswered", ctx.args[:40], result="bad_input")
            return [ctx.say("curation.bad_days")]
        days = int(ctx.args)
    auth.audit(ctx, "questions.unanswered", str(days or ""))
    since = ctx.now - timedelta(days=days) if days else None
    items = curation_items(ctx.session, since=since)
    groups = group_questions(items, limit=SHOWN_GROUPS)
    return [ctx.reply(render_groups(ctx.app.content.messages, groups, days))]
