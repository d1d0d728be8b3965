"""Notices from the console (server side): checks, live count, preview, queue, stop, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.broadcast.models import Broadcast
from bot.db.models import AuditLog
from tests.conftest import AppFactory, FakeClock
from tests.console_helpers import CONSOLE_SETTINGS, page_text, seed, signed_in
from tests.dashboard_helpers import at, registered, user

FORM = {"text": "Mời bà con dự buổi học", "attachment": "", "buttons": "", "kind": "all",
        "value": "", "when": ""}  # fmt: skip


@pytest.fixture
def notice_app(make_app: AppFactory, db_url: str, clock: FakeClock) -> App:
    clock.set(at(20, 3))
    app = make_app(db_url, **CONSOLE_SETTINGS)
    seed(app)
    with app.sessions.begin() as s:
        registered(
            s,
            user(s, "lan", "telegram", at(1, 0), at(19, 0)),
            "nguoi-dan",
            "xã Lai Vung",
            at(1, 1),
        )
        registered(
            s, user(s, "hoa", "zalo", at(1, 0), at(18, 0)), "nguoi-dan", "xã Lai Vung", at(1, 1)
        )
        user(s, "old", "zalo", at(1, 0), at(2, 0))  # last wrote 18 days ago
        quiet = user(s, "quiet", "telegram", at(1, 0), at(19, 0))
        quiet.notices_enabled = False
    return app


def test_live_count_includes_zalo_citizens_past_the_window(notice_app: App) -> None:
    console = signed_in(notice_app, "broadcaster", "binh")
    assert console.get("/notices/count?kind=all").json() == {"count": 3, "zalo_outside": 1}
    assert console.get("/notices/count?kind=place&value=xã Lai Vung").json() == {
        "count": 2, "zalo_outside": 0,
    }  # fmt: skip
    assert console.get("/notices/count?kind=nope").json() == {"count": 0, "zalo_outside": 0}


def test_bad_notices_are_refused_with_reasons(notice_app: App) -> None:
    console = signed_in(notice_app, "broadcaster", "binh")
    console.get("/notices/new")
    bad = console.post("/notices/preview", {**FORM, "text": "", "attachment": "http://x.vn/a",
                                            "buttons": "Xem | javascript:alert(1)"})  # fmt: skip
    text = page_text(bad)
    assert bad.status_code == 400 and "Chưa có nội dung" in text
    assert "https://" in text and "«Xem | javascript:alert(1)»" in text
    empty = console.post("/notices/preview", {**FORM, "kind": "place", "value": "xã Không Có"})
    assert empty.status_code == 400 and "chưa có ai nhận" in page_text(empty)
    past = console.post("/notices/send", {**FORM, "schedule": "1", "when": "2026-03-01T08:00"})
    assert past.status_code == 400 and "đã qua" in page_text(past)


def test_preview_send_follow_and_stop(notice_app: App) -> None:
    console = signed_in(notice_app, "broadcaster", "binh")
    console.get("/notices/new")
    form = {**FORM, "buttons": "Đăng ký | https://dongthap.gov.vn"}
    preview = console.post("/notices/preview", form)
    text = page_text(preview)
    assert "📢 THÔNG BÁO" in text and "Mời bà con dự buổi học" in text and "Đăng ký ↗" in text
    assert (
        'data-figure="recipients">3<' in preview.text
        and 'data-figure="zalo-outside">1<' in preview.text
    )
    later = console.post("/notices/send", {**form, "schedule": "1", "when": "2026-03-21T08:00"})
    assert "Đã hẹn giờ gửi" in page_text(later) and "đã hẹn giờ" in page_text(later)
    with notice_app.sessions() as session:
        broadcast = session.scalars(select(Broadcast)).one()
        assert broadcast.status == "scheduled" and broadcast.buttons == [
            ["Đăng ký", "https://dongthap.gov.vn"]
        ]
        assert broadcast.scheduled_at == at(21, 1)  # 08:00 in Vietnam
    listed = page_text(console.get("/notices"))
    assert f"#{broadcast.id}" in listed and "Mời bà con dự buổi học" in listed
    stopped = console.post(f"/notices/{broadcast.id}/stop")
    assert "Đã dừng gửi" in page_text(stopped) and "đã dừng" in page_text(stopped)
    again = console.post(f"/notices/{broadcast.id}/stop")
    assert "đã gửi xong hoặc đã dừng" in page_text(again)
    with notice_app.sessions() as session:
        actions = [
            (a.who, a.action) for a in session.scalars(select(AuditLog).order_by(AuditLog.id))
        ]
    assert ("console:binh", "broadcast.schedule") in actions
    assert ("console:binh", "broadcast.stop") in actions


def test_curators_may_not_send_notices(notice_app: App) -> None:
    console = signed_in(notice_app, "curator")
    assert console.get("/notices").status_code == 403
    assert console.post("/notices/send", FORM).status_code == 403
