"""Voice notes waiting to be heard: queued while the message is processed, claimed by a worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.messages import AudioRef, Incoming, Kind
from bot.voice.models import VoiceJob

# A worker renews its claim every RENEW while it hears a note; one that died leaves the note
# to another after LEASE (and a newly started worker takes every claimed note back at once).
LEASE = timedelta(seconds=60)
RENEW = timedelta(seconds=15)
RETRY_AFTER = timedelta(seconds=20)  # a failed download or transcription is tried again then
MAX_ATTEMPTS = 3  # a note claimed once more after that gets the polite "not available" reply


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
    candidates = session.scalars(
        select(VoiceJob.id)
        .where(VoiceJob.channel.in_(channels), free)
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


def renew(session: Session, *, job_id: int, now: datetime) -> None:
    """Keep a note claimed while it is being heard."""
    session.execute(
        update(VoiceJob).where(VoiceJob.id == job_id).values(claimed_until=now + LEASE)
    )


def retry_later(session: Session, *, job_id: int, now: datetime) -> None:
    """Leave a note that failed for another try after RETRY_AFTER."""
    session.execute(
        update(VoiceJob).where(VoiceJob.id == job_id).values(claimed_until=now + RETRY_AFTER)
    )


def release_all(session: Session) -> int:
    """Free every claimed note (a starting worker: their holder has stopped); return how many.

    Voice workers run only in the process holding the scheduler lease, so a claim found
    when one starts belongs to a process that died or gave that lease up.
    """
    result = session.execute(
        update(VoiceJob).where(VoiceJob.claimed_until.is_not(None)).values(claimed_until=None)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def finish(session: Session, *, job_id: int) -> bool:
    """Forget a voice note once its replies are decided; False when another worker did."""
    result = session.execute(delete(VoiceJob).where(VoiceJob.id == job_id))
    return result.rowcount == 1  # type: ignore[attr-defined]


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
