"""FAQ answers on a phone: a short first screen, then "Xem thêm" and "Nguồn" on every channel."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.content.faq_screens import FIRST_SCREEN_MAX_CHARS
from tests.conftest import AppFactory
from tests.helpers import (
    buttons_of,
    labels,
    press,
    press_label,
    say,
    telegram_app,
    telegram_polling,
    texts,
)
from tests.standins.bot_api import BotApiStandIn
from tests.standins.zalo_api import ZaloStandIn
from tests.test_console import chat
from tests.zalo_helpers import serving, zalo_bot_settings

TED = "6ede9afa66b88fe6d6a9"  # the Zalo Bot stand-in's default chat
QUESTION = "học nghề ngắn hạn có được hỗ trợ tiền học không"


def test_answer_is_one_screen_with_a_short_source_line(sqlite_app: App) -> None:
    replies = say(sqlite_app, QUESTION)
    first = replies[0].text
    assert len(first) <= FIRST_SCREEN_MAX_CHARS
    assert "📚 Nguồn: QĐ 46/2015/QĐ-TTg" in first and "http" not in first
    assert labels(replies)[:2] == ["📖 Xem thêm", "🔗 Nguồn"]
    assert "Hữu ích" in " ".join(labels(replies))


def test_more_and_sources_buttons_open_the_rest(sqlite_app: App) -> None:
    replies = say(sqlite_app, QUESTION)
    details = press_label(sqlite_app, replies, "Xem thêm")
    assert "6 triệu: người khuyết tật" in texts(details)  # the full list is behind the button
    assert labels(details) == ["🔗 Nguồn"]
    sources = press_label(sqlite_app, details, "Nguồn")
    assert "🔗 Nguồn của câu trả lời" in texts(sources)
    assert "https://daibieunhandan.vn/" in texts(sources)  # full links live here
    assert labels(sources) == ["📖 Xem thêm"]


@pytest.mark.parametrize(
    "payload",
    ["fqm:khong-co-muc-nay", "fqs:", "fqm:../../etc/passwd", "fqs:HOC-NGHE", "fqm:hoc-nghe:x"],
)
def test_a_forged_screen_button_gets_a_short_polite_reply(sqlite_app: App, payload: str) -> None:
    replies = press(sqlite_app, payload)
    assert len(replies) == 1 and "nút này đã cũ" in replies[0].text
    assert len(replies[0].text) < 200


def test_terminal_shows_the_buttons_as_numbered_lines(sqlite_app: App) -> None:
    output = chat(sqlite_app, f"{QUESTION}\n1\n/thoat\n")
    assert "  1) 📖 Xem thêm" in output and "  2) 🔗 Nguồn" in output
    assert "6 triệu: người khuyết tật" in output  # "1" pressed "Xem thêm"


async def test_telegram_shows_inline_buttons_that_open_the_details(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    async with telegram_polling(telegram_app(make_app, sqlite_url, bot_api)):
        bot_api.user_says(QUESTION)
        await bot_api.wait_for(1)
        answer = bot_api.sent(42)[0]
        assert len(answer["text"]) <= FIRST_SCREEN_MAX_CHARS
        sources = next(b for b in buttons_of(answer) if b["text"] == "🔗 Nguồn")
        bot_api.user_presses(sources["callback_data"])
        await bot_api.wait_for(2)
        assert "https://daibieunhandan.vn/" in bot_api.sent(42)[1]["text"]


async def test_zalo_bot_shows_numbered_choices_that_open_the_details(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    app = make_app(sqlite_url, **zalo_bot_settings(zalo, zalo_bot_poll_timeout=1))
    async with serving(app):
        zalo.bot_user_says(QUESTION)
        await zalo.wait_for(1, "sendMessage")
        answer = zalo.bot_sent(TED)[0]
        number = next(
            line.split(")")[0].strip() for line in answer.splitlines() if ") 📖 Xem thêm" in line
        )
        zalo.bot_user_says(number)
        await zalo.wait_for(2, "sendMessage")
        assert "6 triệu: người khuyết tật" in zalo.bot_sent(TED)[1]
