"""Real headless Chromium (Debian's package) driven by Playwright, for the console's pages."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "data" / "screenshots"  # git-ignored; for a reviewer's eyes
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def require_chromium() -> None:
    """Skip without Chromium, except under CI=true where browser tests must run."""
    if CHROMIUM.is_file():
        return
    reason = f"{CHROMIUM} not found (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true: browser tests must run)")
    pytest.skip(reason)


@asynccontextmanager
async def chromium() -> AsyncIterator[object]:
    """Launch Debian's Chromium headless and give the browser."""
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def screenshot(page: object, name: str) -> None:
    """Save a full-page screenshot of the page under data/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
