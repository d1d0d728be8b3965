"""Telegram end to end: the real PTB Application against a local Bot API stand-in."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import RateLimited
from bot.channels.telegram import delivery_error
from bot.runner import Runtime
from tests.conftest import AppFactory
from tests.helpers import buttons_of, telegram_app, telegram_polling
from tests.standins.bot_api import BotApiStandIn

SECRET = "s3cret-token_1"


async def test_polling_start_question_and_button_press(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    async with telegram_polling(telegram_app(make_app, db_url, bot_api)):
        commands = [c.params for c in bot_api.calls if c.method == "setMyCommands"]
        assert (
            commands
            and {"command": "start", "description": commands[0]["commands"][0]["description"]}
            in commands[0]["commands"]
        )

        bot_api.user_says("/start")
        await bot_api.wait_for(1)
        greeting = bot_api.sent(42)[0]
        assert "Khuyến học Bot" in greeting["text"]
        assert any(b["text"] == "❓ Hướng dẫn" for b in buttons_of(greeting))

        bot_api.user_says("tuần lễ học tập suốt đời diễn ra khi nào")
        await bot_api.wait_for(2)
        answer = bot_api.sent(42)[1]
        assert "10" in answer["text"]
        helpful = next(b for b in buttons_of(answer) if "Hữu ích" in b["text"])

        bot_api.user_presses(helpful["callback_data"])
        await bot_api.wait_for(3)
        assert "cảm ơn" in bot_api.sent(42)[2]["text"].lower()
        assert "answerCallbackQuery" in bot_api.methods()

        bot_api.user_sends(
            sticker={
                "file_id": "s",
                "file_unique_id": "s",
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            }
        )
        await bot_api.wait_for(4)
        assert "chỉ đọc được tin nhắn chữ" in bot_api.sent(42)[3]["text"]


async def test_webhook_refuses_wrong_secret_and_answers_right_one(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(
        make_app,
        sqlite_url,
        bot_api,
        webhook_url="https://bot.example.vn/telegram",
        webhook_secret=SECRET,
    )
    runtime = Runtime(app)
    port = await runtime.start_webhook_server(port=0)
    try:
        assert bot_api.webhook["url"] == "https://bot.example.vn/telegram"
        assert bot_api.webhook["secret_token"] == SECRET
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/health")).json() == {"status": "ok"}
            update = bot_api.make_update("/start")
            wrong = await client.post(
                "/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            )
            missing = await client.post("/telegram", json=update)
            assert wrong.status_code == 403 and missing.status_code == 403
            await asyncio.sleep(0.3)
            assert bot_api.sent() == []  # nothing was processed

            right = await client.post(
                "/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert right.status_code == 200
            await bot_api.wait_for(1)
            assert "Khuyến học Bot" in bot_api.sent(42)[0]["text"]
    finally:
        await runtime.stop()


async def test_error_in_sending_is_logged_and_bot_keeps_running(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    async with telegram_polling(telegram_app(make_app, sqlite_url, bot_api)):
        bot_api.fail_next["sendMessage"] = {"error_code": 400, "description": "Bad Request: boom"}
        bot_api.user_says("/start")
        await bot_api.wait_for(2)  # the failed send, then the apology
        assert "trục trặc" in bot_api.sent(42)[-1]["text"]
        bot_api.user_says("/help")
        await bot_api.wait_for(3)
        assert "/start" in bot_api.sent(42)[-1]["text"]


def test_rate_limit_reads_retry_after_as_timedelta_or_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as the `khuyenhoc` entry point sets it
    limited = delivery_error(RetryAfter(3))
    assert isinstance(limited, RateLimited) and limited.retry_after == 3.0
    monkeypatch.delenv("PTB_TIMEDELTA")  # embedded without the entry point: PTB warns, still 3 s
    with pytest.warns(PTBDeprecationWarning):
        limited = delivery_error(RetryAfter(3))
    assert isinstance(limited, RateLimited) and limited.retry_after == 3.0
