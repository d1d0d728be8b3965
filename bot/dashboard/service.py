"""The dashboard for a period from the app's parts: figures, tables and downloads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.dashboard.build import Dashboard, build_dashboard
from bot.dashboard.period import period_of
from bot.dashboard.tables import Table, tables

if TYPE_CHECKING:
    from bot.content import Content
    from bot.parts import Parts


def dashboard_of(
    sessions: Callable[[], Session],
    content: Content,
    *,
    now: datetime,
    tz: tzinfo,
    kind: str,
    channel: str | None = None,
) -> Dashboard:
    """Return the dashboard of the day, week or month containing `now`, one channel or all."""
    period = period_of(kind, now, tz, channel or None)
    questions = {faq_id: entry.question for faq_id, entry in content.faq.items()}
    with sessions() as session:
        return build_dashboard(session, period, faq_questions=questions)


def dashboard(app: Parts, kind: str, channel: str | None = None) -> Dashboard:
    """Return the app's dashboard of the current day, week or month."""
    return dashboard_of(
        app.sessions, app.content, now=app.now(), tz=app.settings.tz, kind=kind, channel=channel
    )


def tables_of(content: Content, board: Dashboard) -> list[Table]:
    """Return the dashboard's tables with the content's group names."""
    return tables(board, group_label=content.section("assessment").group_label)


def dashboard_tables(app: Parts, board: Dashboard) -> list[Table]:
    """Return the app's dashboard tables."""
    return tables_of(app.content, board)
