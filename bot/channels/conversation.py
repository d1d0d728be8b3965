"""Answer webhook or polled messages in the background, one chat at a time, in order."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from bot.channels.base import DeliveryError
from bot.delivery import deliver_addressed
from bot.logs import pseudonym
from bot.messages import Incoming, Reply

if TYPE_CHECKING:
    from bot.context import AppParts as App

log = logging.getLogger(__name__)


class Sender(Protocol):
    """Anything that sends a reply to a chat."""

    name: str

    def send(self, chat_id: str, reply: Reply) -> Awaitable[str]:
        """Send one reply."""
        ...


class Conversations:
    """Run the dispatcher for a channel; tasks are tracked so `drain` can finish them."""

    def __init__(self, app: App, channel: Sender) -> None:
        self.app = app
        self.channel = channel
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run work in the background (after the webhook answered), logging any failure."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: background work failed", self.channel.name, exc_info=task.exception())

    async def answer(self, incoming: Incoming) -> None:
        """Dispatch one message and send its replies, keeping each chat's replies in order."""
        async with self._locks[incoming.chat_id]:
            replies = await asyncio.to_thread(self.app.dispatcher.handle, incoming)
            for reply in replies:
                if reply.to is not None:  # INTERIM until the outbox (issue 19) lands
                    await deliver_addressed(self.app, reply)
                    continue
                try:
                    await self.channel.send(incoming.chat_id, reply)
                except DeliveryError as error:
                    log.warning(
                        "%s: reply to chat %s not delivered: %s",
                        self.channel.name,
                        pseudonym(self.channel.name, incoming.chat_id),
                        error,
                    )
                    return

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for the work in flight (cancel what is still running after the timeout)."""
        pending = list(self._tasks)
        if not pending:
            return
        _done, still = await asyncio.wait(pending, timeout=timeout)
        for task in still:
            task.cancel()
        if still:
            await asyncio.wait(still)
