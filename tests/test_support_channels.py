"""The /hotro finder end to end: the terminal with numbered buttons, and Telegram."""

from __future__ import annotations

import asyncio

from tests.conftest import AppFactory
from tests.helpers import buttons_of, telegram_polling
from tests.standins.bot_api import BotApiStandIn
from tests.test_console import chat


def test_terminal_finder_with_numbered_buttons(make_app: AppFactory, sqlite_url: str) -> None:
    # /hotro; 2 = for my child; 1 = union member; 2 = THCS; 2 = near-poor; 1 = see more.
    output = chat(make_app(sqlite_url), "/hotro\n2\n1\n2\n2\n1\n/thoat\n")
    assert "Anh/Chị tìm hỗ trợ cho ai" in output
    assert "  2) 👧 Cho con/cháu tôi" in output
    assert "Bố hoặc mẹ của cháu là" in output
    assert "Hoàn cảnh gia đình" in output
    assert "1. Quỹ Tấm lòng Vàng" in output
    assert "4. Học bổng VNSF" in output  # the second page, after "Xem thêm"
    assert "THCS: 1,25 triệu đồng" in output
    assert "Traceback" not in output


def find_button(messages: list[dict], label_part: str) -> str:
    for params in reversed(messages):
        for item in buttons_of(params):
            if label_part in item["text"]:
                return item["callback_data"]
    raise AssertionError(f"no button {label_part!r}")


async def wait_for_footer(bot_api: BotApiStandIn) -> None:
    """Wait until the results' footer (with "Tìm lại") has been sent."""
    for _ in range(500):
        if any("Tìm lại" in b["text"] for m in bot_api.sent(42) for b in buttons_of(m)):
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("no results footer")


async def test_telegram_finder_pressing_the_bots_buttons(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = make_app(db_url, telegram_bot_token="123:TEST", telegram_api_base_url=bot_api.base_url)
    async with telegram_polling(app):
        commands = next(c.params for c in bot_api.calls if c.method == "setMyCommands")
        assert "hotro" in [c["command"] for c in commands["commands"]]
        bot_api.user_says("/start")
        await bot_api.wait_for(1)
        bot_api.user_presses(find_button(bot_api.sent(42), "Tìm hỗ trợ học tập"))
        await bot_api.wait_for(2)
        assert "tìm hỗ trợ cho ai" in bot_api.sent(42)[-1]["text"]
        for count, label in enumerate(["bản thân", "Nông dân", "Học nghề", "Hộ cận nghèo"], 3):
            bot_api.user_presses(find_button(bot_api.sent(42), label))
            await bot_api.wait_for(count)
        await wait_for_footer(bot_api)  # the last press: intro, results, footer
        first = next(m for m in bot_api.sent(42) if m["text"].startswith("1. "))
        assert first["text"].startswith("1. Hỗ trợ học nghề ngắn hạn (QĐ 46/2015)")
        assert "Hộ cận nghèo: tối đa 2,5 triệu đồng" in first["text"]
        assert "chưa xác nhận QĐ 46/2015" in first["text"]  # the [?] caveat is shown
        sent_before = len(bot_api.sent(42))
        bot_api.user_presses(find_button([first], "Hỏi thêm"))
        await bot_api.wait_for(sent_before + 1)
        assert "QĐ 46/2015" in bot_api.sent(42)[-1]["text"]  # the FAQ answer on vocations
        assert "Nguồn" in bot_api.sent(42)[-1]["text"]
