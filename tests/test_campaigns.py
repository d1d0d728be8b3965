"""Entry codes: deep links, /start <code> greeting and pre-filled xã/phường, posters, CLI."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pydantic import ValidationError
from sqlalchemy import func, select

from bot.app import App
from bot.campaigns import repo, service
from bot.campaigns.links import links_for, telegram_link
from bot.campaigns.models import UserSource
from bot.campaigns.poster import A4
from bot.campaigns.repo import CodeError
from bot.cdht.models import Registration
from bot.config import Settings
from bot.dashboard.models import FlowStep
from bot.dashboard.service import dashboard
from tests.cdht_helpers import user_id
from tests.conftest import skip_unless_ci
from tests.helpers import labels, press, press_label, run_cli, say, texts


def add(app: App, code: str, *, place: str | None = None, title: str | None = None) -> None:
    with app.sessions.begin() as session:
        service.create_code(
            session, app.content, code=code, title=title, place=place, created_by="test",
            now=app.now(),
        )  # fmt: skip


@pytest.mark.parametrize("code", ["", "có-dấu", "a b", "x" * 65, "a/b", "a?start=b"])
def test_codes_outside_telegrams_deep_link_alphabet_are_refused(
    sqlite_app: App, code: str
) -> None:
    with pytest.raises(CodeError, match="1–64 ký tự"):
        add(sqlite_app, code, place="Lai Vung")


def test_a_code_is_made_once_for_one_known_place(sqlite_app: App) -> None:
    add(sqlite_app, "A-z_09" + "x" * 58, place="lai vung")  # 64 characters is the limit
    with sqlite_app.sessions() as session:
        (entry,) = repo.list_codes(session)
    assert (entry.title, entry.place_name) == ("xã Lai Vung", "xã Lai Vung")
    with pytest.raises(CodeError, match="đã có"):
        add(sqlite_app, entry.code, title="Lần hai")
    with pytest.raises(CodeError, match="Không xác định được"):
        add(sqlite_app, "noplace", place="Hà Nội xa lắm")
    with pytest.raises(CodeError, match="Cần tên"):
        add(sqlite_app, "empty")


def test_links_telegram_with_code_and_zalo_as_configured() -> None:
    assert telegram_link("@khuyenhoc_bot", "laivung") == "https://t.me/khuyenhoc_bot?start=laivung"
    with pytest.raises(ValueError, match="deep-link"):
        telegram_link("khuyenhoc_bot", "có dấu")
    links = links_for("laivung", bot_username=None, zalo_oa_link="https://zalo.me/123")
    assert (links.telegram, links.zalo) == (None, "https://zalo.me/123")


def test_settings_check_the_username_and_the_oa_link() -> None:
    settings = Settings(_env_file=None, telegram_bot_username="@khuyenhoc_bot")
    assert settings.telegram_bot_username == "khuyenhoc_bot"
    with pytest.raises(ValidationError, match="username"):
        Settings(_env_file=None, telegram_bot_username="bad name")
    with pytest.raises(ValidationError, match="https"):
        Settings(_env_file=None, zalo_oa_link="http://zalo.me/1")


def test_start_with_a_place_code_greets_and_prefills_the_place(app: App) -> None:
    add(app, "laivung", place="Lai Vung")
    greeting = say(app, "/start laivung")
    assert "Chào Anh/Chị ở xã Lai Vung!" in texts(greeting)
    assert "📝 Đăng ký Công dân học tập" in labels(greeting)
    say(app, "/start other-unknown")  # a later or unknown code does not replace the source
    replies = press_label(app, greeting, "Đăng ký Công dân học tập")
    replies = press_label(app, replies, "Tôi đồng ý")
    say(app, "Nguyễn Thị Lan")
    replies = press_label(app, say(app, "1980"), "Nữ")
    assert "ở xã Lai Vung phải không?" in texts(replies)
    replies = press_label(app, replies, "Đúng, xã Lai Vung")
    assert "nhóm đối tượng" in texts(replies)
    press_label(app, replies, "Người lao động")
    press(app, "dk:union_member:0")
    assert "đã lưu đăng ký" in texts(press(app, "dk:phone:skip"))
    uid = user_id(app)  # before the next session: SQLite sessions take the write lock
    with app.sessions() as session:
        saved = session.get(Registration, uid)
        assert saved is not None and (saved.place_name, saved.place_verified) == (
            "xã Lai Vung", True,
        )  # fmt: skip
        assert session.get(UserSource, uid).code == "laivung"
    (source,) = dashboard(app, "week").sources
    assert (source.code, source.title, source.citizens, source.registered) == (
        "laivung", "xã Lai Vung", 1, 1,
    )  # fmt: skip


def test_the_prefilled_place_can_be_replaced_by_typing(sqlite_app: App) -> None:
    add(sqlite_app, "laivung", place="Lai Vung")
    say(sqlite_app, "/start laivung")
    press_label(sqlite_app, say(sqlite_app, "/dangky"), "Tôi đồng ý")
    say(sqlite_app, "Trần Văn Minh")
    press_label(sqlite_app, say(sqlite_app, "1980"), "Nam")
    replies = say(sqlite_app, "lap vo")
    replies = press_label(sqlite_app, replies, "xã Lấp Vò")
    assert "nhóm đối tượng" in texts(replies)
    press_label(sqlite_app, replies, "Người lao động")
    press(sqlite_app, "dk:union_member:0")
    press(sqlite_app, "dk:phone:skip")
    with sqlite_app.sessions() as session:
        saved = session.get(Registration, user_id(sqlite_app))
        assert saved is not None and saved.place_name == "xã Lấp Vò"


def test_plain_start_and_unknown_code_give_the_usual_greeting(sqlite_app: App) -> None:
    plain = texts(say(sqlite_app, "/start"))
    assert texts(say(sqlite_app, "/start nocode", user="c2")) == plain
    add(sqlite_app, "tuanle", title="Tuần lễ học tập suốt đời")
    assert "«Tuần lễ học tập suốt đời»" in texts(say(sqlite_app, "/start tuanle", user="c3"))
    with sqlite_app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(UserSource)) == 1


def test_funnel_from_citizens_going_through_registration(sqlite_app: App) -> None:
    app = sqlite_app
    press_label(app, say(app, "/dangky", user="no"), "Không đồng ý", user="no")
    press_label(app, say(app, "/dangky", user="half"), "Tôi đồng ý", user="half")
    say(app, "Lê Văn Hai", user="half")
    say(app, "/hoso", user="half")  # leaves the flow at the birth year
    from tests.cdht_helpers import register

    register(app, user="full")
    steps = {r.step: (r.reached, r.stopped) for r in dashboard(app, "day").register_steps}
    assert steps["consent"] == (3, 1)
    assert steps["full_name"] == (2, 0) and steps["birth_year"] == (2, 1)
    assert steps["phone"] == (1, 0) and steps["done"] == (1, 0)


def test_deleting_personal_data_removes_steps_and_source(sqlite_app: App) -> None:
    add(sqlite_app, "laivung", place="Lai Vung")
    say(sqlite_app, "/start laivung")
    say(sqlite_app, "/dangky")
    replies = say(sqlite_app, "/xoadulieu")
    assert "mã QR / đường dẫn Anh/Chị dùng để vào: 1" in texts(replies)
    press_label(sqlite_app, replies, "Xóa hết")
    with sqlite_app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(FlowStep)) == 0
        assert session.scalar(select(func.count()).select_from(UserSource)) == 0


def test_poster_is_an_a4_png(sqlite_app: App) -> None:
    add(sqlite_app, "laivung", place="Lai Vung")
    settings = sqlite_app.settings.model_copy(update={"telegram_bot_username": "khuyenhoc_bot"})
    with sqlite_app.sessions() as session:
        entry = repo.get_code(session, "laivung")
    assert entry is not None
    with Image.open(io.BytesIO(service.poster(settings, sqlite_app.content, entry))) as image:
        assert image.size == A4 and round(image.info["dpi"][0]) == 150
    with pytest.raises(ValueError, match="TELEGRAM_BOT_USERNAME"):
        service.poster(sqlite_app.settings, sqlite_app.content, entry)


def test_the_poster_qr_code_scans_as_the_entry_link(sqlite_app: App, tmp_path: Path) -> None:
    """A real QR reader (zbar, as phone scanner apps use) reads the printed link."""
    scanner = shutil.which("zbarimg")
    skip_unless_ci(None if scanner else "zbarimg not installed (apt-get install zbar-tools)", "QR")
    add(sqlite_app, "laivung", place="Lai Vung")
    settings = sqlite_app.settings.model_copy(update={"telegram_bot_username": "khuyenhoc_bot"})
    with sqlite_app.sessions() as session:
        entry = repo.get_code(session, "laivung")
    assert entry is not None
    telegram = "https://t.me/khuyenhoc_bot?start=laivung"
    with_zalo = settings.model_copy(update={"zalo_oa_link": "https://zalo.me/oa-link"})
    for shown, expected in (
        (settings, {telegram}),
        (with_zalo, {telegram, "https://zalo.me/oa-link"}),
    ):
        poster = tmp_path / "poster.png"
        poster.write_bytes(service.poster(shown, sqlite_app.content, entry))
        scanned = subprocess.run(  # noqa: S603 - a fixed program on our own file
            [str(scanner), "--quiet", "--raw", str(poster)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert scanned.returncode == 0, scanned.stderr
        assert sorted(scanned.stdout.split()) == sorted(expected)


def test_cli_adds_lists_and_prints_a_poster(tmp_path: Path) -> None:
    env = {"TELEGRAM_BOT_USERNAME": "khuyenhoc_bot", "ZALO_OA_LINK": "https://zalo.me/oa-link"}
    added = run_cli(["code", "add", "laivung", "--xa", "Lai Vung"], tmp_path, **env)
    assert added.returncode == 0, added.stderr
    assert "https://t.me/khuyenhoc_bot?start=laivung" in added.stdout
    bad = run_cli(["code", "add", "có dấu", "--xa", "Lai Vung"], tmp_path, **env)
    assert bad.returncode == 2 and "1–64 ký tự" in bad.stderr
    listed = run_cli(["code", "list"], tmp_path, **env)
    assert "laivung\txã Lai Vung\txã Lai Vung" in listed.stdout
    assert "https://zalo.me/oa-link" in listed.stdout
    out = tmp_path / "poster.png"
    printed = run_cli(["code", "poster", "laivung", "--out", str(out)], tmp_path, **env)
    assert printed.returncode == 0, printed.stderr
    with Image.open(out) as poster:
        assert poster.size == A4
    missing = run_cli(["code", "poster", "nope", "--out", str(out)], tmp_path, **env)
    assert missing.returncode == 2
