"""Zalo OA end to end: signed webhook posts to our server, replies recorded by the stand-in."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select

from bot.db.models import User
from bot.db.models_zalo import ZaloEvent, ZaloToken
from tests.conftest import AppFactory, FakeClock
from tests.standins.zalo_api import APP_ID, ZaloStandIn
from tests.zalo_helpers import CITIZEN, buttons_of, now_ms, post_event, serving, zalo_oa_app


async def test_follow_question_and_button_press_end_to_end(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    app = zalo_oa_app(make_app, db_url, zalo)
    async with serving(app) as (runtime, client):
        assert (await client.get("/health")).json() == {"status": "ok"}
        follow = zalo.oa_event("follow", CITIZEN, at_ms=now_ms(clock))
        assert (await post_event(client, follow)).status_code == 200
        await zalo.wait_for(1)
        greeting = zalo.oa_sent(CITIZEN)[0]
        assert "Khuyến học Bot" in greeting["text"]
        assert zalo.calls_to("oa")[0].headers["access_token"] == "acc-0"

        question = zalo.oa_event(
            "user_send_text",
            CITIZEN,
            at_ms=now_ms(clock) + 1,
            text="tuần lễ học tập suốt đời diễn ra khi nào",
        )
        assert (await post_event(client, question)).status_code == 200
        await zalo.wait_for(2)
        await asyncio.sleep(0.2)  # more buttons than Zalo's 5 come in a follow-up message
        answer_messages = zalo.oa_sent(CITIZEN)[1:]
        answer = answer_messages[0]
        assert "10" in answer["text"]
        all_buttons = [b for m in answer_messages for b in buttons_of(m)]
        helpful = next(b for b in all_buttons if "Hữu ích" in b["title"])
        assert helpful["type"] == "oa.query.show"
        assert helpful["payload"].startswith("#btn:")
        assert all(len(buttons_of(m)) <= 5 for m in answer_messages)

        # A query button comes back as a message whose text is the payload.
        sent_so_far = len(zalo.oa_sent(CITIZEN))
        press = zalo.oa_event(
            "user_send_text", CITIZEN, at_ms=now_ms(clock) + 2, text=helpful["payload"]
        )
        await post_event(client, press)
        await zalo.wait_for(sent_so_far + 1)
        assert "cảm ơn" in zalo.oa_sent(CITIZEN)[sent_so_far]["text"].lower()

        sticker = zalo.oa_event("user_send_sticker", CITIZEN, at_ms=now_ms(clock) + 3)
        await post_event(client, sticker)
        await zalo.wait_for(sent_so_far + 2)
        assert "chỉ đọc được tin nhắn chữ" in zalo.oa_sent(CITIZEN)[sent_so_far + 1]["text"]
    with app.sessions() as session:
        user = session.scalars(select(User)).one()
        assert (user.channel, user.external_id, user.active) == ("zalo", CITIZEN, True)


@pytest.mark.parametrize("fault", ["wrong", "missing", "tampered", "other_app", "wrong_secret"])
async def test_bad_signatures_are_refused_and_nothing_is_processed(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, clock: FakeClock, fault: str
) -> None:
    async with serving(zalo_oa_app(make_app, sqlite_url, zalo)) as (runtime, client):
        event = zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text="/start")
        raw = json.dumps(event).encode()
        headers = {"X-ZEvent-Signature": ZaloStandIn.sign(raw)}
        if fault == "wrong":
            headers["X-ZEvent-Signature"] = "mac=" + "0" * 64
        elif fault == "missing":
            headers = {}
        elif fault == "tampered":  # signed, then the text changed on the way
            raw = raw.replace(b"/start", b"/help!")
        elif fault == "other_app":  # a valid MAC, but for another app id
            raw = json.dumps({**event, "app_id": "999"}).encode()
            headers = {"X-ZEvent-Signature": ZaloStandIn.sign(raw)}
        elif fault == "wrong_secret":  # e.g. signed with the App Secret Key instead
            headers = {"X-ZEvent-Signature": ZaloStandIn.sign(raw, secret="app-secret-key")}
        response = await client.post("/zalo/oa", content=raw, headers=headers)
        assert response.status_code == 403
        await runtime.settle()
        assert zalo.calls_to("oa") == []
        with runtime.app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(ZaloEvent)) == 0
            assert session.scalar(select(func.count()).select_from(User)) == 0


async def test_duplicates_answered_once_even_after_a_restart_and_echoes_ignored(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    event = zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text="/help")
    async with serving(zalo_oa_app(make_app, sqlite_url, zalo)) as (runtime, client):
        answers = await asyncio.gather(*(post_event(client, event) for _ in range(3)))
        assert [r.status_code for r in answers] == [200, 200, 200]
        await zalo.wait_for(1)
        for echo in ("oa_send_text", "user_seen_message", "user_received_message"):
            sent = zalo.oa_event(echo, CITIZEN, at_ms=now_ms(clock), text="/help")
            assert (await post_event(client, sent)).status_code == 200
        await runtime.settle()
    assert len(zalo.oa_sent()) == 1

    async with serving(zalo_oa_app(make_app, sqlite_url, zalo)) as (
        restarted,
        client,
    ):  # a new process, same DB
        assert (await post_event(client, event)).status_code == 200  # Zalo's retry
        await restarted.settle()
    assert len(zalo.oa_sent()) == 1


async def test_stale_events_are_dropped(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    async with serving(zalo_oa_app(make_app, sqlite_url, zalo)) as (runtime, client):
        old = now_ms(clock) - 7 * 3600 * 1000  # older than ZALO_OA_EVENT_MAX_AGE_HOURS
        event = zalo.oa_event("user_send_text", CITIZEN, at_ms=old, text="/help")
        assert (await post_event(client, event)).status_code == 200
        await runtime.settle()
        assert zalo.calls_to("oa") == []


async def test_token_expires_mid_conversation(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    app = zalo_oa_app(make_app, db_url, zalo)
    async with serving(app) as (runtime, client):
        first = zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text="/help")
        await post_event(client, first)
        await zalo.wait_for(1)
        zalo.expire_access_token()  # Zalo revoked it (or its 25 hours ran out early)
        clock.advance(minutes=5)
        second = zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text="/start")
        await post_event(client, second)
        await zalo.wait_for(2)
    tokens = [c.headers["access_token"] for c in zalo.calls_to("oa")]
    assert tokens == ["acc-0", "acc-0", "acc-1"]  # refused once, refreshed, retried
    assert "Khuyến học Bot" in zalo.oa_sent(CITIZEN)[1]["text"]
    [refresh] = zalo.calls_to("oauth")
    assert refresh.params == {
        "refresh_token": "ref-0",
        "app_id": APP_ID,
        "grant_type": "refresh_token",
    }
    assert refresh.headers["secret_key"] == "app-secret-key"
    with app.sessions() as session:
        stored = session.get(ZaloToken, APP_ID)
        assert (stored.access_token, stored.refresh_token) == ("acc-1", "ref-1")
        assert (stored.expires_at - stored.obtained_at).total_seconds() == 90000
        assert stored.refreshing_until is None


async def test_an_oversized_body_is_refused_unread(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    event = zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text="x" * 1_100_000)
    async with serving(zalo_oa_app(make_app, sqlite_url, zalo)) as (_runtime, client):
        assert (await post_event(client, event)).status_code == 413
    assert zalo.calls_to("oa") == []
