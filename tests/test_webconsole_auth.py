"""Web console accounts: settings, sign-in, lock-out, rate limit, CSRF, roles, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.config import SettingsError, load_settings
from bot.db.models import AuditLog
from tests.conftest import AppFactory
from tests.console_helpers import (
    CONSOLE_SETTINGS,
    PASSWORD,
    Console,
    add_account,
    page_text,
    seed,
    signed_in,
)


@pytest.fixture
def console_app(make_app: AppFactory, db_url: str) -> App:
    app = make_app(db_url, **CONSOLE_SETTINGS)
    seed(app)
    return app


def audit_rows(app: App) -> list[tuple[str, str, str, str]]:
    with app.sessions() as session:
        rows = session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(r.who, r.action, r.detail, r.result) for r in rows]


@pytest.mark.parametrize("key", [None, "too-short-key"])
def test_console_refuses_to_start_without_a_long_secret(
    key: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONSOLE_SECRET_KEY", raising=False)
    values: dict[str, object] = {"console_enabled": True, "_env_file": None}
    if key:
        values["console_secret_key"] = key
    with pytest.raises(SettingsError, match="CONSOLE_SECRET_KEY") as caught:
        load_settings(**values)
    assert "32" in str(caught.value)


def test_a_page_sends_a_stranger_to_sign_in(console_app: App) -> None:
    response = Console(console_app).get("/faq")
    assert response.url.path == "/console/login"
    assert "Đăng nhập" in page_text(response)


def test_sign_in_sets_an_httponly_samesite_cookie_and_is_audited(console_app: App) -> None:
    add_account(console_app, "lan", "curator")
    console = Console(console_app)
    response = console.login("lan")
    assert response.url.path == "/console/"
    assert "Xin chào lan" in page_text(response)
    cookie = response.history[0].headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    assert ("console:lan", "console.login", "from testclient", "ok") in audit_rows(console_app)


def test_wrong_password_is_refused_and_audited(console_app: App) -> None:
    add_account(console_app, "lan", "curator")
    response = Console(console_app).login("lan", "sai-mat-khau-roi")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in page_text(response)
    assert audit_rows(console_app)[-1][1:] == (
        "console.login",
        "lan from testclient: bad",
        "refused",
    )


def test_repeated_failures_lock_the_account_for_a_while(console_app: App, clock) -> None:  # noqa: ANN001
    add_account(console_app, "lan", "curator")
    console = Console(console_app)
    limit = console_app.settings.console_max_failed_logins
    for _ in range(limit - 1):
        assert console.login("lan", "sai-mat-khau-roi").status_code == 401
    assert console.login("lan", "sai-mat-khau-roi").status_code == 423
    locked = console.login("lan", PASSWORD)
    assert locked.status_code == 423
    assert "tạm khóa" in page_text(locked)
    clock.advance(minutes=console_app.settings.console_lockout_minutes + 1)
    assert console.login("lan", PASSWORD).status_code == 200


def test_too_many_attempts_from_one_address_are_slowed_down(console_app: App) -> None:
    console = Console(console_app)
    statuses = [console.login(f"nobody{n}", "whatever-password").status_code for n in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    assert "quá nhiều lần thử" in page_text(console.login("nobody", "x"))


def test_a_form_without_the_csrf_token_is_refused(console_app: App) -> None:
    console = signed_in(console_app)
    text = "thư viện lưu động có về ấp không"
    for token in ("", "forged-token"):
        response = console.post(
            "/unanswered/phrasing", {"csrf": token, "faq_id": "van-hoa-doc", "text": text}
        )
        assert response.status_code == 403
        assert "tải lại trang" in page_text(response)
    assert console.get("/draft").status_code == 200
    assert "Chưa có thay đổi nào" in page_text(console.get("/draft"))
    assert audit_rows(console_app)[-1][1::2] == ("console.csrf_refused", "refused")


def test_sign_in_itself_needs_the_csrf_token(console_app: App) -> None:
    add_account(console_app, "lan", "curator")
    console = Console(console_app)
    response = console.client.post("/console/login", data={"name": "lan", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["staff", "broadcaster"])
def test_roles_without_content_rights_cannot_edit(console_app: App, role: str) -> None:
    console = signed_in(console_app, role, name="binh")
    assert "Hỏi đáp" not in page_text(console.get("/"))
    for path in ("/faq", "/unanswered", "/draft", "/excel/faq.xlsx"):
        response = console.get(path)
        assert response.status_code == 403, path
        assert "không có quyền" in page_text(response)
    response = console.post("/faq/van-hoa-doc", {"action": "save", "question": "x"})
    assert response.status_code == 403
    assert audit_rows(console_app)[-1] == (
        "console:binh",
        "console.refused",
        "/console/faq/van-hoa-doc",
        "refused",
    )


@pytest.mark.parametrize("role", ["curator", "admin"])
def test_curators_and_admins_may_edit(console_app: App, role: str) -> None:
    console = signed_in(console_app, role, name="chi")
    assert console.get("/faq").status_code == 200


def test_sign_out_ends_the_session(console_app: App) -> None:
    console = signed_in(console_app)
    assert console.post("/logout").url.path == "/console/login"
    assert console.get("/faq").url.path == "/console/login"
    assert audit_rows(console_app)[-1][:2] == ("console:lan", "console.logout")


def test_a_new_password_signs_old_sessions_out(console_app: App) -> None:
    console = signed_in(console_app)
    assert console.get("/faq").status_code == 200
    add_account(console_app, "lan", "curator", password="mat-khau-moi-hoan-toan")
    assert console.get("/faq").url.path == "/console/login"
