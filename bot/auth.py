"""Who may use admin commands."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import Context
    from bot.routing import Route

log = logging.getLogger(__name__)


def is_admin(ctx: Context) -> bool:
    """Return whether the user is a super-admin from ADMIN_IDS."""
    key = f"{ctx.user.channel}:{ctx.user.external_id}"
    return key in ctx.app.settings.admin_ids


def record_refusal(ctx: Context, route: Route) -> None:
    """Log a refused attempt at an admin command."""
    log.warning("admin command %s refused for %s", route.key, ctx.user.external_id)
