"""The dashboard for a period from the app's parts: figures, tables and downloads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dashboard.build import Dashboard, build_dashboard
from bot.dashboard.period import period_of
from bot.dashboard.tables import Table, tables

if TYPE_CHECKING:
    from bot.parts import Parts


def dashboard(app: Parts, kind: str, channel: str | None = None) -> Dashboard:
    """Return the dashboard of the current day, week or month, on one channel or all."""
    period = period_of(kind, app.now(), app.settings.tz, channel or None)
    questions = {faq_id: entry.question for faq_id, entry in app.content.faq.items()}
    with app.sessions() as session:
        return build_dashboard(session, period, faq_questions=questions)


def dashboard_tables(app: Parts, board: Dashboard) -> list[Table]:
    """Return the dashboard's tables with the content's group names."""
    return tables(board, group_label=app.content.section("assessment").group_label)
