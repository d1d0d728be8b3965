"""The outbox sender: retries after 429 and 5xx, Telegram's flood limits, priorities."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db import repo_outbox
from bot.db.models_messaging import OutboxMessage
from bot.messages import Address, Reply
from tests.conftest import AppFactory
from tests.helpers import telegram_app, telegram_polling
from tests.standins.bot_api import BotApiStandIn

QUESTION = "tuần lễ học tập suốt đời diễn ra khi nào"


def queue(app: App, chat_id: str, text: str, *, kind: str = "reply", count: int = 1) -> None:
    with app.sessions.begin() as session:
        for _ in range(count):
            repo_outbox.enqueue(
                session, reply=Reply(text), kind=kind, channel="telegram", chat_id=chat_id
            )


async def test_reply_met_by_429_arrives_after_retry_after(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, db_url, bot_api)
    bot_api.fail_next["sendMessage"] = {
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    async with telegram_polling(app):
        bot_api.user_says(QUESTION)
        await bot_api.wait_for(2)
    first, second = [c for c in bot_api.calls if c.method == "sendMessage"]
    assert second.at - first.at >= 0.95
    assert first.params["text"] == second.params["text"] and "10" in second.params["text"]


async def test_questions_during_a_429_storm_are_all_answered_after_it(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, sqlite_url, bot_api)
    bot_api.storm_until = time.monotonic() + 3.0
    async with telegram_polling(app) as runtime:
        for user in range(501, 506):
            bot_api.user_says(QUESTION, user_id=user)
        await asyncio.sleep(3.0)
        await runtime.settle(timeout=15)
    for user in range(501, 506):
        assert any("10" in m["text"] for m in bot_api.sent(user))
    assert bot_api.too_many_requests >= 1
    assert sum(bot_api.duplicates().values()) == 0


async def test_server_and_network_errors_back_off_and_resend(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, sqlite_url, bot_api, send_retry_seconds=0.2)
    bot_api.server_errors = 2
    async with telegram_polling(app) as runtime:
        bot_api.user_says("/help")
        await bot_api.wait_for(3)
        await runtime.settle()
    sends = [c for c in bot_api.calls if c.method == "sendMessage"]
    assert len(sends) == 3 and sends[2].at - sends[1].at >= 0.35  # 0.2 s, then 0.4 s
    assert bot_api.duplicates() == {}


async def test_final_failure_is_recorded_counted_and_apologised_for(
    make_app: AppFactory,
    sqlite_url: str,
    bot_api: BotApiStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.messaging.sender")
    app = telegram_app(make_app, sqlite_url, bot_api)
    bot_api.fail_next["sendMessage"] = {"error_code": 400, "description": "Bad Request: boom"}
    async with telegram_polling(app) as runtime:
        bot_api.user_says("/help")
        await bot_api.wait_for(2)
        await runtime.settle()
        metrics = runtime.core.metrics.render().decode()
    with app.sessions() as session:
        failed = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed"))
        (row,) = list(failed)
    assert "boom" in (row.error or "").lower() and row.kind == "reply"
    assert "trục trặc" in bot_api.sent(42)[-1]["text"]
    assert 'bot_sends_total{channel="telegram",kind="reply",outcome="failed"} 1.0' in metrics
    assert "failed: " in caplog.text and "telegram:42" not in caplog.text  # a pseudonym only


async def test_reply_addressed_to_another_chat_goes_there(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, sqlite_url, bot_api)
    async with telegram_polling(app) as runtime:
        with app.sessions.begin() as session:
            repo_outbox.enqueue(
                session,
                reply=Reply("Phiếu hỗ trợ mới", to=Address("telegram", "-100777")),
                kind="staff",
                channel="telegram",
                chat_id="42",
            )
        runtime.core.wake_senders()
        await runtime.settle()
    assert [m["text"] for m in bot_api.sent("-100777")] == ["Phiếu hỗ trợ mới"]
    assert bot_api.sent(42) == []


async def test_flood_limits_hold_without_a_single_429(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, sqlite_url, bot_api, send_chat_seconds=1.0)
    bot_api.flood_control = True
    # The stand-in shares the bot's event loop here, so it may see a request late; 0.9 s per
    # chat leaves it that slack (bench_messaging measures against a stand-in of its own).
    bot_api.per_chat_seconds = 0.9
    for chat in range(20):
        queue(app, str(6000 + chat), "Thông báo", kind="broadcast", count=3)
    async with telegram_polling(app) as runtime:
        await runtime.settle(timeout=20)
    assert len(bot_api.accepted) == 60 and bot_api.too_many_requests == 0
    overall, _per_chat = bot_api.worst_flood()
    assert overall <= 30
    for chat in range(20):
        times = [t for t, c in bot_api.accepted if c == str(6000 + chat)]
        assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.9


async def test_reply_overtakes_a_queued_broadcast(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, sqlite_url, bot_api, send_rate=20.0)
    for chat in range(200):
        queue(app, str(7000 + chat), "Thông báo", kind="broadcast")
    async with telegram_polling(app):
        await bot_api.wait_for(5)
        asked = time.monotonic()
        bot_api.user_says("/help")
        while not bot_api.sent(42):
            await asyncio.sleep(0.01)
        answered = time.monotonic() - asked
        left = 200 - len(bot_api.delivered_chats("Thông báo"))
    assert answered < 1.5 and left > 100  # answered long before the notices are through
