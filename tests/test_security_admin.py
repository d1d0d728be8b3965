"""Admin roles are checked at every step: a removed admin's open draft dies with the role."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from bot.broadcast.models import Broadcast
from bot.db import repo_flows, repo_users
from bot.db.models import FlowState
from handlers import ROUTES
from tests.broadcast_support import add_citizen
from tests.conftest import FakeClock
from tests.helpers import press, press_label, say, texts

ADMIN = "admin"  # console:admin is the super-admin in the test settings


def _broadcasts(app: App) -> int:
    with app.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(Broadcast)) or 0


def _draft_to_everyone_at_time_step(app: App, who: str) -> None:
    """Compose a notice to everyone and press Hẹn giờ, as the issue's admin D did."""
    say(app, "/thongbao", user=who)
    say(app, "Họp khuyến học lúc 8 giờ sáng thứ Hai.", user=who)
    press(app, "bc:skip", user=who)  # no attachment
    menu = press(app, "bc:skip", user=who)  # no link buttons
    preview = press_label(app, menu, "Tất cả người dùng", user=who)
    asked = press_label(app, preview, "Hẹn giờ", user=who)
    assert "gõ giờ gửi" in texts(asked)


def test_removed_admin_cannot_finish_an_open_draft(app: App) -> None:
    for number in range(3):
        add_citizen(app, f"c{number}")
    assert "Đã thêm console:d" in texts(say(app, "/quantri them console:d", user=ADMIN))
    _draft_to_everyone_at_time_step(app, "d")
    assert "Đã gỡ quyền" in texts(say(app, "/quantri xoa console:d", user=ADMIN))

    reply = texts(say(app, "21:00 29/12", user="d"))

    assert reply == app.content.messages.text("core.not_admin")
    assert _broadcasts(app) == 0
    with app.sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(FlowState)) == 0
    # The draft is gone: the next text is an ordinary question, not a time for the notice.
    assert "cán bộ quản trị" not in texts(say(app, "21:00 29/12", user="d"))
    assert _broadcasts(app) == 0


def test_removed_admin_cannot_press_send_on_an_open_preview(app: App) -> None:
    add_citizen(app, "c1")
    say(app, "/quantri them console:d", user=ADMIN)
    say(app, "/thongbao", user="d")
    say(app, "Thông báo thử.", user="d")
    press(app, "bc:skip", user="d")
    menu = press(app, "bc:skip", user="d")
    press_label(app, menu, "Tất cả người dùng", user="d")
    say(app, "/quantri xoa console:d", user=ADMIN)
    assert texts(press(app, "bc:now", user="d")) == app.content.messages.text("core.not_admin")
    assert _broadcasts(app) == 0


def test_every_admin_route_refuses_a_non_admin(sqlite_app: App) -> None:
    admin_routes = [r for r in ROUTES if r.admin]
    assert {r.kind for r in admin_routes} == {"command", "button", "flow"}
    for route in admin_routes:
        if route.kind == "command":
            replies = say(sqlite_app, f"/{route.key}", user="lan")
        elif route.kind == "button":
            replies = press(sqlite_app, f"{route.key}:now", user="lan")
        else:
            with sqlite_app.sessions.begin() as session:  # a draft left to a non-admin
                row = repo_users.touch_user(
                    session,
                    channel="console",
                    external_id="lan",
                    chat_id="lan",
                    display_name="Lan",
                    now=sqlite_app.now(),
                )
                repo_flows.set_flow(
                    session,
                    user_id=row.id,
                    flow=route.key,
                    step="time",
                    data={"text": "x", "audience": {"kind": "all", "value": None}},
                    now=sqlite_app.now(),
                )
            replies = say(sqlite_app, "21:00 29/12", user="lan")
        assert texts(replies) == sqlite_app.content.messages.text("core.not_admin"), route
    assert _broadcasts(sqlite_app) == 0


def test_an_admin_draft_left_open_expires(sqlite_app: App, clock: FakeClock) -> None:
    add_citizen(sqlite_app, "c1")
    _draft_to_everyone_at_time_step(sqlite_app, ADMIN)
    clock.advance(minutes=31)
    reply = texts(say(sqlite_app, "21:00 29/12", user=ADMIN))
    assert "quá lâu" in reply
    assert _broadcasts(sqlite_app) == 0
