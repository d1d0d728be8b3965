"""Admin roles, the audit log, refusals, the citizen's opt-out and audience filters."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.broadcast import audience
from bot.db.models import AuditLog, User
from tests.broadcast_support import add_citizen
from tests.helpers import press, press_label, say, texts

ADMIN = "admin"  # console:admin is the super-admin in the test settings


def audit_rows(app: App) -> list[tuple[str, str, str]]:
    with app.sessions.begin() as session:
        rows = session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(row.who, row.action, row.result) for row in rows]


def test_non_admin_is_refused_plainly_and_logged(app: App) -> None:
    for attempt in ("/thongbao", "/baocao", "/quantri them console:me"):
        assert (
            texts(say(app, attempt, user="lan")) == "Dạ, lệnh này chỉ dành cho cán bộ quản trị ạ."
        )
    assert "chỉ dành cho cán bộ quản trị" in texts(press(app, "bc:now", user="lan"))
    rows = audit_rows(app)
    assert rows[0] == ("console:lan", "command:thongbao", "refused")
    assert [r[2] for r in rows] == ["refused"] * 4


def test_super_admin_adds_and_removes_admins_with_audit(app: App) -> None:
    listing = say(app, "/quantri", user=ADMIN)
    assert "console:admin" in texts(listing)
    assert "Đã thêm console:bao" in texts(say(app, "/quantri thêm console:bao", user=ADMIN))
    assert "đã là quản trị viên" in texts(say(app, "/quantri them console:bao", user=ADMIN))
    assert "Mã tài khoản chưa đúng" in texts(say(app, "/quantri them bao", user=ADMIN))

    # The new admin can compose, but cannot manage admins.
    assert "nội dung thông báo" in texts(say(app, "/thongbao", user="bao"))
    assert "chỉ dành cho cán bộ quản trị" in texts(say(app, "/quantri them console:x", user="bao"))

    listing = say(app, "/quantri", user=ADMIN)
    assert "Đã gỡ quyền quản trị của console:bao" in texts(
        press_label(app, listing, "Gỡ console:bao", user=ADMIN)
    )
    assert "chỉ dành cho cán bộ quản trị" in texts(say(app, "/thongbao", user="bao"))
    assert "quản trị cấp cao" in texts(say(app, "/quantri xoa console:admin", user=ADMIN))

    rows = audit_rows(app)
    assert ("console:admin", "admins.add", "ok") in rows
    assert ("console:admin", "admins.add", "unchanged") in rows
    assert ("console:admin", "admins.add", "bad_id") in rows
    assert ("console:bao", "admins", "refused") in rows
    assert ("console:admin", "admins.remove", "ok") in rows
    assert ("console:bao", "command:thongbao", "refused") in rows


def test_citizen_opts_out_and_back_in(app: App) -> None:
    assert "đã tắt thông báo" in texts(say(app, "/tatthongbao", user="lan"))
    everyone = {"kind": "all", "value": None}
    with app.sessions.begin() as session:
        assert audience.count(session, everyone) == 0
    assert "bật lại thông báo" in texts(say(app, "/batthongbao", user="lan"))
    with app.sessions.begin() as session:
        assert audience.count(session, everyone) == 1
        assert session.scalars(select(User)).one().notices_enabled is True


def test_audience_filters(app: App) -> None:
    add_citizen(app, "a", channel="console", place="Phường Cao Lãnh", group="can-bo", union=True)
    add_citizen(app, "b", channel="console", place="Phường Cao Lãnh", group="hoc-sinh")
    add_citizen(app, "c", channel="console", place="Xã Mỹ An", group="can-bo", topic="tuan-le")
    add_citizen(app, "d", channel="console", topic="tuan-le")  # not registered
    add_citizen(app, "e", channel="console", place="Xã Mỹ An", union=True, notices=False)
    add_citizen(app, "f", channel="console", place="Xã Mỹ An", union=True, active=False)
    add_citizen(app, "g", channel="console", place="Xã Mỹ An", topic="tuan-le", active=False)
    expected = {
        ("all", None): 4,
        ("place", "Phường Cao Lãnh"): 2,
        ("place", "Xã Mỹ An"): 1,
        ("group", "can-bo"): 2,
        ("group", "hoc-sinh"): 1,
        ("group", "nguoi-dan"): 0,
        ("union", None): 1,
        ("registered", None): 3,
        ("topic", "tuan-le"): 2,
    }
    with app.sessions.begin() as session:
        found = {
            (kind, value): audience.count(session, {"kind": kind, "value": value})
            for kind, value in expected
        }
        assert audience.find_place(session, "xa my an") == "Xã Mỹ An"
        assert audience.find_place(session, "PHƯỜNG CAO LÃNH") == "Phường Cao Lãnh"
        assert audience.find_topic(session, "Tuan-Le") == "tuan-le"
    assert found == expected


def test_compose_checks_length_links_and_audience(app: App) -> None:
    add_citizen(app, "a", channel="console", place="Xã Mỹ An", group="hoc-sinh")
    say(app, "/thongbao", user=ADMIN)
    # Under the 4,000 characters any message may have, but 4,000+ UTF-16 units for Telegram.
    too_long = say(app, "🎓" * 2010 + " ok", user=ADMIN)
    assert "dài quá" in texts(too_long) and "4096" in texts(too_long)
    asked = say(app, "Khai giảng lớp học.", user=ADMIN)
    assert "Bỏ qua" in [b.label.split(" ", 1)[1] for r in asked for b in r.all_buttons()]
    assert "link chưa đúng" in texts(say(app, "không có", user=ADMIN))
    assert "link chưa đúng" in texts(say(app, "http://example.vn/anh.jpg", user=ADMIN))
    say(app, "https://example.vn/anh.jpg", user=ADMIN)
    assert "chưa đúng dạng" in texts(say(app, "Trang chủ example.vn", user=ADMIN))
    menu = say(app, "Trang chủ | https://example.vn", user=ADMIN)
    groups = press_label(app, menu, "Theo đối tượng", user=ADMIN)
    preview = press_label(app, groups, "Học sinh", user=ADMIN)
    notice = preview[1]
    assert [b.label for b in notice.all_buttons()] == ["📎 Xem tệp đính kèm", "Trang chủ"]
    assert "Số người sẽ nhận: 1" in preview[2].text
    assert "Đã hủy" in texts(press_label(app, preview, "Hủy", user=ADMIN))
    assert "đã cũ" in texts(press(app, "bc:now", user=ADMIN))
    assert ("console:admin", "broadcast.drop", "ok") in audit_rows(app)
