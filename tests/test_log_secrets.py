"""Tokens and secrets never reach the logs, at any level, from any logger (httpx included)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACT, pseudonym, setup_logging
from tests.conftest import AppFactory
from tests.helpers import say, telegram_polling, texts
from tests.standins.bot_api import BotApiStandIn
from tests.standins.zalo_api import BOT_TOKEN, ZaloStandIn
from tests.zalo_helpers import serving, zalo_bot_settings

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = TOKEN.split(":")[1]


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Log everything the bot's start-up logging set-up lets through into a buffer."""
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    stream = io.StringIO()
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in before[0]:
        root.addHandler(handler)
    root.setLevel(before[1])


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
async def test_telegram_token_is_masked_in_every_log_line(
    make_app: AppFactory,
    sqlite_url: str,
    bot_api: BotApiStandIn,
    captured: io.StringIO,
    caplog: pytest.LogCaptureFixture,
    level: str,
) -> None:
    caplog.set_level(level)
    app = make_app(sqlite_url, telegram_bot_token=TOKEN, telegram_api_base_url=bot_api.base_url)
    setup_logging(level, app.settings.secret_values(), stream=captured)
    async with telegram_polling(app):
        bot_api.user_says("/start")
        bot_api.user_says("học bổng công đoàn là gì")
        await bot_api.wait_for(2)
    written = captured.getvalue()
    assert "HTTP Request" in written  # httpx logged the requests...
    assert "/bot***/" in written  # ...with the token masked
    for text in (written, caplog.text, *(str(r.args) for r in caplog.records)):
        assert SECRET not in text
    if level == "INFO":  # at DEBUG, python-telegram-bot itself logs whole updates
        assert "công đoàn" not in written


async def test_zalo_bot_token_is_masked(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, captured: io.StringIO
) -> None:
    app = make_app(sqlite_url, **zalo_bot_settings(zalo, zalo_bot_poll_timeout=1))
    setup_logging("DEBUG", app.settings.secret_values(), stream=captured)
    async with serving(app):
        zalo.bot_user_says("/help")
        await zalo.wait_for(1, "sendMessage")
    written = captured.getvalue()
    assert "HTTP Request" in written
    assert BOT_TOKEN.split(":")[1] not in written


def test_configured_secrets_and_exceptions_are_masked(captured: io.StringIO) -> None:
    setup_logging("INFO", ["zalo-oa-secret-value"], stream=captured)
    REDACT.add(["refreshed-access-token-1"])
    log = logging.getLogger("tests.secrets")
    log.info("key %s and %s", "zalo-oa-secret-value", "refreshed-access-token-1")
    try:
        raise RuntimeError(f"GET https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        log.exception("request failed")
    written = captured.getvalue()
    assert "zalo-oa-secret-value" not in written and "refreshed-access-token-1" not in written
    assert SECRET not in written and written.count("***") == 3


def test_pseudonym_is_stable_and_hides_the_id() -> None:
    first = pseudonym("telegram", "5550001")
    assert first == pseudonym("telegram", "5550001") != pseudonym("telegram", "5550002")
    assert "5550001" not in first


def test_a_crash_and_a_refusal_log_a_pseudonym_and_no_text(
    make_app: AppFactory,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app(sqlite_url)

    def boom(_question: str) -> None:
        raise RuntimeError("matcher broke")

    monkeypatch.setattr(app.faq_index, "match", boom)
    caplog.set_level(logging.DEBUG)
    crashed = say(app, "học bổng cho con tôi, số 0987654321", user="5550001")
    refused = say(app, "/thongbao", user="5550001")
    assert "trục trặc" in texts(crashed) and "quản trị" in texts(refused)
    levels = {record.levelname for record in caplog.records}
    assert {"ERROR", "WARNING"} <= levels
    assert pseudonym("console", "5550001") in caplog.text
    assert "5550001" not in caplog.text
    assert "0987654321" not in caplog.text and "con tôi" not in caplog.text
