"""Tell the admins when Zalo refuses the OA token refresh: the audit log and Telegram."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.admins import repo as repo_admins
from bot.channels.base import DeliveryError
from bot.db import repo_audit
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
    await send_alert(app, [Reply(text, to=address) for address in addresses])


async def send_alert(app: App, replies: list[Reply]) -> None:
    """Deliver the alert to each admin chat (a failure is logged, never raised)."""
    for reply in replies:
        assert reply.to is not None
        channel = app.channels.get(reply.to.channel)
        if channel is None:
            log.warning("zalo alert: channel %s is not running", reply.to.channel)
            continue
        try:
            await channel.send(reply.to.chat_id, reply)
        except DeliveryError as error:
            log.warning("zalo alert to %s not delivered: %s", reply.to.chat_id, error)
