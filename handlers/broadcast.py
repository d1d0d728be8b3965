"""/thongbao: compose a notice, choose the audience, preview it, send now or later."""

from __future__ import annotations

import re
from typing import Any

from bot.admins import auth
from bot.broadcast import audience
from bot.broadcast import repo as repo_broadcasts
from bot.broadcast.render import (
    MAX_LINK_BUTTONS,
    TEXT_LIMIT,
    notice_length,
    notice_reply,
    too_long,
)
from bot.broadcast.when import parse_when
from bot.context import Context
from bot.messages import Button, Reply
from handlers.broadcast_reports import describe, stop_broadcast

FLOW = "thongbao"
_URL = re.compile(r"^https://\S{3,500}$")  # links citizens open: https only


def handle_compose(ctx: Context) -> list[Reply]:
    """Start composing a notice."""
    ctx.start_flow(FLOW, "text", {})
    auth.audit(ctx, "broadcast.compose")
    return [ctx.say("broadcast.ask_text")]


def handle_flow(ctx: Context) -> list[Reply]:
    """Take the admin's typed answer for the current step."""
    step = ctx.flow.step if ctx.flow else ""
    data = dict(ctx.flow.data) if ctx.flow else {}
    value = ctx.text.strip()
    if step == "text":
        if too_long(ctx.app.content.messages, value):
            length = notice_length(ctx.app.content.messages, value)
            return [ctx.say("broadcast.too_long", length=length, limit=TEXT_LIMIT)]
        ctx.set_step("attachment", {**data, "text": value})
        return [_ask(ctx, "broadcast.ask_attachment")]
    if step == "attachment":
        if not _URL.match(value):
            return [_ask(ctx, "broadcast.bad_url")]
        ctx.set_step("buttons", {**data, "attachment": value})
        return [_ask(ctx, "broadcast.ask_buttons", limit=MAX_LINK_BUTTONS)]
    if step == "buttons":
        return _take_buttons(ctx, data, value)
    if step in ("place", "topic"):
        find = audience.find_place if step == "place" else audience.find_topic
        found = find(ctx.session, value)
        if found is None:
            return [ctx.say(f"broadcast.{step}_unknown", **{step: value})]
        return _preview(ctx, {**data, "audience": {"kind": step, "value": found}})
    if step == "time":
        return _schedule(ctx, data, value)
    return [ctx.say("broadcast.use_buttons")]


def handle_button(ctx: Context) -> list[Reply]:
    """Handle the compose buttons `bc:<action>[:<value>]`."""
    _, action, value = (ctx.payload.split(":", 2) + ["", ""])[:3]
    if action == "stop":
        return stop_broadcast(ctx, value)
    if ctx.flow is None or ctx.flow.flow != FLOW:
        return [ctx.say("core.stale_button")]
    data = dict(ctx.flow.data)
    step = ctx.flow.step
    if action == "skip" and step == "attachment":
        ctx.set_step("buttons", {**data, "attachment": None})
        return [_ask(ctx, "broadcast.ask_buttons", limit=MAX_LINK_BUTTONS)]
    if action == "skip" and step == "buttons":
        ctx.set_step("audience", {**data, "buttons": []})
        return [_audience_menu(ctx)]
    if action == "aud" and step in ("audience", "place", "topic", "confirm"):
        return _choose_audience(ctx, data, value)
    if action == "grp" and value in audience.GROUPS:
        return _preview(ctx, {**data, "audience": {"kind": "group", "value": value}})
    if action == "now" and step == "confirm":
        return _queue(ctx, data, when=None)
    if action == "later" and step == "confirm":
        ctx.set_step("time")
        return [ctx.say("broadcast.ask_time")]
    if action == "drop":
        ctx.end_flow()
        auth.audit(ctx, "broadcast.drop", data.get("text", "")[:200])
        return [ctx.say("broadcast.dropped")]
    return [ctx.say("core.stale_button")]


def _ask(ctx: Context, key: str, **values: object) -> Reply:
    """Ask for an optional part, with a skip button."""
    return ctx.say(key, [Button(ctx.t("broadcast.btn_skip"), payload="bc:skip")], **values)


