"""Repository functions for the multi-step flow a user is in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.db.models import FlowState

_FLOW = select(FlowState).where(FlowState.user_id == bindparam("user_id"))  # built once


def get_flow(session: Session, *, user_id: int) -> FlowState | None:
    """Return the user's current flow state, if any."""
    return session.scalars(_FLOW, {"user_id": user_id}).one_or_none()


def set_flow(
    session: Session, *, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
) -> FlowState:
    """Start or advance a flow, replacing any other flow the user was in."""
    state = session.get(FlowState, user_id)
    if state is None:
        state = FlowState(user_id=user_id, flow=flow, step=step, data=dict(data), updated_at=now)
        session.add(state)
    else:
        state.flow, state.step, state.data, state.updated_at = flow, step, dict(data), now
    return state


def clear_flow(session: Session, *, user_id: int) -> str | None:
    """End the user's flow; return its name, or None if there was none."""
    state = session.get(FlowState, user_id)
    if state is None:
        return None
    session.delete(state)
    return state.flow
