"""/lichnhac (list, pause, resume, delete reminders) and "Nhắc tôi" subscriptions to events."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from bot.context import Context
from bot.messages import Button, Reply
from bot.reminders import repo as repo_reminders
from bot.reminders.events import TOPIC_PREFIX, events_of, remind_window
from bot.reminders.recurrence import next_occurrence, rule_of

if TYPE_CHECKING:
    from bot.context import AppParts as App


def _summary(ctx: Context, row: object) -> str:
    """Describe a stored reminder like the confirmation did."""
    from handlers.reminders import describe

    draft = {
        "kind": row.kind,  # type: ignore[attr-defined]
        "hour": row.hour,  # type: ignore[attr-defined]
        "minute": row.minute,  # type: ignore[attr-defined]
        "text": row.text,  # type: ignore[attr-defined]
        "date": row.once_date,  # type: ignore[attr-defined]
        "month_day": row.month_day,  # type: ignore[attr-defined]
        "weekdays": list(rule_of(row).weekdays),
    }
    return describe(ctx, draft)


def handle_list(ctx: Context) -> list[Reply]:
    """List reminders and event subscriptions; button N opens item N of the list."""
    rows = repo_reminders.list_active(ctx.session, user_id=ctx.user.id)
    topics = repo_reminders.topics_of(ctx.session, user_id=ctx.user.id, prefix=TOPIC_PREFIX)
    events = events_of(ctx.app)
    subscribed = [
        events[t[len(TOPIC_PREFIX) :]] for t in topics if t[len(TOPIC_PREFIX) :] in events
    ]
    if not rows and not subscribed:
        return [ctx.say("reminders.list_empty")]
    lines = [ctx.t("reminders.list_title")] if rows else []
    buttons: list[Button] = []
    for number, row in enumerate(rows, 1):
        lines.append(f"{number}. {_line(ctx, row)}")
        buttons.append(Button(ctx.t("reminders.btn_pick", n=number), payload=f"rm:s:{row.id}"))
    if subscribed:
        lines.append(ctx.t("reminders.list_events"))
        for number, event in enumerate(subscribed, len(rows) + 1):
            lines.append(f"{number}. {event.title}")
            label = ctx.t("reminders.btn_unsubscribe", n=number, title=event.title)
            buttons.append(Button(label, payload=f"rm:ux:{event.id}"))
    return [ctx.reply("\n".join(lines), buttons, per_row=3 if not subscribed else 1)]


def _line(ctx: Context, row: Any) -> str:
    """Describe a reminder for the list, marked when paused."""
    paused = f" {ctx.t('reminders.list_paused')}" if row.paused else ""
    return f"{_summary(ctx, row)}{paused}"


def handle_list_button(ctx: Context) -> list[Reply]:
    """Open (`s`), pause (`p`), resume (`r`), ask to delete (`x`) or delete (`xx`) a reminder."""
    _, action, value = (ctx.payload.split(":") + ["", ""])[:3]
    if action == "ux":
        event = events_of(ctx.app).get(value)
        if event is None or not repo_reminders.unsubscribe(
            ctx.session, user_id=ctx.user.id, topic=TOPIC_PREFIX + value
        ):
            return [ctx.say("core.stale_button")]
        return [ctx.say("reminders.unsubscribed", title=event.title)]
    row = (
        repo_reminders.get_own(ctx.session, user_id=ctx.user.id, reminder_id=int(value))
        if value.isdigit() and len(value) < 10
        else None
    )
    if row is None or row.next_due_at is None:
        return [ctx.say("core.stale_button")]
    rows = repo_reminders.list_active(ctx.session, user_id=ctx.user.id)
    number = next((i for i, r in enumerate(rows, 1) if r.id == row.id), 0)
    if action == "s":
        return [_item_menu(ctx, row, number)]
    if action == "x":
        choices = [
            Button(ctx.t("reminders.btn_delete_yes"), payload=f"rm:xx:{row.id}"),
            Button(ctx.t("reminders.btn_keep"), payload=f"rm:s:{row.id}"),
        ]
        return [ctx.say("reminders.confirm_delete", choices, text=row.text)]
    if action == "xx":
        text = row.text
        ctx.session.delete(row)
        return [ctx.say("reminders.deleted", text=text)]
    if action == "p":
        row.paused = True
        return [ctx.say("reminders.paused", n=number)]
    if action != "r":
        return [ctx.say("core.stale_button")]
    # Resuming starts from the next occurrence: nothing missed while paused is sent.
    due = next_occurrence(rule_of(row), ctx.app.now(), ctx.app.settings.tz)
    if due is None:
        return [ctx.say("reminders.time_passed")]
    row.paused = False
    row.next_due_at = due
    local = due.astimezone(ctx.app.settings.tz)
    return [ctx.say("reminders.resumed", n=number, next=f"{local:%H:%M %d/%m/%Y}")]


def _item_menu(ctx: Context, row: Any, number: int) -> Reply:
    """Show one reminder with its actions."""
    toggle = (
        Button(ctx.t("reminders.btn_resume"), payload=f"rm:r:{row.id}")
        if row.paused
        else Button(ctx.t("reminders.btn_pause"), payload=f"rm:p:{row.id}")
    )
    buttons = [
        toggle,
        Button(ctx.t("reminders.btn_delete"), payload=f"rm:x:{row.id}"),
        Button(ctx.t("reminders.btn_back"), payload="cmd:lichnhac"),
    ]
    return ctx.reply(f"{number}. {_line(ctx, row)}", buttons)


def handle_subscribe(ctx: Context) -> list[Reply]:
    """Subscribe to an event's reminder (button payload `ev:<event id>`)."""
    event_id = ctx.payload.partition(":")[2]
    event = events_of(ctx.app).get(event_id)
    if event is None:
        return [ctx.say("core.stale_button")]
    fresh = repo_reminders.subscribe(
        ctx.session, user_id=ctx.user.id, topic=TOPIC_PREFIX + event.id, now=ctx.app.now()
    )
    if not fresh:
        return [ctx.say("reminders.already_subscribed", title=event.title)]
    if event.kind == "self_assessment":
        month = ctx.app.settings.self_assessment_reminder_month
        return [ctx.say("reminders.subscribed_self_assessment", month=month)]
    window = remind_window(ctx.app, event, ctx.now.date())
    if window is None:
        return [ctx.say("core.stale_button")]
    opens, _, start = window
    when: date = max(opens.date(), ctx.now.date())
    days = ctx.app.settings.event_reminder_days_before
    return [ctx.say("reminders.subscribed", title=event.title, date=f"{when:%d/%m/%Y}", days=days)]


def event_button_rows(app: App, faq_id: str) -> list[tuple[Button, ...]]:
    """Return a "Nhắc tôi" button row for each event linked to an FAQ entry."""
    label = app.content.messages.text("reminders.btn_remind_event")
    return [
        (Button(label, payload=f"{TOPIC_PREFIX}{event.id}"),)
        for event in events_of(app).values()
        if event.faq == faq_id
    ]
