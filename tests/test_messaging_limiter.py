"""The rate limiter on a fake clock: spacing, the one-second window, stalls, late arrivals."""

from __future__ import annotations

from bot.messaging.limiter import WINDOW_SECONDS, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def limiter(clock: Clock, rate: float = 30.0) -> RateLimiter:
    return RateLimiter(rate=rate, burst=30, chat_seconds=1.0, group_per_minute=20, clock=clock)


def send_when_ready(limit: RateLimiter, clock: Clock, chat: str, transit: float = 0.005):
    clock.now = max(clock.now, limit.ready_at(chat))
    send = limit.take(chat)
    clock.now += transit
    limit.answered(send)
    clock.now -= transit
    return send


def most_in_a_window(moments: list[float]) -> int:
    moments = sorted(moments)
    best, start = 0, 0
    for end, moment in enumerate(moments):
        while moment - moments[start] >= WINDOW_SECONDS:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_sends_are_spaced_and_never_more_than_30_fall_in_one_second() -> None:
    clock = Clock()
    limit = limiter(clock)
    starts = [send_when_ready(limit, clock, str(n)).started for n in range(300)]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 1 / 30 - 1e-9
    assert most_in_a_window(starts) == 30
    assert 300 / (starts[-1] - starts[0]) >= 28.5  # the window costs a little of 30/s


def test_a_stall_restarts_the_schedule_without_a_burst() -> None:
    clock = Clock()
    limit = limiter(clock)
    for n in range(10):
        send_when_ready(limit, clock, str(n))
    clock.now += 0.5  # the event loop was busy
    starts = [send_when_ready(limit, clock, f"after-{n}").started for n in range(10)]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 1 / 30 - 0.02 - 1e-9  # at most CATCH_UP_SECONDS early, never a burst


def test_a_send_answered_slowly_counts_as_reaching_the_messenger_late() -> None:
    clock = Clock()
    limit = limiter(clock)
    slow = send_when_ready(limit, clock, "0", transit=0.2)  # stalled on its way out
    for n in range(1, 30):
        send_when_ready(limit, clock, str(n))
    # The 31st waits a second after the moment the slow one may have arrived, not its start.
    assert limit.ready_at("30") >= slow.started + (0.2 - 0.005) + WINDOW_SECONDS


def test_after_a_long_lag_on_the_way_out_the_messenger_never_sees_31_in_a_second() -> None:
    clock = Clock()
    limit = limiter(clock)
    arrivals = []
    for n in range(300):  # 100 sends held up 50 ms on their way out (a busy messenger), then none
        lag = 0.05 if 100 <= n < 200 else 0.0
        clock.now = max(clock.now, limit.ready_at(str(n)))
        send = limit.take(str(n))
        arrivals.append(send.started + lag)
        clock.now += lag + 0.001  # the answer comes straight back
        limit.answered(send)
        clock.now -= lag + 0.001
    assert most_in_a_window(arrivals) <= 30
    assert 300 / (arrivals[-1] - arrivals[0]) >= 28.5


def test_one_chat_waits_a_second_and_a_group_three() -> None:
    clock = Clock()
    limit = limiter(clock)
    first = send_when_ready(limit, clock, "42")
    group = send_when_ready(limit, clock, "-100")
    assert limit.chat_free_at("42") >= first.started + 1.0
    assert limit.chat_free_at("-100") >= group.started + 3.0
    assert "42" in limit.busy_chats() and "7" not in limit.busy_chats()


def test_a_new_lease_holder_heeds_what_the_last_one_sent() -> None:
    clock = Clock()
    limit = limiter(clock)
    # The dead holder sent 30 in the last half second, one of them to chat 42 just now.
    limit.seen([(str(n), 0.5 - n / 60) for n in range(29)] + [("42", 0.0)])
    assert limit.ready_at("7") >= clock.now - 0.5 + WINDOW_SECONDS
    assert limit.chat_free_at("42") >= clock.now + 1.0


def test_a_429_pauses_every_send() -> None:
    clock = Clock()
    limit = limiter(clock)
    limit.pause(3.0)
    assert limit.paused_for == 3.0 and limit.ready_at("1") >= clock.now + 3.0
