"""Console operations pages (server side): dashboard, downloads, QR codes, audit log, roles."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.app import App
from bot.campaigns.poster import A4
from tests.conftest import AppFactory, FakeClock
from tests.console_helpers import CONSOLE_SETTINGS, page_text, seed, signed_in
from tests.dashboard_helpers import at, question, user


@pytest.fixture
def ops_app(make_app: AppFactory, sqlite_url: str, clock: FakeClock) -> App:
    clock.set(at(4, 3))
    app = make_app(sqlite_url, telegram_bot_username="khuyenhoc_bot", **CONSOLE_SETTINGS)
    seed(app)
    with app.sessions.begin() as s:
        lan = user(s, "lan", "telegram", at(2, 0), at(3, 0))
        hoa = user(s, "hoa", "zalo", at(3, 0), at(4, 0))
        question(s, lan, "answer", at(3, 1), sorted(app.content.faq)[0])
        question(s, lan, "fallback", at(3, 2), staff=True)
        question(s, hoa, "clarify", at(4, 1))
    return app


def test_admin_sees_the_weeks_figures_with_charts_at_the_root(ops_app: App) -> None:
    console = signed_in(ops_app, "admin", "an")
    page = console.get("/")
    text = page_text(page)
    assert "Bot phục vụ người dân thế nào" in text and "Tuần này: 02/03/2026 – 04/03/2026" in text
    assert 'data-figure="asked">3<' in page.text and 'data-figure="active">2<' in page.text
    assert page.text.count('<svg class="chart"') >= 5
    assert "Trả lời được" in text and "33,3%" in text
    telegram = console.get("/?period=day&channel=telegram")
    assert 'data-figure="asked">0<' in telegram.text  # Lan wrote yesterday
    zalo = console.get("/?period=day&channel=zalo")
    assert 'data-figure="asked">1<' in zalo.text


def test_downloads_are_csv_with_bom_and_one_workbook(ops_app: App) -> None:
    console = signed_in(ops_app, "admin", "an")
    csv = console.get("/dashboard/cau-hoi.csv?period=week")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert "Câu hỏi đã nhận,3," in csv.content.decode("utf-8-sig")
    assert 'filename="cau-hoi-week-20260302.csv"' in csv.headers["content-disposition"]
    book = load_workbook(io.BytesIO(console.get("/dashboard/bang-dieu-khien.xlsx").content))
    assert "cau-hoi" in book.sheetnames and book["cau-hoi"]["B2"].value == 3
    assert console.get("/dashboard/nope.csv").status_code == 404


@pytest.mark.parametrize("role", ["curator", "staff", "broadcaster"])
def test_other_roles_get_their_start_page_and_no_figures(ops_app: App, role: str) -> None:
    console = signed_in(ops_app, role)
    assert "Bot phục vụ người dân thế nào" not in page_text(console.get("/"))
    assert console.get("/dashboard/cau-hoi.csv").status_code == 403
    assert console.get("/audit").status_code == 403


def test_codes_page_makes_a_code_with_qr_and_poster(ops_app: App) -> None:
    console = signed_in(ops_app, "broadcaster", "binh")
    refused = console.post("/codes", {"code": "có dấu", "place": "Lai Vung", "title": ""})
    assert refused.status_code == 400 and "1–64 ký tự" in page_text(refused)
    made = console.post("/codes", {"code": "laivung", "place": "Lai Vung", "title": ""})
    text = page_text(made)
    assert "Đã tạo mã" in text and "https://t.me/khuyenhoc_bot?start=laivung" in text
    assert "<svg" in made.text.split('data-code="laivung"')[1]
    poster = console.get("/codes/laivung/poster.png")
    with Image.open(io.BytesIO(poster.content)) as image:
        assert image.size == A4
    assert console.get("/codes/laivung/qr.png").headers["content-type"] == "image/png"
    assert console.get("/codes/nope/poster.png").status_code == 404


def test_audit_log_filters_by_who_action_and_day(ops_app: App, clock: FakeClock) -> None:
    console = signed_in(ops_app, "admin", "an")
    console.get("/dashboard/cau-hoi.csv")
    clock.set(at(5, 3))
    console.get("/dashboard/nguon.csv")
    page = page_text(console.get("/audit?action=console.dashboard_download"))
    assert "cau-hoi.csv week all" in page and "nguon.csv week all" in page
    one_day = page_text(
        console.get("/audit?action=console.dashboard_download&from=2026-03-05&to=2026-03-05")
    )
    assert "nguon.csv" in one_day and "cau-hoi.csv" not in one_day
    assert "console.login" in page_text(console.get("/audit?who=console:an"))
    assert "Không có dòng nào" in page_text(console.get("/audit?who=nobody"))
