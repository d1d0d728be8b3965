"""The citizen's data rights: /taidulieu (download all) and /xoadulieu (delete, withdraw)."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Attachment, Button, Reply
from bot.privacy import personal_data

CONFIRM_MINUTES = 15  # a delete button older than this asks again


def table_label(ctx: Context, table: str) -> str:
    """Return the Vietnamese name of a table, or its own name if content has none."""
    key = f"privacy.table_{table}"
    return ctx.t(key) if key in ctx.app.content.messages else table


def _items(ctx: Context, counts: dict[str, int]) -> str:
    """List row counts per table, one line each, the chat account last."""
    lines = [ctx.t("privacy.item", label=table_label(ctx, t), count=n) for t, n in counts.items()]
    lines.append(ctx.t("privacy.item", label=ctx.t("privacy.account"), count=1))
    return "\n".join(lines)


def handle_export(ctx: Context) -> list[Reply]:
    """Send every row referencing the user (and their users row) as a UTF-8 JSON file."""
    data = personal_data.export_rows(ctx.session, user_id=ctx.user.id)
    consent = ctx.app.content.section("consent")
    agreed = {row["text_version"] for row in data.get("consents", [])}
    export = {
        "exported_at": ctx.now.isoformat(),
        "tables": data,
        "consent_texts": {v: consent.versions[v] for v in sorted(agreed) if v in consent.versions},
    }
    filename = f"du-lieu-cua-toi-{ctx.now:%Y%m%d}.json"
    attachment = Attachment(filename, personal_data.to_json(export))
    return [Reply(ctx.t("privacy.export_caption"), attachment=attachment)]


def handle_delete(ctx: Context) -> list[Reply]:
    """Show what would be deleted and ask for confirmation."""
    counts = personal_data.count_rows(ctx.session, user_id=ctx.user.id)
    stamp = int(ctx.now.timestamp() // 60)
    buttons = [
        Button(ctx.t("privacy.btn_delete_yes"), payload=f"xd:yes:{ctx.user.id}:{stamp}"),
        Button(ctx.t("privacy.btn_delete_no"), payload="xd:no"),
    ]
    if not counts:
        return [ctx.say("privacy.delete_nothing", buttons)]
    text = ctx.t("privacy.delete_confirm", items=_items(ctx, counts), minutes=CONFIRM_MINUTES)
    return [ctx.reply(text, buttons)]


def handle_delete_button(ctx: Context) -> list[Reply]:
    """Delete everything after a fresh confirmation from the same account."""
    parts = ctx.payload.split(":")
    if parts[1:2] != ["yes"]:
        return [ctx.say("privacy.delete_kept")]
    if len(parts) != 4 or parts[2] != str(ctx.user.id) or not parts[3].isdigit():
        return [ctx.say("core.stale_button")]
    if ctx.now.timestamp() // 60 - int(parts[3]) > CONFIRM_MINUTES:
        return [ctx.say("privacy.delete_expired")]
    counts = personal_data.delete_user(ctx.session, user_id=ctx.user.id)
    ctx.flow = None
    text = ctx.t("privacy.deleted", items=_items(ctx, counts))
    return [ctx.reply(text)]
