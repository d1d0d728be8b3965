"""Record that a citizen reached a step of /dangky or /tudanhgia; name each flow's steps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.dashboard.models import FlowStep

DONE = "done"
REGISTER = "dangky"
ASSESS = "tudanhgia"
ASSESS_QUESTIONS = 10
# The steps in the order a citizen meets them; the first one starts the flow.
FUNNELS: dict[str, tuple[str, ...]] = {
    REGISTER: (
        "consent",
        "full_name",
        "birth_year",
        "gender",
        "place",
        "group",
        "union_member",
        "phone",
        DONE,
    ),
    ASSESS: (*(f"q{n}" for n in range(1, ASSESS_QUESTIONS + 1)), DONE),
}


def reached(session: Session, *, user_id: int, flow: str, step: str, now: datetime) -> None:
    """Record that the user was shown this step of the flow (or finished it)."""
    if step not in FUNNELS.get(flow, ()):
        raise ValueError(f"unknown step {step!r} of flow {flow!r}")
    session.add(FlowStep(user_id=user_id, flow=flow, step=step, at=now))
