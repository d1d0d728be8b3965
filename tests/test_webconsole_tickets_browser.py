"""A ticket answered in a real Chromium reaches the citizen on the Bot API stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from tests.browser import PHONE, chromium, screenshot
from tests.conftest import AppFactory
from tests.console_helpers import CONSOLE_SETTINGS, console_running
from tests.handoff_helpers import OUT_OF_SCOPE, STAFF_GROUP, stored_ticket
from tests.helpers import buttons_of, telegram_app
from tests.standins.bot_api import BotApiStandIn
from tests.test_webconsole_ops_browser import log_in

ANSWER = "Dạ, giá lúa hôm nay Anh/Chị xem bản tin nông nghiệp của xã ạ."


@pytest.fixture
async def served(
    make_app: AppFactory, tmp_path: Path, bot_api: BotApiStandIn
) -> AsyncIterator[tuple[App, str]]:
    """The bot on Telegram with a staff group, its console and a staff account "lan"."""
    app = telegram_app(
        make_app, f"sqlite:///{tmp_path / 'tickets.db'}", bot_api, webhook_listen="127.0.0.1",
        staff_chat_id=STAFF_GROUP, **CONSOLE_SETTINGS,
    )  # fmt: skip
    async with console_running(app, "lan", "staff") as base:
        yield app, base


async def test_a_ticket_answered_in_the_browser_reaches_the_citizen(
    served: tuple[App, str], bot_api: BotApiStandIn
) -> None:
    app, base = served
    bot_api.user_says(OUT_OF_SCOPE)
    await bot_api.wait_for(1)
    handover = next(b for b in buttons_of(bot_api.sent(42)[0]) if "cán bộ" in b["text"])
    bot_api.user_presses(handover["callback_data"])
    await bot_api.wait_for(3)  # the citizen's confirmation and the staff group's post
    assert "HK-0001" in bot_api.sent(42)[-1]["text"]
    async with chromium() as browser:
        page = await browser.new_page(viewport=PHONE)  # type: ignore[attr-defined]
        await log_in(page, base, "lan")
        await page.click("header >> text=Câu hỏi cho cán bộ")
        await page.wait_for_selector("[data-ticket=HK-0001][data-state=new]")
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await screenshot(page, "tickets-phone")
        await page.click("[data-ticket=HK-0001]")
        await page.wait_for_selector(f"#thread >> text={OUT_OF_SCOPE}")
        await page.click("button:has-text('Gửi câu trả lời')")  # empty: refused, nothing sent
        await page.wait_for_selector("#problem >> text=Câu trả lời đang trống")
        await page.fill("#text", ANSWER)
        await page.click("button:has-text('Gửi câu trả lời')")
        await page.wait_for_selector("text=Đã gửi câu trả lời")
        assert await page.get_attribute("h1 [data-state]", "data-state") == "answered"
        assert ANSWER in (await page.text_content("#thread") or "")
        # Readable on a phone: no sideways scroll.
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await screenshot(page, "ticket-answered-phone")
        await page.goto(base + "/tickets?show=answered")
        await page.wait_for_selector("[data-ticket=HK-0001][data-state=answered]")
    await bot_api.wait_for(5)  # the answer to the citizen and the note in the staff group
    answers = [m for m in bot_api.sent(42) if "trả lời (HK-0001)" in m["text"]]
    assert len(answers) == 1
    assert answers[0]["text"] == f"💬 Cán bộ Hội Khuyến học trả lời (HK-0001):\n{ANSWER}"
    assert "Gửi thêm cho cán bộ" in str(buttons_of(answers[0]))
    assert stored_ticket(app).state == "answered"
    group = [m["text"] for m in bot_api.sent(int(STAFF_GROUP))]
    assert group[-1] == f"💻 lan đã trả lời HK-0001 trên trang quản trị:\n{ANSWER}"
