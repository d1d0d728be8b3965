"""/baocao: past and pending broadcasts with their counts, stopping an open one; audiences."""

from __future__ import annotations

from typing import Any

from bot.admins import auth
from bot.broadcast import repo as repo_broadcasts
from bot.context import Context
from bot.messages import Button, Reply


def handle_report(ctx: Context) -> list[Reply]:
    """List the latest broadcasts with their counts, with a stop button for open ones."""
    broadcasts = repo_broadcasts.recent(ctx.session, limit=10)
    auth.audit(ctx, "broadcast.report", f"{len(broadcasts)} listed")
    if not broadcasts:
        return [ctx.say("broadcast.report_empty")]
    lines = [ctx.t("broadcast.report_intro")]
    stops = []
    for broadcast in broadcasts:
        found = repo_broadcasts.counts(ctx.session, broadcast_id=broadcast.id)
        if broadcast.status in ("done", "cancelled"):
            found.update(
                sent=broadcast.sent_count,
                failed=broadcast.failed_count,
                blocked=broadcast.blocked_count,
            )
        when = broadcast.finished_at or broadcast.started_at or broadcast.scheduled_at
        lines.append(
            ctx.t(
                "broadcast.report_line",
                id=broadcast.id,
                status=ctx.t(f"broadcast.status_{broadcast.status}"),
                when=when.astimezone(ctx.app.settings.tz).strftime("%H:%M %d/%m") if when else "",
                audience=describe(ctx, broadcast.audience),
                sent=found["sent"],
                total=broadcast.total,
                failed=found["failed"],
                blocked=found["blocked"],
            )
        )
        if broadcast.status in repo_broadcasts.OPEN:
            label = f"{ctx.t('broadcast.btn_stop')} #{broadcast.id}"
            stops.append(Button(label, payload=f"bc:stop:{broadcast.id}"))
    return [ctx.reply("\n".join(lines), stops)]


def stop_broadcast(ctx: Context, value: str) -> list[Reply]:
    """Cancel a scheduled or running broadcast (the stop button)."""
    if not value.isdigit():
        return [ctx.say("core.stale_button")]
    broadcast = repo_broadcasts.cancel(ctx.session, broadcast_id=int(value), now=ctx.app.now())
    if broadcast is None:
        auth.audit(ctx, "broadcast.stop", f"#{value}", result="not_open")
        return [ctx.say("broadcast.not_open", id=value)]
    auth.audit(ctx, "broadcast.stop", f"#{value} after {broadcast.sent_count} sent")
    return [ctx.say("broadcast.stopped", id=value, sent=broadcast.sent_count)]


def describe(ctx: Context, spec: dict[str, Any]) -> str:
    """Describe an audience in words."""
    value = spec.get("value")
    if spec.get("kind") == "group" and value:
        value = ctx.t(f"broadcast.group_{value}")
    return ctx.t(f"broadcast.desc_{spec.get('kind')}", value=value)
