"""Zalo's 7-day window: counted before a broadcast, checked before every send, ZNS beyond it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.app import App
from bot.broadcast import repo as repo_broadcasts
from bot.broadcast.models import Broadcast
from bot.channels.zalo_oa import ZaloOAChannel
from bot.db import repo_zalo
from bot.db.models import User
from bot.db.models_messaging import OutboxMessage
from bot.db.models_zalo import ZnsConsent, ZnsSend
from bot.messaging.sender import Sender
from bot.reminders.models import Reminder
from bot.reminders.runner import run_due_once
from tests.broadcast_support import FAST, add_citizen
from tests.conftest import AppFactory, FakeClock
from tests.helpers import press, say, text_message
from tests.standins.zalo_api import ZaloStandIn
from tests.zalo_helpers import serving, zalo_oa_app

ADMIN = "admin"  # console:admin is the super-admin in the test settings
NOTICE_TEMPLATE = "7895417a7d3f9461cd2e"
REMINDER_TEMPLATE = "5a5b4fe5e2a00bfe52b1"


def last_seen(app: App, user_id: int, at: datetime) -> None:
    """Set when the citizen last wrote to the bot."""
    with app.sessions.begin() as session:
        session.get(User, user_id).last_seen = at


def agree_to_zns(app: App, user_id: int, phone: str = "0912345678") -> None:
    """Store a ZNS consent as /nhantinsdt does."""
    with app.sessions.begin() as session:
        session.add(ZnsConsent(user_id=user_id, phone=phone, agreed_at=app.now()))


def zalo_citizens(app: App, clock: FakeClock, *, telegram: bool = True) -> dict[str, int]:
    """Create Zalo OA citizens inside and outside the window, with and without consent."""
    now = clock()
    ids = {
        name: add_citizen(app, f"zalo-{name}", channel="zalo")
        for name in ("recent", "old_consent", "old_none")
    }
    last_seen(app, ids["recent"], now - timedelta(days=2))
    last_seen(app, ids["old_consent"], now - timedelta(days=8))
    last_seen(app, ids["old_none"], now - timedelta(days=8))
    if telegram:
        ids["telegram"] = add_citizen(app, "1001", channel="telegram")
        last_seen(app, ids["telegram"], now - timedelta(days=30))  # no window on Telegram
    agree_to_zns(app, ids["old_consent"])
    return ids


def test_the_window_function_for_other_features(app: App, clock: FakeClock) -> None:
    ids = zalo_citizens(app, clock)
    with app.sessions() as session:
        inside = {
            n: repo_zalo.in_zalo_window(session.get(User, i), clock()) for n, i in ids.items()
        }
    assert inside == {"recent": True, "old_consent": False, "old_none": False, "telegram": True}
    assert repo_zalo.inside_window(clock() - timedelta(days=6, hours=23), clock())
    assert not repo_zalo.inside_window(clock() - timedelta(days=7), clock())
    assert not repo_zalo.inside_window(None, clock())


def test_the_recipient_count_shows_who_is_beyond_seven_days(
    make_app: AppFactory, db_url: str, clock: FakeClock
) -> None:
    app = make_app(db_url, zalo_zns_notice_template_id=NOTICE_TEMPLATE)
    zalo_citizens(app, clock)
    say(app, "/thongbao", user=ADMIN)
    say(app, "Họp mặt khuyến học lúc 8 giờ sáng Chủ nhật.", user=ADMIN)
    press(app, "bc:skip", user=ADMIN)
    press(app, "bc:skip", user=ADMIN)
    summary = press(app, "bc:aud:all", user=ADMIN)[-1].text
    assert "Số người sẽ nhận: 5" in summary  # the admin too
    assert "ngoài 7 ngày" in summary
    assert "1 người sẽ nhận qua tin ZNS (có phí), 1 người không nhận được" in summary


def test_without_a_notice_template_nobody_beyond_the_window_is_reached(
    app: App, clock: FakeClock
) -> None:
    zalo_citizens(app, clock)
    say(app, "/thongbao", user=ADMIN)
    say(app, "Họp mặt khuyến học lúc 8 giờ sáng Chủ nhật.", user=ADMIN)
    press(app, "bc:skip", user=ADMIN)
    press(app, "bc:skip", user=ADMIN)
    summary = press(app, "bc:aud:all", user=ADMIN)[-1].text
    assert "0 người sẽ nhận qua tin ZNS (có phí), 2 người không nhận được" in summary


def zalo_app(make_app: AppFactory, url: str, zalo: ZaloStandIn, **extra: object) -> App:
    """An app on the Zalo OA stand-in with both ZNS templates approved there."""
    zalo.zns_templates = {NOTICE_TEMPLATE: {"noi_dung"}, REMINDER_TEMPLATE: {"noi_dung"}}
    settings = {
        **FAST,
        "zalo_zns_base_url": zalo.base_url,
        "zalo_zns_notice_template_id": NOTICE_TEMPLATE,
        "zalo_zns_reminder_template_id": REMINDER_TEMPLATE,
        **extra,
    }
    return zalo_oa_app(make_app, url, zalo, **settings)


def daily_reminder(app: App, user_id: int, due: datetime) -> int:
    """Store a daily 9:00 reminder due now, as /nhacnho does."""
    with app.sessions.begin() as session:
        row = Reminder(
            user_id=user_id, text="học tiếng Anh", kind="daily", hour=9, minute=0, next_due_at=due
        )
        session.add(row)
        session.flush()
        return row.id


def reminder(app: App, reminder_id: int) -> Reminder:
    with app.sessions() as session:
        row = session.get(Reminder, reminder_id)
        assert row is not None
        return row


async def test_an_eight_day_inactive_citizen_is_unreachable_and_not_retried(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    app = zalo_app(make_app, db_url, zalo)
    ids = zalo_citizens(app, clock)
    reminder_id = daily_reminder(app, ids["old_none"], clock())
    channel = ZaloOAChannel(app)
    await channel.start()
    counts = await run_due_once(app)
    assert counts["outside_window"] == 1 and counts["queued"] == 0
    row = reminder(app, reminder_id)
    assert (row.paused, row.paused_reason, row.last_sent_at) == (True, "outside_window", None)
    for _ in range(3):  # the next days: nothing is tried again
        clock.advance(days=1)
        assert not (await run_due_once(app))["outside_window"]
    await Sender(app, channel, limiter=None).drain()
    await channel.stop()
    assert zalo.calls == [] or all(c.path == "oauth" for c in zalo.calls)
    # Writing to the OA opens the window again: the reminder resumes.
    app.dispatcher.handle(text_message("chào em", "zalo-old_none", channel="zalo"))
    assert not reminder(app, reminder_id).paused


async def test_a_consenting_citizen_gets_the_reminder_by_zns_with_the_right_parameters(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    app = zalo_app(make_app, db_url, zalo)
    ids = zalo_citizens(app, clock)
    daily_reminder(app, ids["old_consent"], clock())
    channel = ZaloOAChannel(app)
    await channel.start()
    assert (await run_due_once(app))["queued"] == 1
    await Sender(app, channel, limiter=None).drain()
    await channel.stop()
    (sent,) = zalo.zns_sent()
    assert sent["phone"] == "84912345678" and sent["template_id"] == REMINDER_TEMPLATE
    assert sent["template_data"] == {"noi_dung": "⏰ Nhắc Anh/Chị: học tiếng Anh"}
    assert zalo.oa_sent() == []  # no Tư vấn message, which Zalo would refuse (-230)
    with app.sessions() as session:
        (cost,) = session.scalars(select(ZnsSend)).all()
        outbox = session.scalars(select(OutboxMessage)).one()
    assert (cost.user_id, cost.template_id, cost.purpose, cost.status) == (
        ids["old_consent"],
        REMINDER_TEMPLATE,
        "reminder",
        "sent",
    )
    assert cost.zalo_msg_id and outbox.status == "zns"


async def test_a_broadcast_report_says_who_was_reached_how_and_arrives_once(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    app = zalo_app(make_app, db_url, zalo)
    zalo_citizens(app, clock, telegram=False)
    admin = add_citizen(app, "zalo-admin", channel="zalo")
    last_seen(app, admin, clock())
    with app.sessions.begin() as session:
        repo_broadcasts.create(
            session,
            created_by=admin,
            now=app.now(),
            text="Họp mặt khuyến học\nLúc 8 giờ sáng Chủ nhật tại nhà văn hóa.",
            attachment_url=None,
            buttons=[],
            audience={"kind": "all", "value": None},
            scheduled_at=app.now(),
        )
    async with serving(app) as (runtime, _client):
        await runtime.start_services()
        for _ in range(500):
            if any("đã gửi xong" in m.get("text", "") for m in zalo.oa_sent("zalo-admin")):
                break
            await asyncio.sleep(0.02)
        await runtime.settle()
        await asyncio.sleep(0.3)  # time for a copy to follow, if one were queued
    with app.sessions() as session:
        done = session.get(Broadcast, 1)
    assert (done.sent_count, done.zns_count, done.outside_count) == (2, 1, 1)  # + the admin
    assert [
        p["attachment"]["payload"]["template_type"] for p in zalo.promotions("zalo-recent")
    ] == ["promotion"]
    assert [z["template_id"] for z in zalo.zns_sent()] == [NOTICE_TEMPLATE]
    to_admin = [m.get("text", "") for m in zalo.oa_sent("zalo-admin")]
    finals = [t for t in to_admin if "đã gửi xong" in t]
    assert len(finals) == 1  # an edit on Zalo would be a second copy
    assert "qua tin ZNS: 1" in finals[0] and "không gửi được: 1" in finals[0]
