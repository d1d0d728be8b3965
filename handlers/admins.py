"""/quantri: super-admins manage admins and staff; /tatthongbao and /batthongbao."""

from __future__ import annotations

import re

from bot.admins import auth
from bot.admins import repo as repo_admins
from bot.admins.models import ADMIN, STAFF
from bot.context import Context
from bot.matching.normalize import fold
from bot.messages import MAX_PAYLOAD_BYTES, Button, Reply

_ACCOUNT = re.compile(r"^([a-z]{2,16}):([\w.@-]{1,64})$")
STAFF_WORDS = ("canbo", "can bo")  # folded: `/quantri cán bộ them telegram:123`


# Per role: (audit name, remove-button prefix, added, exists, removed, missing) message keys.
ROLES = {
    ADMIN: ("admins", "rm", "broadcast.admin_added", "broadcast.admin_exists",
            "broadcast.admin_removed", "broadcast.admin_missing"),
    STAFF: ("staff", "rs", "handoff.staff_added", "handoff.staff_exists",
            "handoff.staff_removed", "handoff.staff_missing"),
}  # fmt: skip
BUTTON_ROLES = {entry[1]: role for role, entry in ROLES.items()}


def handle_admins(ctx: Context) -> list[Reply]:
    """List admins or staff, or add (`them kênh:mã`) or remove (`xoa kênh:mã`) one."""
    if not auth.is_super_admin(ctx):
        auth.audit(ctx, "admins", ctx.args, result="refused")
        return [ctx.say("core.not_admin")]
    role, args = ADMIN, ctx.args
    folded = fold(args).lower()
    for word in STAFF_WORDS:
        if folded.startswith(word):
            role, args = STAFF, args[len(word) :].strip()
    verb, _, account = args.partition(" ")
    verb = fold(verb).lower()
    if verb in ("them", "xoa"):
        return _change(ctx, role, verb, account.strip())
    auth.audit(ctx, f"{ROLES[role][0]}.list")
    return [_listing(ctx) if role == ADMIN else _staff_listing(ctx)]


def handle_admin_button(ctx: Context) -> list[Reply]:
    """Handle `qt:rm:<channel:id>` (remove an admin) and `qt:rs:<channel:id>` (staff)."""
    if not auth.is_super_admin(ctx):
        auth.audit(ctx, "admins", ctx.payload, result="refused")
        return [ctx.say("core.not_admin")]
    _, action, account = (ctx.payload.split(":", 2) + ["", ""])[:3]
    if action not in BUTTON_ROLES:
        return [ctx.say("core.stale_button")]
    return _change(ctx, BUTTON_ROLES[action], "xoa", account)


def _remove_buttons(ctx: Context, role: str, accounts: list[str]) -> list[Button]:
    """Return a remove button per account (longer ids: remove by command)."""
    prefix = f"qt:{ROLES[role][1]}:"
    return [
        Button(ctx.t("broadcast.btn_remove_admin", who=who), payload=prefix + who)
        for who in accounts
        if len((prefix + who).encode()) <= MAX_PAYLOAD_BYTES
    ]


def _accounts(ctx: Context, role: str) -> list[str]:
    """Return the `channel:id` of the accounts given the role."""
    return [f"{a.channel}:{a.external_id}" for a in repo_admins.list_role(ctx.session, role=role)]


def _listing(ctx: Context) -> Reply:
    """Show super-admins and added admins, with a remove button for each added one."""
    added = _accounts(ctx, ADMIN)
    none = ctx.t("broadcast.admins_none")
    text = ctx.t(
        "broadcast.admins_list",
        supers=", ".join(ctx.app.settings.admin_ids) or none,
        admins=", ".join(added) or none,
    )
    return ctx.reply(text, _remove_buttons(ctx, ADMIN, added))


def _staff_listing(ctx: Context) -> Reply:
    """Show the accounts with the staff role, with a remove button for each."""
    added = _accounts(ctx, STAFF)
    text = ctx.t("handoff.staff_list", staff=", ".join(added) or ctx.t("broadcast.admins_none"))
    return ctx.reply(text, _remove_buttons(ctx, STAFF, added))


def _change(ctx: Context, role: str, verb: str, account: str) -> list[Reply]:
    """Give or take one account's role and write the audit log."""
    name, _prefix, added, exists, removed, missing = ROLES[role]
    found = _ACCOUNT.match(account)
    action = f"{name}.add" if verb == "them" else f"{name}.remove"
    if found is None:
        auth.audit(ctx, action, account, result="bad_id")
        return [ctx.say("broadcast.admin_bad_id")]
    channel, external_id = found.groups()
    if verb == "them":
        done = repo_admins.grant(
            ctx.session,
            channel=channel,
            external_id=external_id,
            role=role,
            added_by=auth.account_key(ctx),
            now=ctx.now,
        )
        key = added if done else exists
    elif account in ctx.app.settings.admin_ids:
        done, key = False, "broadcast.admin_super"
    else:
        done = repo_admins.revoke(ctx.session, channel=channel, external_id=external_id, role=role)
        key = removed if done else missing
    auth.audit(ctx, action, account, result="ok" if done else "unchanged")
    return [ctx.say(key, who=account)]


def handle_notices_off(ctx: Context) -> list[Reply]:
    """Stop sending this citizen broadcasts (no exceptions)."""
    ctx.user.notices_enabled = False
    return [ctx.say("broadcast.notices_off")]


def handle_notices_on(ctx: Context) -> list[Reply]:
    """Send this citizen broadcasts again."""
    ctx.user.notices_enabled = True
    return [ctx.say("broadcast.notices_on")]
