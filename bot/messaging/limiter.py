"""One rate limiter per bot token: a smooth overall rate, a gap per chat, pauses after a 429.

The overall rate is a GCRA: sends are spaced `1/rate` apart, counted when a send starts; a
send that left up to CATCH_UP_SECONDS late (a busy event loop) does not delay the schedule,
a longer stall restarts it from now (no burst to catch up). On top, never more than `burst`
sends in any window of WINDOW_SECONDS (Telegram: 30 a second), nor two to one chat within
its gap, as the messenger sees them: a request reaches it some time after it starts, and
later still when a process stalls. So each send is stamped when it starts and, once its
answer is back, moved later by how much longer it took than the quickest send seen so far
(it may have reached the messenger that much later); a send still unanswered counts as
reaching it now (less the quickest transit ever; before any answer, when it started). The
quickest is the quickest ever, and none until QUICKEST_OF answers came back: the quickest of
only the last few sends would, during a lag on the way out (a busy messenger, new
connections), take the lag for the return trip, and the first send after the lag would land
31 in a second. The windows are measured from these stamps.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterable

WINDOW_SECONDS = 1.0
WINDOW_MARGIN = 0.005  # the stamps carry the transit; this is rounding
CHAT_MARGIN = 0.1
CATCH_UP_SECONDS = 0.02
QUICKEST_OF = 64  # answers needed before the quickest transit is trusted (none before)


def is_group(chat_id: str) -> bool:
    """Return whether a chat is a group or channel (Telegram gives those negative ids)."""
    return chat_id.startswith("-")


class Send:
    """One send as the limiter counts it: when it started, how long its answer took."""

    __slots__ = ("started", "transit")

    def __init__(self, started: float, transit: float | None = None) -> None:
        self.started = started
        self.transit = transit  # None until answered


class RateLimiter:
    """Decide when the next message may go, and book it when it goes.

    One chat gets at most one message per `chat_seconds` (groups: `group_per_minute`);
    a 429 pauses everything for its `retry_after`.
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
        self._next = 0.0  # GCRA: the earliest moment of the next send
        self._paused_until = 0.0
        self._recent: deque[Send] = deque()  # the last `burst` sends
        self._last_by_chat: dict[str, Send] = {}
        self._answers = 0
        self._fastest = float("inf")  # the quickest transit ever answered
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

    @property
    def window(self) -> float:
        """Return how long the messenger may remember a send: a chat's gap or the window."""
        return max(WINDOW_SECONDS + WINDOW_MARGIN, self.group_seconds + CHAT_MARGIN)

    def chat_free_at(self, chat_id: str) -> float:
        """Return the moment the next message to this chat may go."""
        last = self._last_by_chat.get(chat_id)
        if last is None:
            return 0.0
        gap = self.group_seconds if is_group(chat_id) else self.chat_seconds
        return self._stamp(last) + gap + (CHAT_MARGIN if gap else 0.0)

    def busy_chats(self) -> dict[str, float]:
        """Return the chats that must still wait, with the moment each becomes free."""
        now = self.now()
        busy = {}
        for chat_id in list(self._last_by_chat):
            free = self.chat_free_at(chat_id)
            if free > now:
                busy[chat_id] = free
            elif now - self._last_by_chat[chat_id].started > self.window:
                del self._last_by_chat[chat_id]  # forget chats that no longer constrain us
        return busy

    def ready_at(self, chat_id: str) -> float:
        """Return the moment a message to this chat may start."""
        moment = max(self._next, self._paused_until, self.chat_free_at(chat_id))
        if len(self._recent) >= self.burst:
            oldest = self._stamp(self._recent[-self.burst])
            moment = max(moment, oldest + WINDOW_SECONDS + WINDOW_MARGIN)
        return moment

    def take(self, chat_id: str) -> Send:
        """Book a send to this chat starting now (call when `ready_at` has come)."""
        now = self.now()
        on_time = now - self._next <= CATCH_UP_SECONDS  # else it stalled or was idle
        self._next = (self._next if on_time else now) + self.interval
        send = Send(now)
        self._note(chat_id, send)
        return send

    def answered(self, send: Send) -> None:
        """Stamp a send whose answer came back: later by its delay beyond the usual."""
        send.transit = self.now() - send.started
        self._answers += 1
        self._fastest = min(self._fastest, send.transit)

    def seen(self, sends: Iterable[tuple[str, float]]) -> None:
        """Count sends another sender made (chat, seconds ago), e.g. a dead lease holder's."""
        now = self.now()
        ordered = sorted((now - max(0.0, age), chat) for chat, age in sends)
        merged = [*self._recent, *(Send(moment, 0.0) for moment, _chat in ordered)]
        merged.sort(key=lambda send: send.started)
        self._recent = deque(merged[-self.burst :])
        for moment, chat_id in ordered:
            self._last_by_chat[chat_id] = Send(moment, 0.0)
        self._next = max(self._next, now)

    def _stamp(self, send: Send) -> float:
        """Return the latest moment a send may have reached the messenger."""
        if send.transit is not None:
            trusted = self._fastest if self._answers >= QUICKEST_OF else 0.0
            return send.started + max(0.0, send.transit - trusted)
        return max(send.started, self.now() - self._fastest)  # unanswered: it may arrive now

    def _note(self, chat_id: str, send: Send) -> None:
        self._last_by_chat[chat_id] = send
        self._recent.append(send)
        while len(self._recent) > self.burst:
            self._recent.popleft()

    async def acquire(self, chat_id: str) -> Send:
        """Wait until a message to this chat may go, then book it (first come first)."""
        async with self._lock:
            while (delay := self.ready_at(chat_id) - self.now()) > 0:
                await asyncio.sleep(delay)  # re-check: a 429 may have paused us meanwhile
            return self.take(chat_id)
