"""The steps of /nhacnho: typed answers and button presses while setting a reminder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.messages import Button, Reply
from bot.reminders.parse import fold, parse, parse_time_only, parse_weekdays
from handlers import faq, reminders
from handlers.reminder_list import handle_list_button

# What "✏️ Sửa" can change on the confirmation, and the draft keys each part forgets.
_PARTS = {
    "time": ("hour", "minute"),
    "when": ("kind", "weekdays", "month_day", "date"),
    "text": ("text",),
}


def handle_flow_text(ctx: Context) -> list[Reply]:
    """Read what the citizen typed for the current step."""
    assert ctx.flow is not None
    step = ctx.flow.step
    draft: dict[str, Any] = dict(ctx.flow.data)
    text = ctx.text
    if step == "time":
        found = parse_time_only(text, draft.get("period"))
        if found is None:
            found_draft = parse(text, ctx.now.date())
            if "hour" not in found_draft:
                return [ctx.say("reminders.bad_time")]
            found = (found_draft["hour"], found_draft["minute"])
        draft.update(hour=found[0], minute=found[1])
    elif step == "month_day":
        number = fold(text).strip().removeprefix("ngay").strip()
        if not number.isdigit() or not 1 <= int(number) <= 31:
            return [ctx.say("reminders.ask_month_day")]
        draft["month_day"] = int(number)
    elif step == "date":
        found_draft = parse(text, ctx.now.date())
        if not found_draft.get("date"):
            return [ctx.say("reminders.bad_date")]
        draft["date"] = found_draft["date"]
        if "hour" in found_draft and "hour" not in draft:
            draft.update(hour=found_draft["hour"], minute=found_draft["minute"])
    elif step == "weekdays":
        days = parse_weekdays(text)
        if not days:
            return [reminders.weekday_prompt(ctx, draft.get("weekdays", []))]
        draft["weekdays"] = days
    elif step == "text":
        draft["text"] = " ".join(text.split())[:200]
    else:  # "kind" or "confirm": a whole new phrase
        found_draft = parse(text, ctx.now.date())
        if set(found_draft) <= {"text"} and reminders.looks_like_question(text):
            ctx.end_flow()  # a question, not a reminder: let the FAQ answer it
            return faq.handle_question(ctx)
        if step == "confirm" or set(found_draft) - {"text"}:
            draft = found_draft
        else:
            draft["text"] = found_draft.get("text", text)[:200]
    return reminders.advance(ctx, draft)


def handle_button(ctx: Context) -> list[Reply]:
    """Handle `rm:` buttons: choices while setting a reminder and actions in the list."""
    parts = ctx.payload.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action in ("s", "p", "r", "x", "xx", "ux"):
        return handle_list_button(ctx)
    if ctx.flow is None or ctx.flow.flow != reminders.FLOW:
        return [ctx.say("core.stale_button")]
    draft: dict[str, Any] = dict(ctx.flow.data)
    value = parts[2] if len(parts) > 2 else ""
    if action == "k" and value in ("once", "daily", "weekly", "monthly"):
        draft["kind"] = value
    elif action == "wd" and value == "ok":
        if not draft.get("weekdays"):
            return [reminders.weekday_prompt(ctx, [])]
    elif action == "wd" and value.isdigit() and int(value) < 7:
        days = set(draft.get("weekdays") or [])
        days ^= {int(value)}
        draft["weekdays"] = sorted(days)
        ctx.set_step("weekdays", draft)
        return [reminders.weekday_prompt(ctx, draft["weekdays"])]
    elif action == "d" and value in ("0", "1"):
        draft["date"] = (ctx.now.date() + timedelta(days=int(value))).isoformat()
    elif action == "t" and _clock_time(value):
        draft.update(hour=int(value[:2]), minute=int(value[2:]))
    elif action == "save" and reminders.missing(draft) == "confirm":
        return reminders.save(ctx, draft)
    elif action == "edit" and ctx.flow.step == "confirm":
        parts = [Button(ctx.t(f"reminders.btn_edit_{p}"), payload=f"rm:e:{p}") for p in _PARTS]
        return [ctx.say("reminders.ask_edit", parts)]
    elif action == "e" and value in _PARTS and ctx.flow.step == "confirm":
        for key in _PARTS[value]:
            draft.pop(key, None)
    elif action == "cancel":
        ctx.end_flow()
        return [ctx.say("reminders.cancelled")]
    else:
        return [ctx.say("core.stale_button")]
    return reminders.advance(ctx, draft)


def _clock_time(value: str) -> bool:
    """Return whether a time button's value is a real time of day, HHMM."""
    return len(value) == 4 and value.isdigit() and int(value[:2]) < 24 and int(value[2:]) < 60
