"""Deliver a reply to a user on whichever channel they use, outside of a conversation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.channels.base import RateLimited, RecipientBlocked, RecipientUnreachable, TransientError
from bot.db import repo_users
from bot.messages import Reply

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What happened to one delivery."""

    SENT = "sent"
    BLOCKED = "blocked"  # the citizen blocked the bot: marked inactive, do not retry
    UNREACHABLE = "unreachable"  # the messenger will not deliver now (e.g. Zalo's window)
    RATE_LIMITED = "rate_limited"  # retry after `retry_after` seconds
    RETRY = "retry"  # a transient error: retry later
    NO_CHANNEL = "no_channel"  # the user's channel is not running in this process


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one delivery, with the message id or the wait asked for."""

    outcome: Outcome
    message_id: str | None = None
    retry_after: float = 0.0
    detail: str = ""


async def deliver(
    app: App, *, user_id: int | None, channel: str, chat_id: str, reply: Reply
) -> DeliveryResult:
    """Send one reply; a citizen who blocked the bot is marked inactive."""
    target = app.channels.get(channel)
    if target is None:
        return DeliveryResult(Outcome.NO_CHANNEL, detail=f"channel {channel} is not running")
    try:
        message_id = await target.send(chat_id, reply)
    except RecipientBlocked as error:
        if user_id is not None:
            with app.sessions.begin() as session:
                repo_users.mark_unreachable(session, user_id=user_id)
        log.info("user %s blocked the bot on %s: marked inactive", user_id, channel)
        return DeliveryResult(Outcome.BLOCKED, detail=str(error))
    except RecipientUnreachable as error:
        return DeliveryResult(Outcome.UNREACHABLE, detail=str(error))
    except RateLimited as error:
        return DeliveryResult(
            Outcome.RATE_LIMITED, retry_after=error.retry_after, detail=str(error)
        )
    except TransientError as error:
        return DeliveryResult(Outcome.RETRY, detail=str(error))
    return DeliveryResult(Outcome.SENT, message_id=message_id)


async def deliver_addressed(app: App, reply: Reply) -> DeliveryResult:
    """Send a reply addressed to another chat (`Reply.to`).

    INTERIM until the durable outbox (issue 19) delivers `to` replies: sent at once, not
    retried.
    """
    assert reply.to is not None
    to = reply.to
    result = await deliver(
        app,
        user_id=to.user_id,
        channel=to.channel,
        chat_id=to.chat_id,
        reply=reply,
    )
    if result.outcome is not Outcome.SENT:
        log.warning("reply to %s:%s not delivered: %s", to.channel, to.chat_id, result.outcome)
    return result
