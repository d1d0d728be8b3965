"""The unanswered questions a curator works through, with the matcher's best entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.models import DismissedQuestion
from bot.content import Content
from bot.matching.curation import GROUP_SIMILARITY, Group, group_questions, similarity
from bot.matching.index import FaqIndex, Status
from bot.matching.unanswered import curation_items

SHOWN_GROUPS = 30


@dataclass(frozen=True)
class Suggestion:
    """An FAQ entry the matcher finds close to a question."""

    id: str
    question: str
    score: float


@dataclass(frozen=True)
class Row:
    """One group of alike questions with the entries the matcher would offer."""

    group: Group
    suggestions: tuple[Suggestion, ...]
    disliked_question: str = ""


def rows(
    session: Session,
    content: Content,
    index: FaqIndex,
    *,
    since: datetime | None = None,
    limit: int = SHOWN_GROUPS,
) -> list[Row]:
    """Return the groups still to handle: not skipped, and not answered by now (unless 👎)."""
    dismissed = list(session.scalars(select(DismissedQuestion.key)))
    groups = group_questions(curation_items(session, since=since), limit=limit * 3)
    result: list[Row] = []
    for group in groups:
        if any(similarity(group.key, key) >= GROUP_SIMILARITY for key in dismissed):
            continue
        match = index.match(group.example)
        if match.status is Status.ANSWER and group.disliked_id is None:
            continue  # published content answers it now
        suggestions = tuple(
            Suggestion(c.id, content.faq[c.id].question, c.score)
            for c in match.candidates
            if c.id in content.faq
        )
        disliked = content.faq.get(group.disliked_id or "")
        result.append(Row(group, suggestions, disliked.question if disliked else ""))
        if len(result) == limit:
            break
    return result


def dismiss(session: Session, *, key: str, who: str, now: datetime) -> None:
    """Hide a group of questions (and alike ones) from the list."""
    session.add(DismissedQuestion(key=key[:1000], who=who, at=now))
