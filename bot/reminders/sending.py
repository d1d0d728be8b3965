"""Deliver claimed reminders and notices, a bounded number at a time, and settle failures."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.orm import Session

from bot.delivery import Outcome, deliver
from bot.messages import Reply
from bot.reminders import repo as repo_reminders

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

RETRY_OUTCOMES = (Outcome.RETRY, Outcome.RATE_LIMITED, Outcome.NO_CHANNEL)

Job = TypeVar("Job")


async def deliver_all(
    app: App,
    jobs: list[Job],
    send: Callable[[Job], Awaitable[Outcome]],
    rate: float | None = None,
) -> Counter[str]:
    """Run `send(job)` for every job, a bounded number at a time; count the outcomes.

    With a `rate`, jobs start at most that many a second (for mass notices, which must not
    crowd out replies and broadcasts under the messenger's overall limit).
    """
    limit = asyncio.Semaphore(app.settings.reminder_send_concurrency)
    outcomes: Counter[str] = Counter()

    async def one(job: Job) -> None:
        async with limit:
            outcomes[str(await send(job))] += 1

    tasks = []
    for index, job in enumerate(jobs):
        if rate is not None and index:
            await asyncio.sleep(1.0 / rate)
        tasks.append(asyncio.create_task(one(job)))
    await asyncio.gather(*tasks)
    return outcomes


async def send_and_settle(
    app: App,
    *,
    user_id: int,
    channel: str,
    chat_id: str,
    reply: Reply,
    retry: Callable[[Session], None],
    label: str,
) -> Outcome:
    """Deliver one message and settle a failure.

    A blocked citizen's reminders are paused; on a retryable failure `retry` runs (so a later
    poll sends it again); other failures are logged with `label`.
    """
    result = await deliver(app, user_id=user_id, channel=channel, chat_id=chat_id, reply=reply)
    if result.outcome is Outcome.BLOCKED:
        with app.sessions.begin() as session:
            repo_reminders.pause_all(session, user_id=user_id)
    elif result.outcome in RETRY_OUTCOMES:
        with app.sessions.begin() as session:
            retry(session)
    elif result.outcome is not Outcome.SENT:
        log.info("%s not delivered: %s %s", label, result.outcome, result.detail)
    return result.outcome
