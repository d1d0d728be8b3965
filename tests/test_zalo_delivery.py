"""Zalo OA sending: long replies split, buttons, attachments and the error codes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.app import App
from bot.channels.zalo_oa import ZaloOAChannel
from bot.db import repo_users
from bot.db.base import utcnow
from bot.db.models import User
from bot.messages import Attachment, Button, Reply, button_rows
from tests.conftest import AppFactory, FakeClock
from tests.helpers import send_via_outbox
from tests.standins.zalo_api import ZaloStandIn
from tests.zalo_helpers import CITIZEN, buttons_of, now_ms, post_event, serving, zalo_oa_app


@pytest.fixture
async def channel(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn
) -> AsyncIterator[ZaloOAChannel]:
    oa = ZaloOAChannel(zalo_oa_app(make_app, sqlite_url, zalo))
    await oa.start()
    yield oa
    await oa.stop()


def citizen(app: App, external_id: str = CITIZEN) -> int:
    with app.sessions.begin() as session:
        user = repo_users.touch_user(
            session,
            channel="zalo",
            external_id=external_id,
            chat_id=external_id,
            display_name="",
            now=app.now(),
        )
        session.flush()
        return user.id


async def test_long_reply_is_split_on_sentences_with_buttons_on_the_last_part(
    channel: ZaloOAChannel, zalo: ZaloStandIn
) -> None:
    sentence = "Hội Khuyến học xã trao học bổng cho học sinh vượt khó học giỏi. "
    text = (sentence * 70).strip()  # about 4,500 characters
    reply = Reply(text, button_rows([Button("👍 Hữu ích", payload="fb:y:1")]))
    message_id = await channel.send(CITIZEN, reply)
    parts = zalo.oa_sent(CITIZEN)
    assert len(parts) == 3 and message_id == "oam3"
    assert all(len(p["text"]) <= 2000 for p in parts)
    assert all(p["text"].endswith(".") for p in parts)
    assert " ".join(p["text"] for p in parts) == text
    assert [len(buttons_of(p)) for p in parts] == [0, 0, 1]


async def test_more_than_five_buttons_go_on_in_a_second_message(
    channel: ZaloOAChannel, zalo: ZaloStandIn
) -> None:
    buttons = [Button(f"Mục {n}", payload=f"faq:{n}") for n in range(7)]
    buttons.append(Button("Cổng DVC", url="https://dichvucong.gov.vn"))
    await channel.send(CITIZEN, Reply("Anh/Chị chọn giúp em:", button_rows(buttons)))
    first, second = zalo.oa_sent(CITIZEN)
    assert [b["payload"] for b in buttons_of(first)] == [f"#btn:faq:{n}" for n in range(5)]
    assert buttons_of(second)[-1] == {
        "title": "Cổng DVC",
        "type": "oa.open.url",
        "payload": {"url": "https://dichvucong.gov.vn"},
    }
    assert "chọn thêm" in second["text"]


async def test_attachment_is_uploaded_and_sent_after_its_text_and_edit_sends_anew(
    channel: ZaloOAChannel, zalo: ZaloStandIn
) -> None:
    reply = Reply("Mẫu đơn đây ạ.", attachment=Attachment("mau-don.pdf", b"%PDF"))
    await channel.send(CITIZEN, reply)
    await channel.edit(CITIZEN, "oam1", Reply("Đã cập nhật."))
    text, file, edited = zalo.oa_sent(CITIZEN)
    assert text == {"text": "Mẫu đơn đây ạ."}
    token = file["attachment"]["payload"]["token"]
    assert file["attachment"]["type"] == "file" and zalo.uploads[token] == ("mau-don.pdf", b"%PDF")
    assert edited["text"] == "Đã cập nhật."


@pytest.mark.parametrize(
    ("code", "status", "active"),
    [
        (-213, "blocked", False),  # not following the OA
        (-227, "blocked", False),  # banned or inactive for 45 days
        (-230, "failed", True),  # no interaction in 7 days: unreachable, recorded
        (-232, "failed", True),
        (-32, "pending", True),  # rate limited: resent later
    ],
)
async def test_error_codes_become_delivery_outcomes(
    channel: ZaloOAChannel, zalo: ZaloStandIn, code: int, status: str, active: bool
) -> None:
    app = channel.app
    user_id = citizen(app)
    zalo.user_errors[CITIZEN] = code
    row = await send_via_outbox(
        app, channel, user_id=user_id, chat_id=CITIZEN, reply=Reply("Hi")
    )
    assert row.status == status and str(code) in (row.error or "")
    if status == "pending":
        assert row.retry_at is not None and row.retry_at > utcnow()
    if code in (-230, -232):
        assert "unreachable" in (row.error or "")
    with app.sessions() as session:
        assert session.get(User, user_id).active is active


async def test_a_broadcast_reports_who_could_not_be_reached(
    channel: ZaloOAChannel, zalo: ZaloStandIn
) -> None:
    app = channel.app
    ids = {name: citizen(app, name) for name in ("an", "binh", "chi")}
    zalo.user_errors["binh"] = -230
    rows = {
        name: await send_via_outbox(app, channel, user_id=uid, chat_id=name, reply=Reply("Tin"))
        for name, uid in ids.items()
    }
    statuses = {n: r.status for n, r in rows.items()}
    assert statuses == {"an": "sent", "binh": "failed", "chi": "sent"}
    assert "unreachable" in (rows["binh"].error or "")


async def test_night_refusal_waits_until_six_in_the_morning(
    channel: ZaloOAChannel, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))  # 23:00 in Vietnam
    zalo.fail_next.append(-234)
    before = utcnow()
    row = await send_via_outbox(
        channel.app, channel, user_id=citizen(channel.app), chat_id=CITIZEN, reply=Reply("x")
    )
    assert row.status == "pending" and row.retry_at is not None
    waited = (row.retry_at - before).total_seconds()
    assert 7 * 3600 - 5 <= waited <= 7 * 3600 + 5


async def test_unfollow_marks_inactive_and_follow_greets_again(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    app = zalo_oa_app(make_app, sqlite_url, zalo)
    async with serving(app) as (runtime, client):
        await post_event(client, zalo.oa_event("follow", CITIZEN, at_ms=now_ms(clock)))
        await zalo.wait_for(1)
        clock.advance(minutes=1)
        await post_event(client, zalo.oa_event("unfollow", CITIZEN, at_ms=now_ms(clock)))
        assert runtime.zalo_oa is not None
        await runtime.settle()
        with app.sessions() as session:
            assert not session.query(User).one().active
        clock.advance(minutes=1)
        await post_event(client, zalo.oa_event("follow", CITIZEN, at_ms=now_ms(clock)))
        await zalo.wait_for(2)
    assert "Khuyến học Bot" in zalo.oa_sent(CITIZEN)[1]["text"]
    with app.sessions() as session:
        assert session.query(User).one().active
