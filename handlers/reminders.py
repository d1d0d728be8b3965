"""/nhacnho: set a reminder with buttons or in plain Vietnamese, confirm, then save."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from bot.context import Context
from bot.messages import Button, Reply, button_rows
from bot.reminders import repo as repo_reminders
from bot.reminders.models import Reminder
from bot.reminders.parse import fold, parse
from bot.reminders.recurrence import Rule, next_occurrence

FLOW = "nhacnho"
TIME_CHOICES = ("0600", "0700", "1200", "1700", "1900", "2000")
_TRIGGER = re.compile(r"^\s*(?:nhac\s+(?:toi|tui|minh|giup|gium|dum)|dat\s+(?:loi\s+)?nhac)\b")
_QUESTION = re.compile(
    r"\?|\b(?:lam\s+sao|the\s+nao|nhu\s+nao|cach|huong\s+dan|duoc\s+khong|duoc\s+ko|"
    r"co\s+the|o\s+dau|la\s+gi)\b|"
    # Managing reminders ("xem lịch nhắc", "tắt lời nhắc hằng tuần") is a question too.
    r"\b(?:xem|xoa|huy|tat|tam\s+dung|bo|sua|doi)\s+(?:cac\s+)?(?:loi\s+nhac|lich\s+nhac|nhac\s+nho)"
)
_HAS_WHEN = re.compile(
    r"\d\s*(?:h|g|gio|:)|\d{1,2}/\d{1,2}|\b(?:hang|moi)\s+(?:ngay|tuan|thang|sang|toi)\b|"
    r"\bthu\s+(?:[2-7]|hai|ba|tu|nam|sau|bay)\b|\bngay\s+mai\b"
)


def looks_like_question(text: str) -> bool:
    """Whether text asks something (about reminders or anything else) rather than sets one."""
    return bool(_QUESTION.search(fold(text)))


def is_reminder_request(ctx: Context) -> bool:
    """Whether free text asks for a reminder ("nhắc tôi ..."), not a question about reminders."""
    folded = fold(ctx.text)
    if looks_like_question(ctx.text):
        return False
    if _TRIGGER.match(folded):
        return True
    return bool(re.search(r"\bnhac\b", folded) and _HAS_WHEN.search(folded))


def handle_command(ctx: Context) -> list[Reply]:
    """Start setting a reminder; text after the command is read as the reminder."""
    if ctx.args:
        return _start_from_text(ctx, ctx.args)
    if _too_many(ctx):
        return [ctx.say("reminders.too_many", limit=ctx.app.settings.reminder_max_per_user)]
    ctx.start_flow(FLOW, "kind", {})
    return [ctx.reply(ctx.t("reminders.intro"), kind_buttons(ctx), per_row=2)]


def handle_text_request(ctx: Context) -> list[Reply]:
    """Read a reminder written outside the flow ("nhắc tôi ... 20h thứ 3")."""
    return _start_from_text(ctx, ctx.text)


def _start_from_text(ctx: Context, text: str) -> list[Reply]:
    """Parse a whole phrase and continue with whatever is still missing."""
    if _too_many(ctx):
        return [ctx.say("reminders.too_many", limit=ctx.app.settings.reminder_max_per_user)]
    draft = parse(text, ctx.now.date())
    ctx.start_flow(FLOW, "kind", {})
    return advance(ctx, draft)


def _too_many(ctx: Context) -> bool:
    """Whether the citizen already has the most reminders allowed."""
    count = repo_reminders.count_active(ctx.session, user_id=ctx.user.id)
    return count >= ctx.app.settings.reminder_max_per_user


def kind_buttons(ctx: Context) -> list[Button]:
    """Return the once / daily / weekly / monthly buttons."""
    kinds = ("once", "daily", "weekly", "monthly")
    return [Button(ctx.t(f"reminders.btn_{k}"), payload=f"rm:k:{k}") for k in kinds]


def _complete(ctx: Context, draft: dict[str, Any]) -> None:
    """Fill in what a phrase implies: a time alone means today, or tomorrow if it has passed."""
    if not draft.get("kind") and "hour" in draft and not draft.get("date"):
        draft["kind"] = "once"
        at = time(draft["hour"], draft["minute"])
        today = ctx.now.date()
        day = today if at > ctx.now.time() else date.fromordinal(today.toordinal() + 1)
        draft["date"] = day.isoformat()


def missing(draft: dict[str, Any]) -> str:
    """Return the next step: the first thing the reminder still lacks, or confirm."""
    kind = draft.get("kind")
    if not kind:
        return "kind"
    if kind == "weekly" and not draft.get("weekdays"):
        return "weekdays"
    if kind == "monthly" and not draft.get("month_day"):
        return "month_day"
    if kind == "once" and not draft.get("date"):
        return "date"
    if "hour" not in draft:
        return "time"
    if not draft.get("text"):
        return "text"
    return "confirm"


def advance(ctx: Context, draft: dict[str, Any], notes: tuple[str, ...] = ()) -> list[Reply]:
    """Save the draft in the flow and ask for the next missing piece (or confirm)."""
    prefix = [ctx.say(key) for key in notes]
    if draft.pop("bad_date", False):
        prefix.append(ctx.say("reminders.bad_date"))
    if draft.pop("bad_time", False):
        prefix.append(ctx.say("reminders.bad_time"))
    _complete(ctx, draft)
    step = missing(draft)
    if step == "confirm" and _due_of(ctx, draft) is None:
        draft.pop("hour", None)
        draft.pop("minute", None)
        prefix.append(ctx.say("reminders.time_passed"))
        step = "time"
    ctx.set_step(step, dict(draft))
    return prefix + [_prompt(ctx, step, draft)]


def _prompt(ctx: Context, step: str, draft: dict[str, Any]) -> Reply:
    """Return the question of a step with its buttons."""
    if step == "kind":
        return ctx.reply(ctx.t("reminders.ask_kind"), kind_buttons(ctx), per_row=2)
    if step == "weekdays":
        return weekday_prompt(ctx, draft.get("weekdays", []))
    if step == "month_day":
        return ctx.say("reminders.ask_month_day")
    if step == "date":
        buttons = [
            Button(ctx.t("reminders.btn_today"), payload="rm:d:0"),
            Button(ctx.t("reminders.btn_tomorrow"), payload="rm:d:1"),
        ]
        return ctx.reply(ctx.t("reminders.ask_date"), buttons, per_row=2)
    if step == "time":
        buttons = [Button(f"{c[:2]}:{c[2:]}", payload=f"rm:t:{c}") for c in TIME_CHOICES]
        return ctx.reply(ctx.t("reminders.ask_time"), buttons, per_row=3)
    if step == "text":
        return ctx.say("reminders.ask_text")
    summary = describe(ctx, draft)
    text = ctx.t("reminders.confirm", summary=summary)
    if Rule(draft["kind"], draft["hour"], draft["minute"]).quiet:
        text += "\n" + ctx.t("reminders.quiet_note")
    buttons = [
        Button(ctx.t("reminders.btn_save"), payload="rm:save"),
        Button(ctx.t("reminders.btn_edit"), payload="rm:edit"),
        Button(ctx.t("reminders.btn_cancel"), payload="rm:cancel"),
    ]
    return ctx.reply(text, buttons, per_row=3)


def weekday_prompt(ctx: Context, chosen: list[int]) -> Reply:
    """Ask for weekdays: one toggle button per day, ticked when chosen, and Done."""
    short = ctx.t("reminders.weekday_short").split("|")
    buttons = [
        Button(("✓ " if day in chosen else "") + short[day], payload=f"rm:wd:{day}")
        for day in range(7)
    ]
    text = ctx.t("reminders.ask_weekdays")
    if chosen:
        text += "\n" + ctx.t("reminders.chosen_weekdays", days=weekday_names(ctx, chosen))
    rows = button_rows(buttons, 4) + button_rows(
        [Button(ctx.t("reminders.btn_done"), payload="rm:wd:ok")]
    )
    return Reply(text, rows)


def weekday_names(ctx: Context, days: list[int]) -> str:
    """Return "thứ Hai, thứ Tư và thứ Sáu"."""
    names = [ctx.t("reminders.weekday_names").split("|")[d] for d in sorted(days)]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {ctx.t('reminders.and')} " + names[-1]


def rule_from(draft: dict[str, Any]) -> Rule:
    """Build the recurrence rule of a complete draft."""
    return Rule(
        kind=draft["kind"],
        hour=draft["hour"],
        minute=draft["minute"],
        weekdays=tuple(sorted(draft.get("weekdays") or [])),
        month_day=draft.get("month_day"),
        once_date=date.fromisoformat(draft["date"]) if draft.get("date") else None,
    )


def describe(ctx: Context, draft: dict[str, Any]) -> str:
    """Say a reminder the way a citizen reads it: "Mỗi thứ Ba lúc 20:00: học tiếng Anh"."""
    values = {"time": f"{draft['hour']:02d}:{draft['minute']:02d}", "text": draft["text"]}
    kind = draft["kind"]
    if kind == "once":
        values["date"] = date.fromisoformat(draft["date"]).strftime("%d/%m/%Y")
    elif kind == "weekly":
        values["days"] = weekday_names(ctx, draft["weekdays"])
    elif kind == "monthly":
        values["day"] = str(draft["month_day"])
    return ctx.t(f"reminders.desc_{kind}", **values)


def _due_of(ctx: Context, draft: dict[str, Any]) -> datetime | None:
    """Return the first occurrence of a complete draft, or None when it lies in the past."""
    return next_occurrence(rule_from(draft), ctx.app.now(), ctx.app.settings.tz)


def save(ctx: Context, draft: dict[str, Any]) -> list[Reply]:
    """Store the confirmed reminder and leave the flow."""
    if _too_many(ctx):
        ctx.end_flow()
        return [ctx.say("reminders.too_many", limit=ctx.app.settings.reminder_max_per_user)]
    due = _due_of(ctx, draft)
    if due is None:
        return advance(ctx, draft)
    ctx.session.add(
        Reminder(
            user_id=ctx.user.id,
            text=draft["text"][:200],
            kind=draft["kind"],
            weekdays=",".join(str(d) for d in sorted(draft.get("weekdays") or [])),
            month_day=draft.get("month_day"),
            once_date=draft.get("date") if draft["kind"] == "once" else None,
            hour=draft["hour"],
            minute=draft["minute"],
            next_due_at=due,
            created_at=ctx.app.now(),
        )
    )
    ctx.end_flow()
    return [ctx.say("reminders.saved", summary=describe(ctx, draft))]
