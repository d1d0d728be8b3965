"""/dangky: consent first, then each field validated, saved as a Công dân học tập registration."""

from __future__ import annotations

from typing import Any

from bot.campaigns import repo as repo_campaigns
from bot.cdht import repo as repo_cdht
from bot.context import Context
from bot.dashboard import steps
from bot.messages import Button, Reply
from handlers import register_fields as fields
from handlers.profile import profile_replies
from handlers.register_fields import FLOW


def handle_register(ctx: Context) -> list[Reply]:
    """Ask for consent, or offer to update an existing registration."""
    registration = repo_cdht.get_registration(ctx.session, user_id=ctx.user.id)
    current = ctx.app.content.section("consent").current
    if registration is not None and registration.consent_version != current:
        ctx.start_flow(FLOW, "consent", {"mode": "reconsent"})
        return [ctx.say("cdht.consent_changed"), consent_request(ctx)]
    if registration is not None:
        summary = fields.summary(ctx, fields.values_of(registration))
        buttons = [
            Button(ctx.t("cdht.btn_edit"), payload="cmd:hoso"),
            Button(ctx.t("cdht.btn_redo"), payload="dk:redo"),
            Button(ctx.t("cdht.btn_assess"), payload="cmd:tudanhgia"),
        ]
        return [ctx.say("cdht.already_registered", buttons, summary=summary)]
    ctx.start_flow(FLOW, "consent", {"mode": "new", "values": {}, **_suggested(ctx)})
    _reached(ctx, "consent")
    return [consent_request(ctx)]


def _suggested(ctx: Context) -> dict[str, Any]:
    """Return the xã/phường of the poster the citizen came from, to offer at the place step."""
    place = repo_campaigns.source_place(ctx.session, user_id=ctx.user.id)
    return {"suggested_place": place} if place else {}


def _reached(ctx: Context, step: str) -> None:
    """Record the step for the drop-off figures of the dashboard."""
    steps.reached(ctx.session, user_id=ctx.user.id, flow=FLOW, step=step, now=ctx.now)


def consent_request(ctx: Context) -> Reply:
    """Return the consent text with yes/no buttons."""
    buttons = [
        Button(ctx.t("cdht.consent_yes"), payload="dk:consent:yes"),
        Button(ctx.t("cdht.consent_no"), payload="dk:consent:no"),
    ]
    return ctx.reply(ctx.app.content.section("consent").text, buttons)


def handle_button(ctx: Context) -> list[Reply]:
    """Handle a registration button: consent, a choice for the current field, or start over."""
    _, kind, value = (ctx.payload.split(":", 2) + [""])[:3]
    if kind == "redo":
        registration = repo_cdht.get_registration(ctx.session, user_id=ctx.user.id)
        consent = ctx.app.content.section("consent").current
        if registration is None or registration.consent_version != consent:
            return handle_register(ctx)
        data = {"mode": "new", "values": {}, "consent": consent, **_suggested(ctx)}
        ctx.start_flow(FLOW, fields.ORDER[0], data)
        _reached(ctx, fields.ORDER[0])
        return [fields.prompt(ctx, fields.ORDER[0])]
    if ctx.flow is None or ctx.flow.flow != FLOW:
        return [ctx.say("core.stale_button")]
    if kind == "consent" and ctx.flow.step == "consent":
        return _consent(ctx, value == "yes")
    if kind != ctx.flow.step and not (kind == "place" and ctx.flow.step == "place_pick"):
        return [ctx.say("core.stale_button")]
    choice = fields.from_button(ctx, kind, value)
    if choice is None:
        return [ctx.say("core.stale_button")]
    return accept(ctx, choice)


def handle_text(ctx: Context) -> list[Reply]:
    """Read typed text for the current step; re-prompt briefly when it is not valid."""
    assert ctx.flow is not None
    step = ctx.flow.step
    if step == "consent":
        answer = fields.parse_yes_no(ctx.text)
        if answer is None:
            return [ctx.say("cdht.consent_reprompt"), consent_request(ctx)]
        return _consent(ctx, answer)
    if step in ("place", "place_pick"):
        return fields.place_candidates(ctx, ctx.text)
    choice = fields.from_text(ctx, step, ctx.text)
    if choice is None:
        return [fields.prompt(ctx, step, bad=True)]
    return accept(ctx, choice)


def _consent(ctx: Context, granted: bool) -> list[Reply]:
    """Record the answer; a no ends here and stores nothing else."""
    version = ctx.app.content.section("consent").current
    repo_cdht.record_consent(
        ctx.session, user_id=ctx.user.id, version=version, granted=granted, now=ctx.now
    )
    if ctx.flow is not None and ctx.flow.data.get("mode") == "reconsent":
        ctx.end_flow()
        registration = repo_cdht.get_registration(ctx.session, user_id=ctx.user.id)
        if granted and registration is not None:
            repo_cdht.update_registration(
                ctx.session,
                registration=registration,
                values={"consent_version": version},
                now=ctx.now,
            )
            return [ctx.say("cdht.consent_renewed")]
        return [ctx.say("cdht.consent_kept_old")]
    if not granted:
        ctx.end_flow()
        return [ctx.say("cdht.consent_refused")]
    data = {"mode": "new", "values": {}, "consent": version, **_suggested(ctx)}
    ctx.set_step(fields.ORDER[0], data)
    _reached(ctx, fields.ORDER[0])
    return [fields.prompt(ctx, fields.ORDER[0])]


def accept(ctx: Context, choice: dict[str, Any]) -> list[Reply]:
    """Keep a valid answer; go to the next field, or save (edit mode saves at once)."""
    assert ctx.flow is not None
    data = dict(ctx.flow.data)
    if data.get("mode") == "edit":
        registration = repo_cdht.get_registration(ctx.session, user_id=ctx.user.id)
        ctx.end_flow()
        if registration is None:
            return [ctx.say("core.stale_button")]
        repo_cdht.update_registration(
            ctx.session, registration=registration, values=choice, now=ctx.now
        )
        return [ctx.say("cdht.edit_done"), *profile_replies(ctx)]
    values = {**data.get("values", {}), **choice}
    step = fields.step_of(choice)
    position = fields.ORDER.index(step)
    if position + 1 < len(fields.ORDER):
        following = fields.ORDER[position + 1]
        ctx.set_step(following, {**data, "values": values})
        _reached(ctx, following)
        return [fields.prompt(ctx, following)]
    ctx.end_flow()
    repo_cdht.save_registration(
        ctx.session,
        user_id=ctx.user.id,
        values=values,
        consent_version=data.get("consent") or ctx.app.content.section("consent").current,
        now=ctx.now,
    )
    _reached(ctx, steps.DONE)
    summary = fields.summary(ctx, values)
    buttons = [Button(ctx.t("cdht.btn_assess"), payload="cmd:tudanhgia")]
    return [ctx.say("cdht.saved", buttons, summary=summary)]
