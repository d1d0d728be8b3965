"""Health, readiness and metrics in every mode that serves HTTP; one process on SQLite."""

from __future__ import annotations

import httpx
import pytest

from bot.config import Settings
from bot.messaging.lease import SingleProcessError, SingleProcessGuard
from bot.messaging.limiter import RateLimiter
from bot.runner import Runtime, needs_web_server
from tests.conftest import AppFactory
from tests.helpers import telegram_app
from tests.standins.bot_api import BotApiStandIn


async def test_polling_with_an_explicit_port_serves_health_ready_and_metrics(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, db_url, bot_api, webhook_port=8080, webhook_listen="127.0.0.1")
    assert needs_web_server(app.settings)
    runtime = Runtime(app)
    try:
        port = await runtime.start_channels(port=0)
        assert port is not None and runtime.telegram is not None
        bot_api.user_says("/help")
        await bot_api.wait_for(1)
        await runtime.settle()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            health = await client.get("/health")
            ready = await client.get("/ready")
            metrics = await client.get("/metrics")
    finally:
        await runtime.stop()
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["inbox_pending"] == 0
    text = metrics.text
    assert 'bot_sends_total{channel="telegram",kind="reply",outcome="sent"} 1.0' in text
    assert "bot_inbox_lag_seconds 0.0" in text and "bot_handling_latency_seconds_count" in text


def test_polling_without_a_port_set_serves_nothing() -> None:
    settings = Settings(_env_file=None, telegram_bot_token="1:x")
    assert not needs_web_server(settings)


def test_a_second_process_on_one_sqlite_file_refuses(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    first, second = SingleProcessGuard(url), SingleProcessGuard(url)
    first.acquire()
    with pytest.raises(SingleProcessError, match="one process"):
        second.acquire()
    first.release()
    second.acquire()  # free again once the first stopped
    second.release()


async def test_limiter_spaces_sends_and_keeps_one_second_per_chat() -> None:
    clock = [0.0]
    limiter = RateLimiter(
        rate=1000.0, burst=30, chat_seconds=1.0, group_per_minute=20, clock=lambda: clock[0]
    )
    taken = []
    for index in range(31):
        ready = limiter.ready_at(f"{index}")
        clock[0] = max(clock[0], ready)
        await limiter.acquire(f"{index}")
        taken.append(clock[0])
    assert taken[30] - taken[0] >= 1.0  # the 31st waits for the window of the first 30
    assert limiter.chat_free_at("5") >= taken[5] + 1.0
    assert limiter.chat_free_at("-100") == 0.0 and limiter.group_seconds == 3.0
