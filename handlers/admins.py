"""/quantri: super-admins manage admins and staff; /tatthongbao and /batthongbao."""

from __future__ import annotations

import re

from bot.admins import auth
from bot.admins import repo as repo_admins
from bot.context import Context
from bot.handoff import repository as handoff_repo
from bot.matching.normalize import fold
from bot.messages import MAX_PAYLOAD_BYTES, Button, Reply

_ACCOUNT = re.compile(r"^([a-z]{2,16}):([\w.@-]{1,64})$")
STAFF_WORDS = ("canbo", "can bo")  # folded: `/quantri cán bộ them telegram:123`


def handle_admins(ctx: Context) -> list[Reply]:
    """List admins, or add (`them kênh:mã`) or remove (`xoa kênh:mã`) one."""
    if not auth.is_super_admin(ctx):
        auth.audit(ctx, "admins", ctx.args, result="refused")
        return [ctx.say("core.not_admin")]
    folded = fold(ctx.args)
    for word in STAFF_WORDS:
        if folded.lower().startswith(word):
            return _staff(ctx, ctx.args[len(word) :].strip())
    verb, _, account = ctx.args.partition(" ")
    verb = verb.lower().replace("ê", "e").replace("ó", "o")
    if verb in ("them", "xoa"):
        return _change(ctx, verb, account.strip())
    auth.audit(ctx, "admins.list")
    return [_listing(ctx)]


def handle_admin_button(ctx: Context) -> list[Reply]:
    """Handle `qt:rm:<channel:id>` (remove an admin)."""
    if not auth.is_super_admin(ctx):
        auth.audit(ctx, "admins", ctx.payload, result="refused")
        return [ctx.say("core.not_admin")]
    _, action, account = (ctx.payload.split(":", 2) + ["", ""])[:3]
    if action == "rs":
        return _staff(ctx, f"xoa {account}")
    if action != "rm":
        return [ctx.say("core.stale_button")]
    return _change(ctx, "xoa", account)


def _listing(ctx: Context) -> Reply:
    """Show super-admins and added admins, with a remove button for each added one."""
    admins = repo_admins.list_admins(ctx.session)
    none = ctx.t("broadcast.admins_none")
    added = [f"{a.channel}:{a.external_id}" for a in admins]
    text = ctx.t(
        "broadcast.admins_list",
        supers=", ".join(ctx.app.settings.admin_ids) or none,
        admins=", ".join(added) or none,
    )
    buttons = [
        Button(ctx.t("broadcast.btn_remove_admin", who=who), payload=f"qt:rm:{who}")
        for who in added
        if len(f"qt:rm:{who}".encode()) <= MAX_PAYLOAD_BYTES  # longer ids: remove by command
    ]
    return ctx.reply(text, buttons)


def _change(ctx: Context, verb: str, account: str) -> list[Reply]:
    """Add or remove one admin and write the audit log."""
    found = _ACCOUNT.match(account)
    action = "admins.add" if verb == "them" else "admins.remove"
    if found is None:
        auth.audit(ctx, action, account, result="bad_id")
        return [ctx.say("broadcast.admin_bad_id")]
    channel, external_id = found.groups()
    if verb == "them":
        done = repo_admins.add_admin(
            ctx.session,
            channel=channel,
            external_id=external_id,
            added_by=auth.account_key(ctx),
            now=ctx.now,
        )
        key = "broadcast.admin_added" if done else "broadcast.admin_exists"
    elif account in ctx.app.settings.admin_ids:
        done, key = False, "broadcast.admin_super"
    else:
        done = repo_admins.remove_admin(ctx.session, channel=channel, external_id=external_id)
        key = "broadcast.admin_removed" if done else "broadcast.admin_missing"
    auth.audit(ctx, action, account, result="ok" if done else "unchanged")
    return [ctx.say(key, who=account)]


def _staff(ctx: Context, args: str) -> list[Reply]:
    """`/quantri canbo [them|xoa kênh:mã]`: list, add or remove accounts with the staff role."""
    verb, _, account = args.partition(" ")
    verb = fold(verb).lower()
    account = account.strip()
    if verb not in ("them", "xoa"):
        auth.audit(ctx, "staff.list")
        return [_staff_listing(ctx)]
    action = "staff.add" if verb == "them" else "staff.remove"
    found = _ACCOUNT.match(account)
    if found is None:
        auth.audit(ctx, action, account, result="bad_id")
        return [ctx.say("broadcast.admin_bad_id")]
    channel, external_id = found.groups()
    if verb == "them":
        done = handoff_repo.add_staff(
            ctx.session,
            channel=channel,
            external_id=external_id,
            added_by=auth.account_key(ctx),
            now=ctx.now,
        )
        key = "handoff.staff_added" if done else "handoff.staff_exists"
    else:
        done = handoff_repo.remove_staff(ctx.session, channel=channel, external_id=external_id)
        key = "handoff.staff_removed" if done else "handoff.staff_missing"
    auth.audit(ctx, action, account, result="ok" if done else "unchanged")
    return [ctx.say(key, who=account)]


def _staff_listing(ctx: Context) -> Reply:
    """Show the accounts with the staff role, with a remove button for each."""
    added = [f"{s.channel}:{s.external_id}" for s in handoff_repo.list_staff(ctx.session)]
    text = ctx.t("handoff.staff_list", staff=", ".join(added) or ctx.t("broadcast.admins_none"))
    buttons = [
        Button(ctx.t("broadcast.btn_remove_admin", who=who), payload=f"qt:rs:{who}")
        for who in added
        if len(f"qt:rs:{who}".encode()) <= MAX_PAYLOAD_BYTES
    ]
    return ctx.reply(text, buttons)


def handle_notices_off(ctx: Context) -> list[Reply]:
    """Stop sending this citizen broadcasts (no exceptions)."""
    ctx.user.notices_enabled = False
    return [ctx.say("broadcast.notices_off")]


def handle_notices_on(ctx: Context) -> list[Reply]:
    """Send this citizen broadcasts again."""
    ctx.user.notices_enabled = True
    return [ctx.say("broadcast.notices_on")]
