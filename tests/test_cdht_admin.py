"""/thongke, /xuatdulieu and `khuyenhoc export`: counts, pass rates, filters, Excel-ready CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.app import App
from tests.cdht_helpers import assess, register
from tests.conftest import ADMIN, AppFactory
from tests.helpers import press_label, run_cli, say, texts

ADMIN_USER = ADMIN.split(":", 1)[1]


def _people(app: App) -> None:
    register(app, "a", name="an", place="lap vo", place_label="xã Lấp Vò")
    register(app, "b", name="bình", place="sa dec", place_label="phường Sa Đéc")
    register(app, "c", name="cúc", place="lap vo", place_label="xã Lấp Vò", group_label="Học sinh")
    register(app, "d", name="dũng", place="tp sa dec", place_label="phường Sa Đéc")
    assess(app, [8] * 10, "a")  # 80, đạt
    assess(app, [8] * 9 + [7], "b")  # 79, chưa đạt
    assess(app, [10] * 9 + [4], "c")  # 94 with a 4, chưa đạt


def _csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_stats_text_and_chart(app: App) -> None:
    _people(app)
    text_reply, image_reply = say(app, "/thongke", ADMIN_USER)
    text = text_reply.text
    assert "Đăng ký: 4 người" in text
    assert "• Người lao động: 3" in text and "• Học sinh, sinh viên, học viên: 1" in text
    assert "• xã Lấp Vò: 2" in text and "• phường Sa Đéc: 2" in text
    assert "• 2026: 3 người tự đánh giá, 1 đạt (33,3%)" in text
    assert "• xã Lấp Vò: 2 người tự đánh giá, 1 đạt (50,0%)" in text
    image = image_reply.attachment
    assert image is not None and image.is_image and image.data.startswith(b"\x89PNG")
    assert "trống" not in texts(say(app, "/thongke 2025", ADMIN_USER))
    assert "không hợp lệ" in texts(say(app, "/thongke abc", ADMIN_USER))


def test_admin_commands_are_refused_to_citizens(sqlite_app: App) -> None:
    for command in ("/thongke", "/xuatdulieu"):
        replies = say(sqlite_app, command)
        assert "chỉ dành cho cán bộ" in texts(replies) and not replies[0].attachment


@pytest.mark.parametrize(
    ("args", "names"),
    [
        ("", ["An", "Cúc", "Bình", "Dũng"]),
        ('--xa "Lấp Vò"', ["An", "Cúc"]),
        ("--xa lap vo", None),  # an unquoted space is an error
        ("--nhom hoc-sinh", ["Cúc"]),
        ("--nam 2026 --ket-qua dat", ["An"]),
        ("--nam 2026 --ket-qua chua-dat", ["Cúc", "Bình"]),
        ("--ket-qua chua-danh-gia", ["Dũng"]),
        ("--xa 'phường Sa Đéc' --ket-qua chua-dat", ["Bình"]),
        ("--nam 2025", ["An", "Cúc", "Bình", "Dũng"]),
    ],
)
def test_export_filters(sqlite_app: App, args: str, names: list[str] | None) -> None:
    _people(sqlite_app)
    (reply,) = say(sqlite_app, f"/xuatdulieu {args}".strip(), ADMIN_USER)
    if names is None:
        assert "bộ lọc chưa đúng" in reply.text
        return
    assert reply.attachment is not None and reply.attachment.filename.endswith(".csv")
    rows = _csv(reply.attachment.data)
    assert [r["Họ và tên"] for r in rows] == names
    assert f"{len(names)} dòng" in reply.text


def test_export_columns_are_vietnamese_and_phone_stays_text(sqlite_app: App) -> None:
    _people(sqlite_app)
    (reply,) = say(sqlite_app, "/xuatdulieu --nam 2026 --ket-qua dat", ADMIN_USER)
    assert reply.attachment is not None
    (row,) = _csv(reply.attachment.data)
    assert row["Xã/phường"] == "xã Lấp Vò" and row["Nhóm đối tượng"] == "Người lao động"
    assert row["Số điện thoại"] == "0912 345 678" and row["Kết quả"] == "Đạt"
    assert row["Tổng điểm"] == "80" and row["Chỉ số 10"] == "8" and row["Giới tính"] == "Nữ"


@pytest.mark.parametrize("bad", ["--nhom nong-dan", "--ket-qua gioi", "--nam 1800", "--khac 1"])
def test_export_bad_filters_explain(sqlite_app: App, bad: str) -> None:
    assert "Ví dụ" in texts(say(sqlite_app, f"/xuatdulieu {bad}", ADMIN_USER))


def test_cli_export_writes_csv_with_bom(make_app: AppFactory, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    _people(make_app(url))
    out = tmp_path / "out.csv"
    result = run_cli(["export", "--xa", "Lấp Vò", "--out", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert [r["Họ và tên"] for r in _csv(out.read_bytes())] == ["An", "Cúc"]
    bad = run_cli(["export", "--ket-qua", "x"], tmp_path)
    assert bad.returncode == 2 and "kết quả không rõ" in bad.stderr


def test_chart_font_setting_is_checked(tmp_path: Path) -> None:
    from bot.config import SettingsError, load_settings

    with pytest.raises(SettingsError, match="CHART_FONT"):
        load_settings(_env_file=None, chart_font=tmp_path / "missing.ttf")


def test_chart_without_a_font_drops_diacritics() -> None:
    from bot.cdht import chart

    panel = chart.Panel("Đăng ký", ("Đạt",), [("xã Lấp Vò", (3,))])
    assert chart.render([panel], font_path=None).startswith(b"\x89PNG")


def test_typed_place_cannot_become_an_excel_formula(sqlite_app: App) -> None:
    replies = say(sqlite_app, "/dangky")
    press_label(sqlite_app, replies, "Tôi đồng ý")
    for text in ("Lan", "1975", "nữ"):
        say(sqlite_app, text)
    replies = say(sqlite_app, '=HYPERLINK("http://x","bam")')
    replies = press_label(sqlite_app, replies, "Giữ tên")
    press_label(sqlite_app, replies, "Người dân")
    say(sqlite_app, "không")
    say(sqlite_app, "bỏ qua")
    (reply,) = say(sqlite_app, "/xuatdulieu", ADMIN_USER)
    assert reply.attachment is not None
    (row,) = _csv(reply.attachment.data)
    assert row["Xã/phường"].startswith("'=") and row["Xã/phường đã xác minh"] == "Chưa"
