"""Who may use admin commands, and the audit trail of what admins did."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.admins import repo as repo_admins
from bot.db import repo_audit

if TYPE_CHECKING:
    from bot.context import Context
    from bot.routing import Route

log = logging.getLogger(__name__)


def account_key(ctx: Context) -> str:
    """Return the user's `channel:external_id`, the form used in ADMIN_IDS and the audit log."""
    return f"{ctx.user.channel}:{ctx.user.external_id}"


def is_super_admin(ctx: Context) -> bool:
    """Return whether the user is a super-admin from ADMIN_IDS."""
    return account_key(ctx) in ctx.app.settings.admin_ids


def is_admin(ctx: Context) -> bool:
    """Return whether the user is a super-admin or an admin added with /quantri."""
    return is_super_admin(ctx) or repo_admins.is_db_admin(
        ctx.session, channel=ctx.user.channel, external_id=ctx.user.external_id
    )


def audit(ctx: Context, action: str, detail: str = "", result: str = "ok") -> None:
    """Write one admin action to the audit log, in the message's transaction."""
    repo_audit.audit(
        ctx.session,
        who=account_key(ctx),
        action=action,
        detail=detail,
        result=result,
        now=ctx.now,
    )


def record_refusal(ctx: Context, route: Route) -> None:
    """Log a refused attempt at an admin command to the audit log."""
    log.warning("admin command %s refused for %s", route.key, account_key(ctx))
    audit(ctx, f"{route.kind}:{route.key}", ctx.text or ctx.payload, result="refused")