def _take_buttons(ctx: Context, data: dict[str, Any], value: str) -> list[Reply]:
    """Parse link buttons, one `Label | https://...` per line."""
    buttons = []
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    for line in lines:
        label, _, url = (part.strip() for part in line.partition("|"))
        if not label or len(label) > 40 or not _URL.match(url) or len(lines) > MAX_LINK_BUTTONS:
            return [_ask(ctx, "broadcast.bad_buttons", line=line[:60], limit=MAX_LINK_BUTTONS)]
        buttons.append([label, url])
    ctx.set_step("audience", {**data, "buttons": buttons})
    return [_audience_menu(ctx)]


def _audience_menu(ctx: Context) -> Reply:
    """Offer the audiences."""
    buttons = [Button(ctx.t(f"broadcast.aud_{k}"), payload=f"bc:aud:{k}") for k in audience.KINDS]
    buttons.append(Button(ctx.t("broadcast.btn_drop"), payload="bc:drop"))
    return ctx.say("broadcast.ask_audience", buttons)


def _choose_audience(ctx: Context, data: dict[str, Any], kind: str) -> list[Reply]:
    """Take an audience button: some need a value first."""
    if kind == "place":
        ctx.set_step("place", data)
        return [ctx.say("broadcast.ask_place")]
    if kind == "group":
        ctx.set_step("audience", data)
        groups = [
            Button(ctx.t(f"broadcast.group_{g}"), payload=f"bc:grp:{g}") for g in audience.GROUPS
        ]
        return [ctx.say("broadcast.ask_group", groups)]
    if kind == "topic":
        names = audience.topics(ctx.session)
        if not names:
            return [ctx.say("broadcast.no_topics"), _audience_menu(ctx)]
        ctx.set_step("topic", data)
        return [ctx.say("broadcast.ask_topic", topics="\n".join(f"• {n}" for n in names))]
    if kind in audience.KINDS:
        return _preview(ctx, {**data, "audience": {"kind": kind, "value": None}})
    return [ctx.say("core.stale_button")]


def _preview(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    """Show the notice exactly as citizens will see it, with the recipient count."""
    count = audience.count(ctx.session, data["audience"])
    if count == 0:
        ctx.set_step("audience", data)
        return [
            ctx.say("broadcast.no_recipients", audience=describe(ctx, data["audience"])),
            _audience_menu(ctx),
        ]
    ctx.set_step("confirm", data)
    choices = [
        Button(ctx.t("broadcast.btn_now"), payload="bc:now"),
        Button(ctx.t("broadcast.btn_later"), payload="bc:later"),
        Button(ctx.t("broadcast.btn_drop"), payload="bc:drop"),
    ]
    return [
        ctx.say("broadcast.preview_intro"),
        _notice(ctx, data),
        ctx.reply(
            ctx.t("broadcast.summary", audience=describe(ctx, data["audience"]), count=count),
            choices,
            per_row=3,
        ),
    ]


def _notice(ctx: Context, data: dict[str, Any]) -> Reply:
    """Build the notice from the flow's data."""
    return notice_reply(
        ctx.app.content.messages,
        text=data["text"],
        attachment_url=data.get("attachment"),
        buttons=data.get("buttons", []),
    )


def _schedule(ctx: Context, data: dict[str, Any], value: str) -> list[Reply]:
    """Queue the notice for the time the admin typed."""
    when = parse_when(value, ctx.now)
    if when is None:
        return [ctx.say("broadcast.bad_time", value=value[:40])]
    if when <= ctx.now:
        return [ctx.say("broadcast.past_time", when=when.strftime("%H:%M %d/%m/%Y"))]
    return _queue(ctx, data, when=when)


def _queue(ctx: Context, data: dict[str, Any], *, when: Any) -> list[Reply]:
    """Create the broadcast; the sender starts it at its time."""
    broadcast = repo_broadcasts.create(
        ctx.session,
        created_by=ctx.user.id,
        now=ctx.app.now(),
        text=data["text"],
        attachment_url=data.get("attachment"),
        buttons=data.get("buttons", []),
        audience=data["audience"],
        scheduled_at=when or ctx.app.now(),
    )
    ctx.end_flow()
    count = audience.count(ctx.session, data["audience"])
    detail = (
        f"#{broadcast.id} to {describe(ctx, data['audience'])} ({count}): {data['text'][:200]}"
    )
    auth.audit(ctx, "broadcast.schedule" if when else "broadcast.send", detail)
    if when is None:
        return [ctx.say("broadcast.queued_now", id=broadcast.id, count=count)]
    return [
        ctx.say("broadcast.queued_later", id=broadcast.id, when=when.strftime("%H:%M %d/%m/%Y"))
    ]
