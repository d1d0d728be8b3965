"""The notices pages: compose with a live count, preview as a phone shows it, send, follow, stop.

Notices go through the broadcast feature (its queue and sender); nothing is sent from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.broadcast import audience, compose
from bot.broadcast import repo as repo_broadcasts
from bot.broadcast.models import Broadcast
from bot.broadcast.render import MAX_LINK_BUTTONS, notice_reply
from bot.cdht.models import Registration
from bot.console.web_common import audit_in, back, checked_form, deps_of, render, signed_in

PERMISSION = "notices"
FIELDS = ("text", "attachment", "buttons", "kind", "value", "when")
LIVE = ("scheduled", "sending")  # the progress page refreshes itself while a notice is live


def _choices(request: Request) -> dict[str, Any]:
    """Return what the audience fields offer: registered places, groups and followed topics."""
    with deps_of(request).sessions() as session:
        places = sorted(set(session.scalars(select(Registration.place_name).distinct())))
        topics = audience.topics(session)
    return {"places": places, "groups": audience.GROUPS, "topics": topics, "kinds": audience.KINDS}


async def compose_page(request: Request, values: dict[str, str] | None = None) -> Response:
    """Show the compose form (filled in again when coming back from the preview)."""
    signed_in(request, PERMISSION)
    return render(
        request, "notice_new.html", values=values or {"kind": "all"}, problems=[],
        max_buttons=MAX_LINK_BUTTONS, **_choices(request),
    )  # fmt: skip


async def count(request: Request) -> Response:
    """Return the live recipient count of an audience (the compose form asks as it changes)."""
    signed_in(request, PERMISSION)
    deps = deps_of(request)
    spec = {
        "kind": request.query_params.get("kind", ""),
        "value": request.query_params.get("value") or None,
    }
    if spec["kind"] not in audience.KINDS:
        return JSONResponse({"count": 0, "zalo_outside": 0})
    with deps.sessions() as session:
        total, outside = compose.reach(session, spec, now=deps.clock())
    return JSONResponse({"count": total, "zalo_outside": outside})


def _draft(request: Request, form: Any) -> tuple[compose.Draft, dict[str, str]]:
    """Read the draft from a posted form."""
    values = {name: str(form.get(name) or "") for name in FIELDS}
    content, _ = deps_of(request).live()
    draft = compose.read_draft(
        content.messages, text=values["text"], attachment=values["attachment"],
        buttons=values["buttons"], kind=values["kind"], value=values["value"],
    )  # fmt: skip
    return draft, values


async def preview(request: Request) -> Response:
    """Show the notice as a phone will, the recipients, and the send / schedule buttons."""
    signed_in(request, PERMISSION)
    form = await checked_form(request)
    if form.get("edit"):
        return await compose_page(request, {name: str(form.get(name) or "") for name in FIELDS})
    draft, values = _draft(request, form)
    deps = deps_of(request)
    total = outside = 0
    if not draft.problems:
        with deps.sessions() as session:
            total, outside = compose.reach(session, draft.audience, now=deps.clock())
        if total == 0:
            draft.problems.append("Nhóm người nhận này hiện chưa có ai nhận được thông báo.")
    if draft.problems:
        return render(
            request, "notice_new.html", status=400, values=values, problems=draft.problems,
            max_buttons=MAX_LINK_BUTTONS, **_choices(request),
        )  # fmt: skip
    content, _ = deps.live()
    reply = notice_reply(
        content.messages, text=draft.text, attachment_url=draft.attachment_url,
        buttons=draft.buttons,
    )  # fmt: skip
    return render(
        request, "notice_preview.html", values=values, reply=reply, total=total,
        outside=outside, audience=describe(content.messages.text, draft.audience),
    )  # fmt: skip


def describe(t: Any, spec: dict[str, Any]) -> str:
    """Describe an audience in words, as /thongbao does."""
    value = spec.get("value")
    if spec.get("kind") == "group" and value:
        value = t(f"broadcast.group_{value}")
    return t(f"broadcast.desc_{spec.get('kind')}", value=value)


def _when(request: Request, text: str) -> datetime | None:
    """Read a local date and time from the form (yyyy-mm-ddThh:mm), or None."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=deps_of(request).settings.tz) if moment.tzinfo is None else moment


