"""Citizens in a period: new and returning, and how many came in through each entry code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.campaigns.models import EntryCode, UserSource
from bot.cdht.models import Registration
from bot.dashboard.period import Period
from bot.dashboard.questions import in_period
from bot.db.models import User


@dataclass(frozen=True)
class CitizenFigures:
    """New citizens (first message in the period) and returning ones (seen before, back now)."""

    new: int
    returning: int

    @property
    def active(self) -> int:
        """Return everyone who wrote in the period."""
        return self.new + self.returning


def citizen_figures(session: Session, period: Period) -> CitizenFigures:
    """Count new and returning citizens; a period always ends now, so last_seen tells."""
    base = select(func.count()).select_from(User)
    if period.channel:
        base = base.where(User.channel == period.channel)
    new = session.scalar(base.where(*in_period(User.first_seen, period))) or 0
    returning = session.scalar(
        base.where(User.first_seen < period.start, User.last_seen >= period.start)
    )
    return CitizenFigures(new=new, returning=returning or 0)


@dataclass(frozen=True)
class SourceCount:
    """An entry code, the citizens it brought in during the period, and how many registered."""

    code: str
    title: str
    citizens: int
    registered: int


def source_counts(session: Session, period: Period) -> list[SourceCount]:
    """Count, per entry code, the citizens it brought in during the period, most first."""
    query = (
        select(
            UserSource.code,
            func.count(),
            func.count(Registration.user_id),
        )
        .join(User, User.id == UserSource.user_id)
        .outerjoin(Registration, Registration.user_id == UserSource.user_id)
        .where(*in_period(UserSource.at, period))
        .group_by(UserSource.code)
    )
    if period.channel:
        query = query.where(User.channel == period.channel)
    titles = dict(session.execute(select(EntryCode.code, EntryCode.title)).all())
    rows = [
        SourceCount(code, titles.get(code, code), citizens, registered)
        for code, citizens, registered in session.execute(query)
    ]
    return sorted(rows, key=lambda row: (-row.citizens, row.code))
