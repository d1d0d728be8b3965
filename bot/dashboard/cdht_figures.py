"""Registrations and self-assessment results of a period, by group and by xã/phường."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.cdht.models import Assessment, Registration
from bot.cdht.repo import latest_result_ids
from bot.dashboard.period import Period
from bot.dashboard.questions import in_period
from bot.db.models import User


@dataclass(frozen=True)
class GroupRow:
    """One group or xã/phường: registrations in the period; results finished in it."""

    key: str
    registered: int
    assessed: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        """Return passed / assessed, or None when nobody was assessed."""
        return self.passed / self.assessed if self.assessed else None


@dataclass(frozen=True)
class CdhtFigures:
    """The period's registrations and results, in total, by group and by xã/phường."""

    by_group: list[GroupRow]
    by_place: list[GroupRow]

    @property
    def total(self) -> GroupRow:
        """Return the sums over every group."""
        rows = self.by_group
        return GroupRow(
            "",
            sum(r.registered for r in rows),
            sum(r.assessed for r in rows),
            sum(r.passed for r in rows),
        )


def cdht_figures(session: Session, period: Period) -> CdhtFigures:
    """Count registrations made and results finished in the period (a citizen's latest)."""
    return CdhtFigures(
        by_group=_rows(session, period, Registration.group),
        by_place=_rows(session, period, Registration.place_name),
    )


def _rows(session: Session, period: Period, column: Any) -> list[GroupRow]:
    """Return one row per value of the column, most registrations first."""
    registered = select(column, func.count()).where(*in_period(Registration.created_at, period))
    passed = func.coalesce(func.sum(case((Assessment.passed.is_(True), 1), else_=0)), 0)
    results = (
        select(column, func.count(), passed)
        .join(Registration, Registration.user_id == Assessment.user_id)
        .where(
            Assessment.id.in_(latest_result_ids()),
            *in_period(Assessment.completed_at, period),
        )
    )
    if period.channel:
        registered = registered.join(User, User.id == Registration.user_id).where(
            User.channel == period.channel
        )
        results = results.join(User, User.id == Assessment.user_id).where(
            User.channel == period.channel
        )
    counts = dict(session.execute(registered.group_by(column)).all())
    outcomes = {key: (n, int(p)) for key, n, p in session.execute(results.group_by(column))}
    keys = set(counts) | set(outcomes)
    rows = [GroupRow(k, counts.get(k, 0), *outcomes.get(k, (0, 0))) for k in keys]
    return sorted(rows, key=lambda r: (-r.registered, -r.assessed, r.key))
