"""Voice notes waiting to be heard: queued while the message is processed, claimed by a worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.messages import AudioRef, Incoming, Kind
from bot.voice.models import VoiceJob

LEASE = timedelta(minutes=2)  # a worker that died mid-note leaves it to another after this
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Job:
    """A claimed voice note and how many times it has been tried."""

    id: int
    attempts: int
    incoming: Incoming


def add(session: Session, *, user_id: int, incoming: Incoming, now: datetime) -> None:
    """Queue a voice note (its reference only: the audio stays with the messenger)."""
    assert incoming.audio is not None
    session.add(
        VoiceJob(
            user_id=user_id,
            channel=incoming.channel,
            external_id=incoming.user_id,
            chat_id=incoming.chat_id,
            display_name=incoming.display_name[:128],
            is_group=incoming.is_group,
            ref=incoming.audio.ref,
            seconds=incoming.audio.seconds,
            created_at=now,
        )
    )


def claim(session: Session, *, channels: list[str], now: datetime) -> Job | None:
    """Take the oldest free voice note of these channels (also safe across processes)."""
    free = or_(VoiceJob.claimed_until.is_(None), VoiceJob.claimed_until < now)
    # A note whose last attempt's lease ran out without an answer is given up, not kept.
    session.execute(
        delete(VoiceJob).where(VoiceJob.attempts >= MAX_ATTEMPTS, VoiceJob.claimed_until < now)
    )
    candidates = session.scalars(
        select(VoiceJob.id)
        .where(VoiceJob.channel.in_(channels), free, VoiceJob.attempts < MAX_ATTEMPTS)
        .order_by(VoiceJob.id)
        .limit(5)
    ).all()
    for job_id in candidates:
        taken = session.execute(
            update(VoiceJob)
            .where(VoiceJob.id == job_id, free)
            .values(claimed_until=now + LEASE, attempts=VoiceJob.attempts + 1)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            row = session.get_one(VoiceJob, job_id)
            return Job(row.id, row.attempts, _incoming(row))
    return None


def finish(session: Session, *, job_id: int) -> None:
    """Forget a voice note once its replies are decided."""
    session.execute(delete(VoiceJob).where(VoiceJob.id == job_id))


def _incoming(row: VoiceJob) -> Incoming:
    """Rebuild the voice note as the channel mapped it."""
    return Incoming(
        row.channel,
        row.external_id,
        row.chat_id,
        kind=Kind.VOICE,
        display_name=row.display_name,
        is_group=row.is_group,
        audio=AudioRef(row.ref, row.seconds),
    )
