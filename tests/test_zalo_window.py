"""Zalo's 7-day window: counted before a broadcast, checked before every send, ZNS beyond it."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import App
from bot.db import repo_zalo
from bot.db.models import User
from bot.db.models_zalo import ZnsConsent
from tests.broadcast_support import add_citizen
from tests.conftest import AppFactory, FakeClock
from tests.helpers import press, say

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


def zalo_citizens(app: App, clock: FakeClock) -> dict[str, int]:
    """Create Zalo OA citizens inside and outside the window, with and without consent."""
    now = clock()
    ids = {
        name: add_citizen(app, f"zalo-{name}", channel="zalo")
        for name in ("recent", "old_consent", "old_none")
    }
    ids["telegram"] = add_citizen(app, "1001", channel="telegram")
    last_seen(app, ids["recent"], now - timedelta(days=2))
    last_seen(app, ids["old_consent"], now - timedelta(days=8))
    last_seen(app, ids["old_none"], now - timedelta(days=8))
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
