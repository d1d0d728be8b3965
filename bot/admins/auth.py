"""Who may use admin commands, and the audit trail of what admins did."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.admins import repo as repo_admins
from bot.db import repo_audit
from bot.logs import pseudonym

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.db.models import User
    from bot.parts import Parts

log = logging.getLogger(__name__)


class Caller(Protocol):
    """What the checks read of a message's Context, handed down so they never import it."""

    @property
    def app(self) -> Parts:
        """The app's shared parts (settings for ADMIN_IDS)."""
        ...

    @property
    def session(self) -> Session:
        """The message's database session."""
        ...

    @property
    def user(self) -> User:
        """The user who sent the message."""
        ...

    @property
    def now(self) -> datetime:
        """When the message is handled."""
        ...

    @property
    def text(self) -> str:
        """The message's text."""
        ...

    @property
    def payload(self) -> str:
        """The pressed button's payload, or an empty string."""
        ...


def account_key(ctx: Caller) -> str:
    """Return the user's `channel:external_id`, the form used in ADMIN_IDS and the audit log."""
    return f"{ctx.user.channel}:{ctx.user.external_id}"


def is_super_admin(ctx: Caller) -> bool:
    """Return whether the user is a super-admin from ADMIN_IDS."""
    return account_key(ctx) in ctx.app.settings.admin_ids


def is_admin(ctx: Caller) -> bool:
    """Return whether the user is a super-admin or an admin added with /quantri."""
    return is_super_admin(ctx) or repo_admins.is_db_admin(
        ctx.session, channel=ctx.user.channel, external_id=ctx.user.external_id
    )


def audit(ctx: Caller, action: str, detail: str = "", result: str = "ok") -> None:
    """Write one admin action to the audit log, in the message's transaction."""
    repo_audit.audit(
        ctx.session,
        who=account_key(ctx),
        action=action,
        detail=detail,
        result=result,
        now=ctx.now,
    )


def record_refusal(ctx: Caller, *, kind: str, key: str) -> None:
    """Log a refused attempt at the admin route `kind:key` to the audit log."""
    log.warning(
        "admin route %s refused for %s", key, pseudonym(ctx.user.channel, ctx.user.external_id)
    )
    audit(ctx, f"{kind}:{key}", ctx.text or ctx.payload, result="refused")
