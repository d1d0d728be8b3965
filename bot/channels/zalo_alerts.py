"""Tell the admins when Zalo refuses the OA token refresh: the audit log and Telegram.

The alert goes through the outbox to each Telegram admin's chat (Reply.to), so it is sent by
the Telegram sender even when that runs in another process.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.admins import repo as repo_admins
from bot.db import repo_audit, repo_outbox
from bot.messages import Address, Reply

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

ALERT_CHANNEL = "telegram"  # the admins' working chat; Zalo itself may be the one failing


def admin_addresses(app: App) -> list[Address]:
    """Return the private chats of the Telegram admins (ADMIN_IDS and those added in the bot)."""
    prefix = f"{ALERT_CHANNEL}:"
    ids = [item.removeprefix(prefix) for item in app.settings.admin_ids if item.startswith(prefix)]
    with app.sessions() as session:
        admins = repo_admins.list_admins(session)
    ids += [a.external_id for a in admins if a.channel == ALERT_CHANNEL]
    return [Address(ALERT_CHANNEL, chat_id) for chat_id in dict.fromkeys(ids)]


async def token_refused(app: App, detail: str) -> None:
    """Record the refusal in the audit log and tell the Telegram admins."""
    log.error("zalo: the OA token refresh was refused (%s): admins alerted", detail)
    await asyncio.to_thread(_record_and_queue, app, detail)


def _record_and_queue(app: App, detail: str) -> None:
    text = app.content.messages.text("zalo.token_refused")
    addresses = admin_addresses(app)
    with app.sessions.begin() as session:
        repo_audit.audit(
            session,
            who="zalo",
            action="zalo_token_refused",
            detail=detail,
            result="error",
            now=app.now(),
        )
        for address in addresses:  # delivered by the Telegram sender, like staff messages
            repo_outbox.enqueue(session, reply=Reply(text, to=address), kind="staff")
