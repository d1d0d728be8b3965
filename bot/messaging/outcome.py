"""What happened to one send (sent, 429, 5xx, 403...) and how it is settled in the outbox.

429 pauses the token for `retry_after` and resends; network and 5xx errors back off and
resend up to SEND_MAX_ATTEMPTS; 403 marks the citizen inactive; a final failure is recorded
on the row (status `failed`, `error`), and a reply that fails is followed by an apology.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot.broadcast import repo as repo_broadcasts
from bot.channels.base import (
    DeliveryError,
    RateLimited,
    RecipientBlocked,
    RecipientUnreachable,
    TransientError,
)
from bot.db import repo_outbox, repo_users
from bot.db.base import utcnow
from bot.db.repo_outbox import Queued
from bot.logs import pseudonym
from bot.messages import Reply
from bot.messaging import reaching

if TYPE_CHECKING:
    from bot.messaging.parts import MessagingParts as App

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300.0
APOLOGY = "apology"


@dataclass(frozen=True)
class Result:
    """What happened to one row."""

    row: Queued
    status: str  # sent / blocked / retry / failed / outside / zns
    message_id: str | None = None
    retry_after: float = 0.0
    error: str | None = None
    at: datetime | None = None
    template_id: str | None = None  # a ZNS template was used (sent or not): it is recorded
    rate_limited: bool = False  # the messenger answered 429


@dataclass(frozen=True)
class Retries:
    """How often and how patiently a failed send is tried again."""

    max_attempts: int
    retry_seconds: float


async def deliver(app: App, channel: Any, row: Queued, retries: Retries) -> Result:
    """Send one row through the channel; map its typed errors to a result."""
    reply = repo_outbox.reply_of(row)
    plan = await reaching.plan_row(app, row, reply)
    try:
        went = await reaching.go(channel, row, reply, plan)
        if went is not None:
            error = "outside Zalo's 7-day window" if went.status == reaching.OUTSIDE else None
            return Result(
                row, went.status, went.message_id, error=error, template_id=went.template_id
            )
        if row.edit_of is not None and row.edit_message_id:
            await channel.edit(row.chat_id, row.edit_message_id, reply)
            return Result(row, "sent", message_id=row.edit_message_id)
        return Result(row, "sent", message_id=await channel.send(row.chat_id, reply))
    except RecipientBlocked as error:
        return Result(row, "blocked", error=str(error)[:250])
    except RateLimited as error:
        log.warning("%s: 429, pausing %.1fs", row.channel, error.retry_after)
        return Result(
            row,
            "retry",
            retry_after=error.retry_after,
            error=str(error)[:250],
            rate_limited=True,
        )
    except TransientError as error:
        if row.attempts + 1 >= retries.max_attempts:
            return Result(row, "failed", error=str(error)[:250])
        backoff = min(retries.retry_seconds * 2**row.attempts, MAX_BACKOFF_SECONDS)
        return Result(row, "retry", retry_after=backoff, error=str(error)[:250])
    except RecipientUnreachable as error:  # Zalo's own window check said no
        return Result(row, reaching.OUTSIDE, error=f"unreachable: {error}"[:250])
    except DeliveryError as error:
        if plan.template_id is None:
            raise
        return Result(row, "failed", error=str(error)[:250], template_id=plan.template_id)


def record(session: Session, *, results: list[Result], app: App) -> None:
    """Settle sent, blocked, retried and failed rows (and the broadcast deliveries they carry).

    Plain sends (most of them) are recorded in one statement. A row deleted meanwhile (its
    citizen erased their data) is left alone: recording it would bring back what the deletion
    removed.
    """
    plain = [result for result in results if _plain_send(result)]
    repo_outbox.mark_sent(session, [(r.row.id, r.message_id, r.at or utcnow()) for r in plain])
    others = [result for result in results if not _plain_send(result)]
    present = repo_outbox.existing(session, ids=[result.row.id for result in others])
    for result in others:
        if result.row.id in present:
            _settle(session, app, result)


def _plain_send(result: Result) -> bool:
    """Return whether a result is a send with nothing to settle beyond its own row."""
    row = result.row
    return (
        result.status == "sent"
        and row.edit_of is None
        and result.template_id is None
        and not (row.ref and row.ref.startswith(repo_broadcasts.OUTBOX_REF))
    )


def _settle(session: Session, app: App, result: Result) -> None:
    """Settle one row that is not a plain send, with what its outcome brings along."""
    row, at = result.row, result.at or utcnow()
    reaching.settle(
        session,
        row=row,
        status=result.status,
        message_id=result.message_id,
        template_id=result.template_id,
        error=result.error,
        at=at,
    )
    if result.status in ("sent", reaching.ZNS):
        repo_outbox.set_outcome(
            session,
            row_id=row.id,
            status=result.status,
            message_id=result.message_id,
            sent_at=at,
        )
        if row.edit_of is not None and not row.edit_message_id:  # sent anew: edit it next
            repo_outbox.set_outcome(session, row_id=row.edit_of, message_id=result.message_id)
    elif result.status == "retry":
        retry_at = at + timedelta(seconds=result.retry_after)
        repo_outbox.set_outcome(
            session, row_id=row.id, status="pending", retry_at=retry_at, error=result.error
        )
        return
    else:
        repo_outbox.set_outcome(session, row_id=row.id, status=result.status, error=result.error)
        if result.status == "blocked":
            _mark_blocked(session, row)
        elif row.kind == "reply" and row.ref != APOLOGY and result.status != reaching.OUTSIDE:
            log.warning(
                "reply %s to %s failed: %s",
                row.id,
                pseudonym(row.channel, row.chat_id),
                result.error,
            )
            _apologise(session, app, row, at)
    repo_broadcasts.settle_outbox_ref(
        session, ref=row.ref, status=result.status, at=app.now(), error=result.error
    )


def _mark_blocked(session: Session, row: Queued) -> None:
    """Mark the citizen who blocked the bot inactive (no reminders or notices)."""
    user_id = row.user_id
    if user_id is None:
        user = repo_users.get_user(session, channel=row.channel, external_id=row.chat_id)
        user_id = user.id if user is not None else None
    if user_id is not None:
        repo_users.mark_unreachable(session, user_id=user_id)
        log.info("user %s blocked the bot on %s: marked inactive", user_id, row.channel)


def _apologise(session: Session, app: App, row: Queued, now: datetime) -> None:
    """Queue a short apology after a reply that could not be delivered."""
    repo_outbox.enqueue(
        session,
        reply=Reply(app.content.messages.text("core.error")),
        channel=row.channel,
        chat_id=row.chat_id,
        user_id=row.user_id,
        ref=APOLOGY,
        now=now,
    )
