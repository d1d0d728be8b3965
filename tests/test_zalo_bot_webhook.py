"""The Zalo Bot webhook: a body size limit and one answer per message_id."""

from __future__ import annotations

import json

from tests.conftest import AppFactory
from tests.standins.zalo_api import ZaloStandIn
from tests.zalo_helpers import serving, zalo_bot_settings

SECRET = "zalo-bot-secret-1"
WEBHOOK = "https://bot.example.vn/zalo/bot"
TED = "6ede9afa66b88fe6d6a9"
HEADERS = {"X-Bot-Api-Secret-Token": SECRET}


async def test_a_body_over_one_megabyte_is_refused_unread(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    settings = zalo_bot_settings(
        zalo, zalo_bot_webhook_url=WEBHOOK, zalo_bot_webhook_secret=SECRET
    )
    async with serving(make_app(sqlite_url, **settings)) as (runtime, client):
        update = zalo.bot_update("x" * 5_000_000)  # 5 MB of text
        raw = json.dumps(update).encode()
        answer = await client.post("/zalo/bot", content=raw, headers=HEADERS)
        assert answer.status_code == 413
        await runtime.settle()
    assert zalo.bot_sent() == []


async def test_the_same_message_id_twice_is_answered_once(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn
) -> None:
    settings = zalo_bot_settings(
        zalo, zalo_bot_webhook_url=WEBHOOK, zalo_bot_webhook_secret=SECRET
    )
    async with serving(make_app(db_url, **settings)) as (runtime, client):
        update = zalo.bot_update("/help")
        for body in (update, {"ok": True, "result": update}):  # a retry, wrapped or not
            assert (await client.post("/zalo/bot", json=body, headers=HEADERS)).is_success
        await runtime.settle()
        other = zalo.bot_update("/help")  # a new message id: answered
        assert (await client.post("/zalo/bot", json=other, headers=HEADERS)).is_success
        await runtime.settle()
    assert len(zalo.bot_sent(TED)) == 2
