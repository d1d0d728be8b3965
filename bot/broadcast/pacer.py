"""Pace broadcast sends: an overall rate, a minimum gap per chat, and pauses after a 429."""

from __future__ import annotations

import asyncio
import time

PRIVATE_GAP = 1.0  # never more than 1 message a second to one chat
GROUP_GAP = 3.0  # groups and channels: at most 20 a minute


class Pacer:
    """Decides when the next broadcast message may go; interactive replies are not paced."""

    def __init__(self, rate: float, clock: object = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self._clock = clock
        self._next = 0.0
        self._paused_until = 0.0
        self._last_by_chat: dict[str, float] = {}

    def now(self) -> float:
        """Return the pacer's monotonic time."""
        return self._clock()  # type: ignore[operator]

    def pause(self, seconds: float) -> None:
        """Hold all broadcast sends for a while (the messenger answered 429)."""
        self._paused_until = max(self._paused_until, self.now() + seconds)

    def ready_at(self, chat_id: str) -> float:
        """Return the earliest moment a message to this chat may go."""
        now = self.now()
        gap = GROUP_GAP if chat_id.startswith("-") else PRIVATE_GAP
        last = self._last_by_chat.get(chat_id)
        # A late sender may catch up by one interval, never with a burst.
        moment = max(self._next, self._paused_until, now - self.interval)
        return moment if last is None else max(moment, last + gap)

    async def wait(self, chat_id: str) -> None:
        """Sleep until the next message to this chat may go, then book that slot."""
        while True:
            delay = self.ready_at(chat_id) - self.now()
            if delay <= 0:
                break
            await asyncio.sleep(delay)  # re-check: a 429 may have paused us meanwhile
        self._next = self.ready_at(chat_id) + self.interval
        self._last_by_chat[chat_id] = self.now()
        if len(self._last_by_chat) > 10_000:
            self._forget_old()

    def _forget_old(self) -> None:
        """Drop chats last written to long enough ago that they no longer constrain us."""
        horizon = self.now() - GROUP_GAP
        self._last_by_chat = {c: t for c, t in self._last_by_chat.items() if t > horizon}
