"""Repository functions for consents, registrations and self-assessments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from bot.cdht.models import Assessment, Consent, Registration


def record_consent(
    session: Session, *, user_id: int, version: str, granted: bool, now: datetime
) -> Consent:
    """Record a citizen's yes or no to the consent text of the given version."""
    consent = Consent(user_id=user_id, text_version=version, granted=granted, created_at=now)
    session.add(consent)
    return consent


def latest_consent(session: Session, *, user_id: int) -> Consent | None:
    """Return the user's latest granted consent."""
    query = select(Consent).where(Consent.user_id == user_id, Consent.granted.is_(True))
    return session.scalars(query.order_by(Consent.id.desc())).first()


def get_registration(session: Session, *, user_id: int) -> Registration | None:
    """Return the user's registration, if any."""
    return session.get(Registration, user_id)


def save_registration(
    session: Session, *, user_id: int, values: dict[str, Any], consent_version: str, now: datetime
) -> Registration:
    """Create or replace the user's registration with the given field values."""
    registration = session.get(Registration, user_id)
    if registration is None:
        registration = Registration(user_id=user_id, created_at=now)
        session.add(registration)
    update_registration(session, registration=registration, values=values, now=now)
    registration.consent_version = consent_version
    return registration


def update_registration(
    session: Session, *, registration: Registration, values: dict[str, Any], now: datetime
) -> None:
    """Change some fields of a registration (place_verified defaults to True with a place)."""
    for name, value in values.items():
        setattr(registration, name, value)
    if "place_name" in values and "place_verified" not in values:
        registration.place_verified = True
    registration.updated_at = now


def open_assessment(session: Session, *, user_id: int, year: int) -> Assessment | None:
    """Return this year's attempt in progress, dropping unfinished ones of earlier years."""
    session.execute(
        delete(Assessment).where(
            Assessment.user_id == user_id,
            Assessment.completed_at.is_(None),
            Assessment.year != year,
        )
    )
    query = select(Assessment).where(
        Assessment.user_id == user_id, Assessment.year == year, Assessment.completed_at.is_(None)
    )
    return session.scalars(query.order_by(Assessment.id.desc())).first()


def start_assessment(session: Session, *, user_id: int, year: int, now: datetime) -> Assessment:
    """Begin a new attempt for the year, replacing one in progress."""
    existing = open_assessment(session, user_id=user_id, year=year)
    if existing is not None:
        session.delete(existing)
    attempt = Assessment(user_id=user_id, year=year, answers={}, started_at=now)
    session.add(attempt)
    session.flush()
    return attempt


def completed_assessments(session: Session, *, user_id: int) -> list[Assessment]:
    """Return the user's finished attempts, newest first."""
    query = select(Assessment).where(
        Assessment.user_id == user_id, Assessment.completed_at.is_not(None)
    )
    return list(session.scalars(query.order_by(Assessment.year.desc(), Assessment.id.desc())))


def latest_result_ids(year: int | None = None) -> Any:
    """Return a subquery of the ids of each user's latest finished attempt per year."""
    latest = (
        select(func.max(Assessment.id))
        .where(Assessment.completed_at.is_not(None))
        .group_by(Assessment.user_id, Assessment.year)
    )
    if year is not None:
        latest = latest.where(Assessment.year == year)
    return latest.scalar_subquery()


def latest_results(year: int | None = None) -> Select[Any]:
    """Select the year's result of each user: their latest finished attempt of that year."""
    return select(Assessment).where(Assessment.id.in_(latest_result_ids(year)))