async def send(request: Request) -> Response:
    """Queue the notice now or for its time; the broadcast sender does the sending."""
    signed_in(request, PERMISSION)
    form = await checked_form(request)
    draft, values = _draft(request, form)
    deps = deps_of(request)
    now = deps.clock()
    when = None
    if form.get("schedule"):
        when = _when(request, values["when"])
        if when is None or when <= now:
            draft.problems.append("Giờ hẹn chưa đúng hoặc đã qua; Anh/Chị chọn lại ngày giờ.")
    if draft.problems:
        return render(
            request, "notice_new.html", status=400, values=values, problems=draft.problems,
            max_buttons=MAX_LINK_BUTTONS, **_choices(request),
        )  # fmt: skip
    content, _ = deps.live()
    with deps.sessions.begin() as session:
        total, _ = compose.reach(session, draft.audience, now=now)
        broadcast = repo_broadcasts.create(
            session, created_by=None, now=now, text=draft.text,  # type: ignore[arg-type]
            attachment_url=draft.attachment_url, buttons=draft.buttons,
            audience=draft.audience, scheduled_at=when or now,
        )  # fmt: skip
        detail = f"#{broadcast.id} to {describe(content.messages.text, draft.audience)} ({total})"
        action = "broadcast.schedule" if when else "broadcast.send"
        audit_in(session, request, action, f"{detail}: {draft.text[:200]}")
        number = broadcast.id
    return back(request, f"/notices/{number}", "notice_scheduled" if when else "notice_queued")


def _progress(request: Request, broadcast: Broadcast, found: dict[str, int]) -> dict[str, Any]:
    """Return the counts a notice's page shows, with the time left at the sending rate."""
    if broadcast.status in ("done", "cancelled"):
        found = {**found, "sent": broadcast.sent_count, "failed": broadcast.failed_count,
                 "blocked": broadcast.blocked_count}  # fmt: skip
    left = found.get("pending", 0) + found.get("sending", 0)
    seconds = left / deps_of(request).settings.send_rate
    shown = {k: v for k, v in found.items() if k not in ("pending", "sending")}
    total = broadcast.total or sum(found.values())
    return {"counts": shown, "left": left, "seconds": round(seconds), "total": total,
            "done": total - left}  # fmt: skip


async def notice_list(request: Request) -> Response:
    """List the latest notices with their text, audience, status and counts."""
    signed_in(request, PERMISSION)
    deps = deps_of(request)
    content, _ = deps.live()
    with deps.sessions() as session:
        rows = [
            (b, _progress(request, b, repo_broadcasts.counts(session, broadcast_id=b.id)))
            for b in repo_broadcasts.recent(session, limit=20)
        ]
    return render(
        request, "notices.html", rows=rows, tz=deps.settings.tz,
        describe=lambda spec: describe(content.messages.text, spec),
    )  # fmt: skip


async def notice_page(request: Request) -> Response:
    """Show one notice: its text as sent, live progress and a stop button while open."""
    signed_in(request, PERMISSION)
    deps = deps_of(request)
    content, _ = deps.live()
    with deps.sessions() as session:
        broadcast = session.get(Broadcast, request.path_params["number"])
        if broadcast is None:
            raise HTTPException(404, "not_found")
        progress = _progress(
            request, broadcast, repo_broadcasts.counts(session, broadcast_id=broadcast.id)
        )
    reply = notice_reply(
        content.messages, text=broadcast.text, attachment_url=broadcast.attachment_url,
        buttons=broadcast.buttons,
    )  # fmt: skip
    return render(
        request, "notice.html", broadcast=broadcast, reply=reply, tz=deps.settings.tz,
        audience=describe(content.messages.text, broadcast.audience),
        live=broadcast.status in LIVE, open=broadcast.status in repo_broadcasts.OPEN, **progress,
    )  # fmt: skip


async def stop(request: Request) -> Response:
    """Stop a scheduled or running notice."""
    signed_in(request, PERMISSION)
    await checked_form(request)
    number = request.path_params["number"]
    deps = deps_of(request)
    with deps.sessions.begin() as session:
        stopped = repo_broadcasts.cancel(session, broadcast_id=number, now=deps.clock())
        detail = f"#{number} after {stopped.sent_count} sent" if stopped else f"#{number}"
        audit_in(session, request, "broadcast.stop", detail)
    return back(request, f"/notices/{number}", "notice_stopped" if stopped else "notice_not_open")
