"""A sliding-window limit on login attempts per client address, in this process."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

LOGIN_ATTEMPTS = 10  # per client address ...
LOGIN_WINDOW_SECONDS = 60.0  # ... in this many seconds
MAX_TRACKED = 10_000  # addresses remembered at most (oldest forgotten first)


class RateLimiter:
    """Allow at most `limit` events per key in any `window` seconds."""

    def __init__(
        self,
        limit: int = LOGIN_ATTEMPTS,
        window: float = LOGIN_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count one event for the key; return False when it is over the limit."""
        now = self.clock()
        events = self._events.pop(key, None) or deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        self._events[key] = events  # re-inserted: the dict stays oldest-first
        if len(self._events) > MAX_TRACKED:
            self._events.pop(next(iter(self._events)))
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True
