"""One rate limiter per bot token: an overall rate, a gap per chat, and pauses after a 429."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 1.0
# Requests reach the messenger a little earlier or later than they leave: keep some slack.
WINDOW_MARGIN = 0.03
CHAT_MARGIN = 0.1
# A sender that fell behind (a slow database round trip, a pause after a 429) may catch up on
# this much of the schedule; the one-second window above still bounds any burst.
CATCH_UP_SECONDS = 0.5


def is_group(chat_id: str) -> bool:
    """Return whether a chat is a group or channel (Telegram gives those negative ids)."""
    return chat_id.startswith("-")


class RateLimiter:
    """Decide when the next message may go.

    Sends are spaced 1/rate apart and never more than `burst` fall in any window of one
    second (Telegram: about 30 a second overall); one chat gets at most one message per
    `chat_seconds` (groups: `group_per_minute`); a 429 pauses everything.
    """

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        chat_seconds: float,
        group_per_minute: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / rate
        self.burst = max(1, burst)
        self.chat_seconds = chat_seconds
        self.group_seconds = 60.0 / group_per_minute
        self._clock = clock
        self._next = 0.0
        self._paused_until = 0.0
        self._recent: deque[float] = deque()
        self._last_by_chat: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def now(self) -> float:
        """Return the limiter's monotonic time."""
        return self._clock()

    def pause(self, seconds: float) -> None:
        """Hold every send for a while (the messenger answered 429)."""
        self._paused_until = max(self._paused_until, self.now() + seconds)

    @property
    def paused_for(self) -> float:
        """Return how many seconds the pause after a 429 still lasts."""
        return max(0.0, self._paused_until - self.now())

    def chat_free_at(self, chat_id: str) -> float:
        """Return the moment the next message to this chat may go."""
        last = self._last_by_chat.get(chat_id)
        if last is None:
            return 0.0
        gap = self.group_seconds if is_group(chat_id) else self.chat_seconds
        return last + gap + (CHAT_MARGIN if gap else 0.0)

    def busy_chats(self) -> dict[str, float]:
        """Return the chats that must still wait, with the moment each becomes free."""
        now = self.now()
        busy = {}
        for chat_id in list(self._last_by_chat):
            free = self.chat_free_at(chat_id)
            if free > now:
                busy[chat_id] = free
            elif now - self._last_by_chat[chat_id] > self.group_seconds:
                del self._last_by_chat[chat_id]  # forget chats that no longer constrain us
        return busy

    def _ready_at(self, chat_id: str) -> float:
        now = self.now()
        moment = max(self._next, self._paused_until, now - CATCH_UP_SECONDS)
        moment = max(moment, self.chat_free_at(chat_id))
        if len(self._recent) >= self.burst:
            moment = max(moment, self._recent[-self.burst] + WINDOW_SECONDS + WINDOW_MARGIN)
        return moment

    async def acquire(self, chat_id: str) -> None:
        """Wait until a message to this chat may go, then book the slot (first come first)."""
        async with self._lock:
            while True:
                delay = self._ready_at(chat_id) - self.now()
                if delay <= 0:
                    break
                await asyncio.sleep(delay)  # re-check: a 429 may have paused us meanwhile
            now = self.now()
            self._next = max(self._next, now - CATCH_UP_SECONDS) + self.interval
            self._last_by_chat[chat_id] = now
            self._recent.append(now)
            while len(self._recent) > self.burst:
                self._recent.popleft()
