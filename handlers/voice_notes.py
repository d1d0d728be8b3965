"""Voice notes: show what was heard, then answer it as typed text once the citizen confirms."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Button, Reply
from bot.voice import jobs, pending

PREFIX = "vc"
YES, NO = "ok", "no"
MAX_SHOWN = 1000


def handle_voice(ctx: Context) -> list[Reply]:
    """Queue a new voice note; offer a heard one for confirmation, or say why it was not heard."""
    audio = ctx.incoming.audio
    if audio is None or ctx.app.voice is None:
        return [ctx.say("core.text_only")]
    limit = ctx.app.settings.voice_max_seconds
    if audio.problem == "too_long" or (audio.seconds or 0) > limit:
        return [ctx.say("voice.too_long", seconds=limit)]  # known before any download
    if audio.transcript is None and audio.problem is None:
        jobs.add(ctx.session, user_id=ctx.user.id, incoming=ctx.incoming, now=ctx.now)
        return []  # a voice worker hears it and sends the transcript to confirm
    if audio.problem is not None:
        key = f"voice.{audio.problem}"
        return [ctx.say(key if key in ctx.app.content.messages else "voice.unavailable")]
    heard = " ".join((audio.transcript or "").split())[:MAX_SHOWN]
    if not heard:
        return [ctx.say("voice.not_heard")]
    token = pending.offer(ctx.session, user_id=ctx.user.id, text=heard, now=ctx.now)
    buttons = [
        Button(ctx.t("voice.btn_yes"), payload=f"{PREFIX}:{YES}:{token}"),
        Button(ctx.t("voice.btn_retype"), payload=f"{PREFIX}:{NO}:{token}"),
    ]
    return [ctx.say("voice.heard", buttons, heard=heard)]


def handle_button(ctx: Context) -> list[Reply]:
    """"✅ Đúng" answers the transcript as if typed; "✏️ Không" asks to type; else: stale."""
    _prefix, action, token = (ctx.payload.split(":") + ["", ""])[:3]
    if action not in (YES, NO):
        return [ctx.say("voice.stale")]
    text = pending.take(ctx.session, user_id=ctx.user.id, token=token, now=ctx.now)
    if text is None:
        return [ctx.say("voice.stale")]
    if action == NO:
        return [ctx.say("voice.retype")]
    return ctx.app.dispatcher.as_typed(ctx, text)
