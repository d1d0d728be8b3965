"""Drop-off per step of /dangky and /tudanhgia, from the recorded step events."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from bot.dashboard.models import FlowStep
from bot.dashboard.period import Period
from bot.dashboard.questions import in_period
from bot.dashboard.steps import FUNNELS
from bot.db.models import User


@dataclass(frozen=True)
class StepRow:
    """One step: how many of the citizens who started reached it and how many stopped there."""

    step: str
    reached: int
    stopped: int  # reached this step but not the next one (still in progress counts too)

    @property
    def stop_share(self) -> float | None:
        """Return stopped / reached, or None when nobody reached the step."""
        return self.stopped / self.reached if self.reached else None


def funnel(session: Session, period: Period, flow: str) -> list[StepRow]:
    """Follow the citizens who started the flow in the period through its steps."""
    steps = FUNNELS[flow]
    started = select(FlowStep.user_id).where(
        FlowStep.flow == flow, FlowStep.step == steps[0], *in_period(FlowStep.at, period)
    )
    if period.channel:
        started = started.join(User, User.id == FlowStep.user_id).where(
            User.channel == period.channel
        )
    query = (
        select(FlowStep.step, func.count(distinct(FlowStep.user_id)))
        .where(
            FlowStep.flow == flow,
            FlowStep.user_id.in_(started),
            FlowStep.at >= period.start,
            FlowStep.at < period.end,
        )
        .group_by(FlowStep.step)
    )
    reached = dict(session.execute(query).all())
    counts = [reached.get(step, 0) for step in steps]
    rows = []
    for index, step in enumerate(steps):
        following = counts[index + 1] if index + 1 < len(steps) else counts[index]
        rows.append(StepRow(step, counts[index], max(counts[index] - following, 0)))
    return rows
