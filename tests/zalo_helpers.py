"""Shared set-up for the Zalo tests: the stand-in, apps wired to it, signed webhook posts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from bot.app import App
from bot.runner import Runtime
from tests.conftest import AppFactory, FakeClock
from tests.standins.zalo_api import APP_ID, APP_SECRET_KEY, BOT_TOKEN, OA_SECRET_KEY, ZaloStandIn

CITIZEN = "6142494823000000001"
OA_PATH = "/zalo/oa"


def zalo_oa_settings(zalo: ZaloStandIn) -> dict[str, str]:
    """Return the settings of the Zalo OA channel against the stand-in."""
    return {
        "zalo_oa_app_id": APP_ID,
        "zalo_oa_secret_key": OA_SECRET_KEY,
        "zalo_app_secret_key": APP_SECRET_KEY,
        "zalo_oa_access_token": "acc-0",
        "zalo_oa_refresh_token": "ref-0",
        "zalo_oa_api_base_url": zalo.base_url,
        "zalo_oauth_base_url": zalo.base_url,
    }


def zalo_oa_app(make_app: AppFactory, url: str, zalo: ZaloStandIn, **extra: object) -> App:
    """Build an app with the Zalo OA channel pointed at the stand-in."""
    return make_app(url, **{**zalo_oa_settings(zalo), **extra})


def zalo_bot_settings(zalo: ZaloStandIn, **extra: object) -> dict[str, object]:
    """Return the settings of the Zalo Bot channel against the stand-in."""
    return {"zalo_bot_token": BOT_TOKEN, "zalo_bot_base_url": zalo.base_url, **extra}


def now_ms(clock: FakeClock) -> int:
    """Return the fake clock as Zalo's epoch milliseconds."""
    return int(clock().timestamp() * 1000)


async def post_event(
    client: httpx.AsyncClient, event: dict[str, Any], *, signature: str | None = "right"
) -> httpx.Response:
    """POST an event as Zalo does: raw JSON body, signed unless told otherwise."""
    raw = json.dumps(event, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "right":
        headers["X-ZEvent-Signature"] = ZaloStandIn.sign(raw)
    elif signature is not None:
        headers["X-ZEvent-Signature"] = signature
    return await client.post(OA_PATH, content=raw, headers=headers)


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the buttons of an OA message."""
    attachment = message.get("attachment") or {}
    return list(attachment.get("payload", {}).get("buttons", []))


@asynccontextmanager
async def serving(app: App) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient | None]]:
    """Start every configured channel; yield the runtime and a client of its web server."""
    runtime = Runtime(app)
    try:
        port = await runtime.start_channels(port=0)
        if port is None:
            yield runtime, None
            return
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield runtime, client
    finally:
        await runtime.stop()
