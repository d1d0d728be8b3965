"""Data minimisation: question logs older than QUESTION_LOG_RETENTION_DAYS lose their author."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.db.models import AnswerFeedback, QuestionLog

if TYPE_CHECKING:
    from bot.parts import Parts

log = logging.getLogger(__name__)

RUN_EVERY = timedelta(hours=6)


def anonymise_questions(session: Session, *, older_than: datetime) -> int:
    """Detach old questions from their authors (and drop the votes naming them); return count.

    The text stays for curators (what citizens ask); nothing links it to a person any more.
    """
    old = select(QuestionLog.id).where(
        QuestionLog.created_at < older_than, QuestionLog.user_id.is_not(None)
    )
    session.execute(delete(AnswerFeedback).where(AnswerFeedback.question_log_id.in_(old)))
    result = session.execute(
        update(QuestionLog)
        .where(QuestionLog.created_at < older_than, QuestionLog.user_id.is_not(None))
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def run_once(app: Parts) -> int:
    """Anonymise the question logs past the retention period now."""
    cutoff = app.now() - timedelta(days=app.settings.question_log_retention_days)
    with app.sessions.begin() as session:
        return anonymise_questions(session, older_than=cutoff)


class RetentionService:
    """Apply the retention rule at start-up and every few hours."""

    def __init__(self, app: Parts) -> None:
        self.app = app
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the periodic run."""
        self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            try:
                count = await asyncio.to_thread(run_once, self.app)
                if count:
                    log.info("retention: %s old questions anonymised", count)
            except Exception:
                log.exception("retention run failed")
            await asyncio.sleep(RUN_EVERY.total_seconds())

    async def stop(self) -> None:
        """Stop the periodic run."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def create_service(app: Parts) -> RetentionService:
    """Build the retention service (listed in SERVICE_FACTORIES)."""
    return RetentionService(app)
