"""Claim outbox rows for sending (marked `sending`, committed) and take over a dead sender's.

A claim takes the most urgent rows first, at most one per chat and none for chats that must
still wait; a row another sender marked meanwhile is left to it. Taking a channel over puts
the rows its last holder left in flight back in the queue, and tells what that holder sent
recently, so the new holder keeps the same limits.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.db import repo_outbox
from bot.db.base import utcnow
from bot.db.repo_outbox import Queued


def claim(session: Session, *, channel: str, limit: int, skip: set[str]) -> list[Queued]:
    """Choose up to `limit` rows of different chats not in `skip` and mark them sending."""
    rows = repo_outbox.sendable(
        session, channel=channel, now=utcnow(), limit=limit, skip_chats=skip
    )
    first: dict[str, Queued] = {}
    for row in rows:  # a later row of a chat already chosen waits its turn
        first.setdefault(row.chat_id, row)
    if not first:
        return []
    marked = repo_outbox.mark_sending(session, ids=[row.id for row in first.values()])
    picked: list[Queued] = []
    for row in first.values():
        if row.id not in marked:
            continue
        if row.edit_of is not None:
            _status, message_id = repo_outbox.message_id_of(session, row_id=row.edit_of)
            row = replace(row, edit_message_id=message_id)
        picked.append(row)
    return picked


def claim_more(
    session: Session, *, channel: str, limit: int, skip: set[str], held: list[int]
) -> tuple[list[Queued], set[int]]:
    """Claim more rows, and return which of the `held` ones are still ours to send.

    A row claimed earlier but withdrawn since (a stopped broadcast) must not go.
    """
    kept = repo_outbox.still_sending(session, ids=held)
    return claim(session, channel=channel, limit=limit, skip=skip), kept


def take_over(
    session: Session, *, channel: str, window: float
) -> tuple[int, list[tuple[str, float]]]:
    """Requeue what a dead sender left in flight; return how many, and its recent sends.

    Recent sends are (chat, seconds ago) within `window`; a row left in flight may have
    gone just now, so it counts as sent 0 seconds ago.
    """
    now = utcnow()
    recent = repo_outbox.recent_sends(
        session, channel=channel, since=now - timedelta(seconds=window)
    )
    requeued = repo_outbox.requeue_sending(session, channel=channel)
    return requeued, [(chat, _age(now, sent_at)) for chat, sent_at in recent]


def _age(now: datetime, sent_at: datetime | None) -> float:
    return 0.0 if sent_at is None else max(0.0, (now - sent_at).total_seconds())


def unclaim(session: Session, *, ids: list[int]) -> None:
    """Put rows claimed but never started back in the queue."""
    repo_outbox.unmark_sending(session, ids=ids)
