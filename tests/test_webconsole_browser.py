"""The curator's flows in a real Chromium: a phrasing published and answered; an Excel error."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.app import App
from bot.runner import Runtime
from tests.browser import DESKTOP, PHONE, chromium, screenshot
from tests.conftest import AppFactory
from tests.console_helpers import CONSOLE_SETTINGS, ENTRY, PASSWORD, QUESTION, add_account, seed
from tests.helpers import run_cli, say


@pytest.fixture
async def served(make_app: AppFactory, tmp_path: Path) -> AsyncIterator[tuple[App, str]]:
    """The bot with its console on a real web server (the database the CLI also reads)."""
    app = make_app(
        f"sqlite:///{tmp_path / 'cli.db'}", webhook_listen="127.0.0.1", **CONSOLE_SETTINGS
    )
    seed(app)
    add_account(app, "lan", "curator")
    runtime = Runtime(app)
    port = await runtime.start_channels(port=0)
    try:
        yield app, f"http://127.0.0.1:{port}/console"
    finally:
        await runtime.stop()


async def log_in(page: object, base: str) -> None:
    await page.goto(base + "/")  # type: ignore[attr-defined]
    await page.fill("#name", "lan")  # type: ignore[attr-defined]
    await page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    await page.click("button:has-text('Đăng nhập')")  # type: ignore[attr-defined]
    await page.wait_for_selector("text=Xin chào lan")  # type: ignore[attr-defined]


async def test_a_curator_turns_an_unanswered_question_into_an_answer(
    served: tuple[App, str], tmp_path: Path
) -> None:
    app, base = served
    await asyncio.to_thread(say, app, QUESTION)
    entry_question = app.content.faq[ENTRY].question
    async with chromium() as browser:
        for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
            context = await browser.new_context(viewport=size)  # type: ignore[attr-defined]
            page = await context.new_page()
            await page.goto(base + "/login")
            await screenshot(page, f"login-{label}")
            await log_in(page, base)
            await page.click("header >> text=Câu hỏi chưa trả lời")
            card = page.locator(f"div.card[data-question='{QUESTION}']")
            await card.wait_for()
            await screenshot(page, f"unanswered-{label}")
            await page.goto(base + f"/faq/{ENTRY}")
            await screenshot(page, f"faq-edit-{label}")
            await context.close()

        page = await browser.new_page(viewport=PHONE)  # type: ignore[attr-defined]
        await log_in(page, base)
        await page.goto(base + "/unanswered")
        card = page.locator(f"div.card[data-question='{QUESTION}']")
        await card.locator(
            f"button:has-text('Thêm làm cách hỏi của mục «{entry_question}»')"
        ).click()
        await page.wait_for_selector("text=Đã thêm vào bản nháp")
        await page.click("header >> text=Bản nháp")
        await page.wait_for_selector("text=Số đo trên các bộ câu hỏi kiểm tra")
        await screenshot(page, "draft-phone")
        await page.click("button:has-text('Đăng phiên bản mới')")
        await page.wait_for_selector("text=Đã đăng")
        await screenshot(page, "published-phone")
        assert "Phiên bản 2 (đang dùng)" in await page.inner_text("h1")
        for name in ("versions", "faq", "files/out_of_scope.yaml"):
            await page.goto(f"{base}/{name}")
            await screenshot(page, name.split("/")[0] + "-phone")

    asked = await asyncio.to_thread(run_cli, ["ask", QUESTION, "--json"], tmp_path)
    decision = json.loads(asked.stdout)
    assert (decision["status"], decision["id"]) == ("answer", ENTRY)
    assert app.content.faq[ENTRY].answer.splitlines()[0] in decision["reply"]


async def test_an_uploaded_workbook_with_a_bad_row_shows_the_row(
    served: tuple[App, str], tmp_path: Path
) -> None:
    _app, base = served
    async with chromium() as browser:
        page = await browser.new_page(viewport=DESKTOP)  # type: ignore[attr-defined]
        await log_in(page, base)
        await page.click("header >> text=Excel")
        async with page.expect_download() as info:
            await page.click("text=Tải tệp faq.xlsx")
        download = await info.value
        path = tmp_path / "faq.xlsx"
        await download.save_as(path)
        book = load_workbook(path)
        book.active.cell(4, 2).value = "ab"  # row 4: a question too short for a button
        buffer = io.BytesIO()
        book.save(buffer)
        path.write_bytes(buffer.getvalue())
        await page.set_input_files("#file", str(path))
        await page.click("button:has-text('Đưa lên bản nháp')")
        table = page.locator("#row-problems")
        await table.wait_for()
        text = await table.inner_text()
        assert "Dòng 4" in text and "Quá ngắn: cần ít nhất 3 ký tự." in text
        assert "1 dòng có lỗi" in await page.inner_text("main")
        await screenshot(page, "excel-error-desktop")
        await page.set_viewport_size(PHONE)
        await screenshot(page, "excel-error-phone")
