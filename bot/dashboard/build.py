"""Gather every figure of the dashboard for one period and channel."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.dashboard.cdht_figures import CdhtFigures, cdht_figures
from bot.dashboard.citizens import CitizenFigures, SourceCount, citizen_figures, source_counts
from bot.dashboard.funnel import StepRow, funnel
from bot.dashboard.period import Period
from bot.dashboard.questions import EntryCount, QuestionFigures, question_figures, top_entries
from bot.dashboard.steps import ASSESS, REGISTER
from bot.dashboard.tickets import TicketSummary, ticket_summary


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows for a period."""

    period: Period
    questions: QuestionFigures
    entries: list[EntryCount]
    citizens: CitizenFigures
    sources: list[SourceCount]
    cdht: CdhtFigures
    register_steps: list[StepRow]
    assess_steps: list[StepRow]
    tickets: TicketSummary


def build_dashboard(
    session: Session, period: Period, *, faq_questions: dict[str, str]
) -> Dashboard:
    """Query every figure; `faq_questions` names each FAQ entry by its question."""
    return Dashboard(
        period=period,
        questions=question_figures(session, period),
        entries=top_entries(
            session, period, question_of=lambda faq_id: faq_questions.get(faq_id, faq_id)
        ),
        citizens=citizen_figures(session, period),
        sources=source_counts(session, period),
        cdht=cdht_figures(session, period),
        register_steps=funnel(session, period, REGISTER),
        assess_steps=funnel(session, period, ASSESS),
        tickets=ticket_summary(session, period),
    )
