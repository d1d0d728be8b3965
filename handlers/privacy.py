"""The citizen's data rights: /taidulieu (download all) and /xoadulieu (delete, withdraw)."""

from __future__ import annotations

from bot.cdht import repo as repo_cdht
from bot.cdht.fields import format_phone
from bot.context import Context
from bot.db.session import scrub_deleted
from bot.messages import Attachment, Button, Reply
from bot.privacy import export, files, personal_data

CONFIRM_MINUTES = 15  # a delete button older than this asks again


def table_label(ctx: Context, table: str) -> str:
    """Return the Vietnamese name of a table, or its own name if content has none."""
    key = f"privacy.table_{table}"
    return ctx.t(key) if key in ctx.app.content.messages else table


def column_label(ctx: Context, column: str) -> str:
    """Return the Vietnamese name of a column, or its own name if content has none."""
    key = f"privacy_fields.{column}"
    return ctx.t(key) if key in ctx.app.content.messages else column


def _items(ctx: Context, counts: dict[str, int]) -> str:
    """List row counts per table, one line each, the chat account last."""
    lines = [ctx.t("privacy.item", label=table_label(ctx, t), count=n) for t, n in counts.items()]
    lines.append(ctx.t("privacy.item", label=ctx.t("privacy.account"), count=1))
    return "\n".join(lines)


def _kept(ctx: Context) -> str:
    """Describe the shared records deletion keeps, detached from the person."""
    kept = personal_data.count_rows(ctx.session, user_id=ctx.user.id, kept=True)
    lines = [ctx.t("privacy.item", label=table_label(ctx, t), count=n) for t, n in kept.items()]
    return "\n\n" + ctx.t("privacy.delete_keeps", items="\n".join(lines)) if lines else ""


def handle_export(ctx: Context) -> list[Reply]:
    """Send every row about the user as a UTF-8 JSON file with Vietnamese labels."""
    data = personal_data.export_rows(ctx.session, user_id=ctx.user.id, needles=_identifying(ctx))
    consent = ctx.app.content.section("consent")
    agreed = {row["text_version"] for row in data.get("consents", [])}
    zone = ctx.app.settings.tz
    document = {
        ctx.t("privacy.export_time"): export.local(ctx.now, zone),
        ctx.t("privacy.export_zone"): ctx.t("privacy.export_zone_value"),
        ctx.t("privacy.export_data"): export.labelled(
            data, lambda t: table_label(ctx, t), lambda c: column_label(ctx, c), zone
        ),
        ctx.t("privacy.export_consents"): {
            v: consent.versions[v] for v in sorted(agreed) if v in consent.versions
        },
    }
    filename = files.export_name(ctx.user.id, ctx.now)
    attachment = Attachment(filename, personal_data.to_json(document))
    return [Reply(ctx.t("privacy.export_caption"), attachment=attachment)]


def handle_delete(ctx: Context) -> list[Reply]:
    """Show what would be deleted (and what official records stay) and ask to confirm."""
    counts = personal_data.count_all(ctx.session, user=ctx.user, needles=_identifying(ctx))
    stamp = int(ctx.now.timestamp() // 60)
    buttons = [
        Button(ctx.t("privacy.btn_delete_yes"), payload=f"xd:yes:{ctx.user.id}:{stamp}"),
        Button(ctx.t("privacy.btn_delete_no"), payload="xd:no"),
    ]
    if not counts:
        return [ctx.say("privacy.delete_nothing", buttons)]
    text = ctx.t("privacy.delete_confirm", items=_items(ctx, counts), minutes=CONFIRM_MINUTES)
    return [ctx.reply(text + _kept(ctx), buttons)]


def handle_delete_button(ctx: Context) -> list[Reply]:
    """Delete everything after a fresh confirmation from the same account."""
    parts = ctx.payload.split(":")
    if parts[1:2] != ["yes"]:
        return [ctx.say("privacy.delete_kept")]
    if len(parts) != 4 or parts[2] != str(ctx.user.id) or not parts[3].isdigit():
        return [ctx.say("core.stale_button")]
    if ctx.now.timestamp() // 60 - int(parts[3]) > CONFIRM_MINUTES:
        return [ctx.say("privacy.delete_expired")]
    kept = _kept(ctx)
    needles = _identifying(ctx)
    user_id = ctx.user.id
    files.purge_links(ctx.session, user_id=user_id, needles=needles)
    counts = personal_data.delete_user(ctx.session, user_id=user_id, needles=needles)
    ctx.flow = None
    folder, connection = ctx.app.settings.files_dir, ctx.session.connection()
    ctx.after_commit(lambda: files.purge(folder, user_id=user_id, needles=needles))
    ctx.after_commit(lambda: scrub_deleted(connection))
    text = ctx.t("privacy.deleted", items=_items(ctx, counts))
    return [ctx.reply(text + kept)]


def _identifying(ctx: Context) -> list[str]:
    """Return what identifies the person in a file: name, phone (both forms), account id."""
    found = [ctx.user.external_id, ctx.user.display_name]
    registration = repo_cdht.get_registration(ctx.session, user_id=ctx.user.id)
    if registration is not None:
        found += [registration.full_name, registration.phone or ""]
        found.append(format_phone(registration.phone))
    return found
