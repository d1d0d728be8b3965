"""/nhantinsdt: the citizen's optional consent to notices by ZNS beyond Zalo's 7-day window."""

from __future__ import annotations

from bot.cdht import repo as repo_cdht
from bot.cdht.fields import format_phone
from bot.context import Context
from bot.db import repo_audit, repo_zalo
from bot.messages import Button, Reply

OA_CHANNEL = repo_zalo.OA_CHANNEL


def handle_command(ctx: Context) -> list[Reply]:
    """Explain ZNS notices and ask, or show the consent already given with a way to withdraw."""
    if ctx.incoming.channel != OA_CHANNEL:
        return [ctx.say("zns.only_zalo")]
    consent = repo_zalo.get_consent(ctx.session, user_id=ctx.user.id)
    if consent is not None:
        off = Button(ctx.t("zns.btn_off"), payload="zns:off")
        return [ctx.say("zns.already", [off], phone=format_phone(consent.phone))]
    phone = _phone(ctx)
    if phone is None:
        return [ctx.say("zns.no_phone", [Button(ctx.t("zns.btn_profile"), payload="cmd:hoso")])]
    buttons = [
        Button(ctx.t("zns.btn_yes"), payload="zns:yes"),
        Button(ctx.t("zns.btn_no"), payload="zns:no"),
    ]
    return [ctx.say("zns.ask", buttons, phone=format_phone(phone))]


def handle_button(ctx: Context) -> list[Reply]:
    """Store the consent for the phone in the profile, or withdraw it."""
    if ctx.incoming.channel != OA_CHANNEL:
        return [ctx.say("zns.only_zalo")]
    answer = ctx.payload.partition(":")[2]
    if answer == "yes":
        phone = _phone(ctx)
        if phone is None:
            return [ctx.say("zns.no_phone")]
        repo_zalo.set_consent(ctx.session, user_id=ctx.user.id, phone=phone, now=ctx.now)
        _audit(ctx, "zns_consent_given")
        return [ctx.say("zns.agreed", phone=format_phone(phone))]
    if answer in ("no", "off"):
        had = repo_zalo.get_consent(ctx.session, user_id=ctx.user.id) is not None
        repo_zalo.set_consent(ctx.session, user_id=ctx.user.id, phone=None, now=ctx.now)
        if had:
            _audit(ctx, "zns_consent_withdrawn")
        return [ctx.say("zns.declined")]
    return [ctx.say("core.stale_button")]


def _phone(ctx: Context) -> str | None:
    """Return the mobile number the citizen gave when registering, if any."""
    registration = repo_cdht.get_registration(ctx.session, user_id=ctx.user.id)
    return registration.phone if registration is not None and registration.phone else None


def _audit(ctx: Context, action: str) -> None:
    """Record a consent change (who and when; never the phone number)."""
    repo_audit.audit(
        ctx.session,
        who=f"{ctx.incoming.channel}:{ctx.incoming.user_id}",
        action=action,
        detail="",
        result="ok",
        now=ctx.now,
    )
