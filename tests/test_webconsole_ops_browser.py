"""Operations pages in a real Chromium: the dashboard on a phone and a desktop, a notice sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from tests.browser import DESKTOP, PHONE, chromium, screenshot
from tests.conftest import AppFactory
from tests.console_helpers import CONSOLE_SETTINGS, PASSWORD, console_running
from tests.dashboard_helpers import question, registered, steps, user
from tests.standins.bot_api import BotApiStandIn


@pytest.fixture
async def served(
    make_app: AppFactory, tmp_path: Path, bot_api: BotApiStandIn
) -> AsyncIterator[tuple[App, str]]:
    """The bot on Telegram (the stand-in) with its console and background services running."""
    app = make_app(
        f"sqlite:///{tmp_path / 'ops.db'}", webhook_listen="127.0.0.1",
        telegram_bot_token="123:TEST", telegram_api_base_url=bot_api.base_url,
        telegram_bot_username="khuyenhoc_bot", broadcast_poll_seconds=0.2, **CONSOLE_SETTINGS,
    )  # fmt: skip
    async with console_running(app, "an", "admin") as base:
        yield app, base


def fill_week(app: App) -> None:
    """Questions, registrations and steps of this week, on two channels."""
    now = app.now()
    faq_ids = sorted(app.content.faq)
    with app.sessions.begin() as s:
        for n in range(12):
            channel = "telegram" if n % 3 else "zalo"
            citizen = user(s, f"c{n}", channel, now, now)
            status = ("answer", "answer", "clarify", "fallback")[n % 4]
            question(s, citizen, status, now, faq_ids[n % 5] if status == "answer" else None)
            if n % 2:
                registered(s, citizen, ("nguoi-dan", "hoc-sinh")[n % 4 // 2], "xã Lai Vung", now)
            steps(s, citizen, "dangky", ["consent", "full_name", "birth_year"][: 1 + n % 3], now)


async def log_in(page: object, base: str, name: str = "an") -> None:
    await page.goto(base + "/login")  # type: ignore[attr-defined]
    await page.fill("#name", name)  # type: ignore[attr-defined]
    await page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    await page.click("button:has-text('Đăng nhập')")  # type: ignore[attr-defined]


async def test_dashboard_charts_on_a_phone_and_a_desktop(served: tuple[App, str]) -> None:
    app, base = served
    fill_week(app)
    async with chromium() as browser:
        for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
            context = await browser.new_context(viewport=size)  # type: ignore[attr-defined]
            page = await context.new_page()
            await log_in(page, base)
            await page.wait_for_selector("text=Bot phục vụ người dân thế nào")
            assert await page.text_content("[data-figure=asked]") == "12"
            charts = page.locator("svg.chart")
            assert await charts.count() >= 6
            box = await charts.first.bounding_box()
            assert box is not None and 0 < box["width"] <= size["width"]  # no sideways scroll
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"]
            await screenshot(page, f"dashboard-{label}")
            await page.select_option("#channel", "zalo")
            await page.click("button:has-text('Xem')")
            await page.wait_for_selector("#period-label:has-text('Zalo OA')")
            assert await page.text_content("[data-figure=asked]") == "4"
            await context.close()


async def test_a_notice_composed_in_the_browser_reaches_the_citizen(
    served: tuple[App, str], bot_api: BotApiStandIn
) -> None:
    app, base = served
    bot_api.user_says("/start")
    await bot_api.wait_for(1)
    async with chromium() as browser:
        page = await browser.new_page(viewport=PHONE)  # type: ignore[attr-defined]
        await log_in(page, base)
        await page.click("header >> text=Thông báo")
        await page.click("text=Soạn thông báo mới")
        await page.fill("#text", "Lớp tin học miễn phí cho người cao tuổi tối thứ Bảy.")
        await page.fill("#buttons", "Xem lịch | https://dongthap.gov.vn/lich")
        await page.wait_for_selector("#live-count[data-count='1']")
        await screenshot(page, "notice-compose-phone")
        await page.click("button:has-text('Xem trước')")
        await page.wait_for_selector("[data-preview]")
        assert "📢 THÔNG BÁO" in (await page.text_content("[data-preview]") or "")
        await screenshot(page, "notice-preview-phone")
        await page.click("button:has-text('Gửi ngay')")
        await page.wait_for_selector("[data-status=done]", timeout=20_000)
        assert await page.text_content("[data-count=sent]") == "1"
        await screenshot(page, "notice-sent-phone")
    await bot_api.wait_for(2)
    notice = bot_api.sent(42)[-1]
    assert "Lớp tin học miễn phí cho người cao tuổi" in notice["text"]
    assert notice["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://dongthap.gov.vn/lich"
    await asyncio.sleep(0)
