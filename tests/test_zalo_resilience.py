"""A failed OA token refresh never silences the OA; a refusal reaches the admins."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import AuditLog
from bot.db.models_messaging import OutboxMessage
from tests.conftest import AppFactory, FakeClock
from tests.standins.bot_api import BotApiStandIn
from tests.standins.zalo_api import ZaloStandIn
from tests.zalo_helpers import CITIZEN, now_ms, post_event, serving, zalo_oa_app

REFUSED = {"error": -14014, "error_name": "Invalid refresh token"}
ADMIN = 777


def break_refresh(zalo: ZaloStandIn, how: str) -> None:
    """Make the OAuth endpoint fail the way Zalo does."""
    if how == "refused":
        zalo.refresh_error = REFUSED
    elif how == "rate_limited":
        zalo.refresh_error = {"error": -32, "message": "reached limit call api"}
    else:
        zalo.refresh_status = {"http_500": 500, "http_502_page": 502}[how]


@pytest.mark.parametrize("how", ["http_500", "http_502_page", "rate_limited", "refused"])
async def test_replies_go_on_with_the_valid_token_when_the_refresh_fails(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock, how: str
) -> None:
    app = zalo_oa_app(make_app, db_url, zalo)
    async with serving(app) as (_runtime, client):
        clock.advance(hours=21)  # 84 % of the 25 h life: the refresh is due, the token valid
        break_refresh(zalo, how)
        await post_event(
            client, zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text="hi")
        )
        await zalo.wait_for(1)
        tries = len(zalo.calls_to("oauth"))
        assert tries == 1
        clock.advance(seconds=30)  # within the first back-off pause: no new attempt
        event = zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text="chào")
        await post_event(client, event)
        await zalo.wait_for(2)
        assert len(zalo.calls_to("oauth")) == tries
        clock.advance(seconds=31)  # the pause is over: one more attempt, and it works now
        zalo.refresh_error, zalo.refresh_status = None, 200
        event = zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text="xin chào")
        await post_event(client, event)
        await zalo.wait_for(3)
    sent = zalo.calls_to("oa")
    assert [c.headers["access_token"] for c in sent if c.headers.get("accepted")][:2] == [
        "acc-0",
        "acc-0",
    ]
    assert sent[-1].headers["access_token"] == "acc-1"
    assert len(zalo.calls_to("oauth")) == tries + 1


async def test_a_refusal_is_audited_and_told_to_the_telegram_admins_once(
    make_app: AppFactory,
    db_url: str,
    zalo: ZaloStandIn,
    bot_api: BotApiStandIn,
    clock: FakeClock,
) -> None:
    extra: dict[str, Any] = {
        "telegram_bot_token": "123:TEST",
        "telegram_api_base_url": bot_api.base_url,
        "admin_ids": (f"telegram:{ADMIN}",),
    }
    app = zalo_oa_app(make_app, db_url, zalo, **extra)
    async with serving(app) as (_runtime, client):
        clock.advance(hours=21)
        zalo.refresh_error = REFUSED
        for number, text in enumerate(("một", "hai"), start=1):
            clock.advance(minutes=2)  # past each back-off pause: a new attempt each time
            event = zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text=text)
            await post_event(client, event)
            await zalo.wait_for(number)
        await bot_api.wait_for(1)
    alerts = bot_api.sent(ADMIN)
    assert len(alerts) == 1 and "Zalo từ chối gia hạn" in alerts[0]["text"]
    assert len(zalo.calls_to("oauth")) == 2
    with app.sessions() as session:
        rows = list(
            session.scalars(select(AuditLog).where(AuditLog.action == "zalo_token_refused"))
        )
    assert len(rows) == 1 and "-14014" in rows[0].detail and rows[0].result == "error"


async def test_an_expired_token_with_a_failing_refresh_is_not_used(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    app = zalo_oa_app(make_app, sqlite_url, zalo)
    async with serving(app) as (runtime, client):
        clock.advance(hours=26)  # past its 25 h: no message can go with it
        zalo.refresh_status = 500
        await post_event(
            client, zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text="hi")
        )
        assert runtime.zalo_oa is not None
        await runtime.settle(messages=False)  # the reply waits in the outbox for a token
        await asyncio.sleep(0.5)
        with app.sessions() as session:
            (row,) = session.scalars(select(OutboxMessage)).all()
        assert row.status in ("pending", "sending") and row.attempts >= 1
    assert zalo.calls_to("oa") == []
