"""/hoso: show what the bot stores about the citizen and let them correct a field."""

from __future__ import annotations

from bot.cdht import repo as repo_cdht
from bot.context import Context
from bot.messages import Button, Reply, button_rows
from bot.privacy import personal_data
from handlers import register_fields as fields
from handlers.privacy import table_label
from handlers.register_fields import FLOW

# Tables /hoso already describes in full; the rest are summarised by count.
_SHOWN = {"registrations", "consents", "flow_states"}


def handle_profile(ctx: Context) -> list[Reply]:
    """Show the stored registration and other data, with a button per field to correct."""
    return profile_replies(ctx)


def profile_replies(ctx: Context) -> list[Reply]:
    """Return the profile message (used again after an edit)."""
    registration = repo_cdht.get_registration(ctx.session, user_id=ctx.user.id)
    other = other_data(ctx, shown=_SHOWN if registration else set())
    if registration is None:
        buttons = [Button(ctx.t("cdht.btn_register"), payload="cmd:dangky")]
        return [ctx.say("cdht.profile_none", buttons, other=other)]
    consent = repo_cdht.latest_consent(ctx.session, user_id=ctx.user.id)
    consent_date = consent.created_at.astimezone(ctx.app.settings.tz) if consent else None
    text = ctx.t(
        "cdht.profile",
        summary=fields.summary(ctx, fields.values_of(registration)),
        consent_date=f"{consent_date:%d/%m/%Y}" if consent_date else "—",
        consent_version=registration.consent_version,
        other=other,
    )
    buttons = [Button(ctx.t(f"cdht.edit_{step}"), payload=f"hs:{step}") for step in fields.ORDER]
    return [Reply(text, button_rows(buttons, 2))]


def other_data(ctx: Context, shown: set[str]) -> str:
    """Describe the other rows stored about the user (assessments, questions, reminders…)."""
    counts = personal_data.count_rows(ctx.session, user_id=ctx.user.id)
    items = [
        f"{table_label(ctx, table)}: {number}"
        for table, number in counts.items()
        if table not in shown
    ]
    return "\n" + ctx.t("cdht.profile_other", items="; ".join(items)) if items else ""


def handle_edit_button(ctx: Context) -> list[Reply]:
    """Start correcting one field: ask for it again; the answer is saved at once."""
    step = ctx.payload.partition(":")[2]
    if step not in fields.ORDER:
        return [ctx.say("core.stale_button")]
    if repo_cdht.get_registration(ctx.session, user_id=ctx.user.id) is None:
        return profile_replies(ctx)
    ctx.start_flow(FLOW, step, {"mode": "edit", "values": {}})
    return [fields.prompt(ctx, step)]
