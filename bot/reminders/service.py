"""The background service: one APScheduler job that polls the database for due reminders."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.reminders.runner import run_due_once

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

JOB_ID = "reminders-poll"  # one fixed id + replace_existing: a restart never adds a second job


class ReminderService:
    """Polls for due reminders every REMINDER_POLL_SECONDS, aligned to whole minutes."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.scheduler: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()
        self._stopping = False
        self.ready = asyncio.Event()

    async def start(self) -> None:
        """Start the scheduler; catch up at once on what fell due while the bot was down."""
        settings = self.app.settings
        if self.scheduler is None:
            self.scheduler = AsyncIOScheduler(timezone=settings.tz)
        seconds = settings.reminder_poll_seconds
        now = datetime.now(settings.tz)
        # Reminders fall on whole minutes, so polling at second 0 sends them on time.
        first = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        if seconds < 60:
            first = now + timedelta(seconds=seconds)
        self.scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=seconds, start_date=first, timezone=settings.tz),
            id=JOB_ID,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=seconds,
        )
        self.scheduler.add_job(self.tick, id="reminders-catch-up", replace_existing=True)
        if not self.scheduler.running:
            self.scheduler.start()

    async def tick(self) -> None:
        """Run one poll; never let an error stop the schedule."""
        if self._stopping:
            return
        async with self._lock:
            try:
                counts = await run_due_once(self.app)
                if counts:
                    log.info("reminders poll: %s", dict(counts))
            except Exception:
                log.exception("reminders poll failed")
            finally:
                self.ready.set()

    def job_ids(self) -> list[str]:
        """Return the ids of the scheduled jobs (for tests and diagnostics)."""
        return [job.id for job in self.scheduler.get_jobs()] if self.scheduler else []

    async def stop(self) -> None:
        """Stop the scheduler after the poll in progress, if any, has finished."""
        self._stopping = True
        async with self._lock:  # let a poll in progress finish its deliveries
            if self.scheduler is not None and self.scheduler.running:
                self.scheduler.shutdown(wait=False)
        self._stopping = False


def create_service(app: App) -> ReminderService:
    """Build the reminder service for the app (listed in SERVICE_FACTORIES)."""
    return ReminderService(app)
