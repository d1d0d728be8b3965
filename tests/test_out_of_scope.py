"""Out-of-scope themes: decoys decline, neighbouring questions still answer, content checks."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from bot.app import App
from bot.content import ContentError, load_content
from bot.content.loader import Content
from bot.matching.index import DECOY_PREFIX, FaqIndex, Status
from bot.matching.out_of_scope import load_out_of_scope
from handlers.faq import describe_match
from tests.conftest import CONTENT_DIR
from tests.helpers import labels, say, texts


@cache
def content() -> Content:
    return load_content(CONTENT_DIR)


@cache
def index() -> FaqIndex:
    return FaqIndex.from_content(content())


# Written for this test only: not in the content, dev.tsv or chatty.tsv.
@pytest.mark.parametrize(
    "question",
    [
        "đổi căn cước mới cho ông nội 80 tuổi, công an có tới nhà làm hông",
        "tinh minh gio co bao nhieu trieu dan vay ad",
        "trường cao đẳng cộng đồng thu tiền học một năm nhiêu",
        "điểm chuẩn lớp 10 năm nay công bố chưa",
        "công đoàn phí đóng mấy phần trăm lương cơ bản",
        "mái ấm công đoàn có cất nhà cho đoàn viên khó khăn hông",
        "trạm khuyến nông có dạy trồng nấm rơm không ad",
        "vay vốn sinh viên lãi suất bao nhiêu một tháng",
        "xổ số đài đồng tháp kỳ rồi giải nhất số mấy",
        "giá sầu riêng thái hôm nay bao nhiêu một ký",
    ],
)
def test_decoy_themes_are_declined(question: str) -> None:
    result = index().match(question)
    assert result.status is Status.FALLBACK
    assert result.declined is not None
    assert not any(c.id.startswith(DECOY_PREFIX) for c in result.candidates)


@pytest.mark.parametrize(
    ("question", "faq_id"),
    [
        ("học nghề may ngắn hạn ở trung tâm có được miễn học phí không", "hoc-nghe"),
        ("công đoàn có học bổng cho con đoàn viên nghèo hông ad", "hoc-bong-cong-doan"),
        ("con công nhân khu công nghiệp có học bổng công đoàn không", "hoc-bong-cong-doan"),
        ("đăng ký công dân học tập ở đâu vậy", "dang-ky-cdht"),
        ("tui muốn đăng ký vô hội khuyến học", "hoi-khuyen-hoc"),
        ("lớp xóa mù chữ ở xã có phải đóng tiền không", "xoa-mu-chu"),
    ],
)
def test_neighbouring_questions_still_answer(question: str, faq_id: str) -> None:
    result = index().match(question)
    assert (result.status, result.id, result.declined) == (Status.ANSWER, faq_id, None)


def test_neighbour_of_a_loan_theme_is_offered_first_never_declined() -> None:
    # The funds entry runs close and the student-loan theme is near: the calibrated decision
    # doubts, so it offers the right entry first instead of answering outright.
    result = index().match("xin học bổng cho sinh viên nghèo ở đâu")
    assert result.status is not Status.FALLBACK and result.declined is None
    assert result.candidates[0].id == "xin-hoc-bong"


def test_decline_names_where_to_ask_and_offers_staff(sqlite_app: App) -> None:
    replies = say(sqlite_app, "xin cấp hộ chiếu cho con nhỏ")
    assert "Công an xã/phường" in texts(replies)
    assert "📨 Gửi câu hỏi cho cán bộ" in labels(replies)


def test_ask_json_never_lists_a_decoy(sqlite_app: App) -> None:
    described = describe_match(sqlite_app, "căn cước công dân gắn chip làm ở đâu")
    assert described["status"] == "fallback" and described["id"] is None
    assert set(described) == {"status", "id", "score", "candidates", "reply"}
    assert all(not c["id"].startswith(DECOY_PREFIX) for c in described["candidates"])


def write_themes(tmp_path: Path, themes: list[dict]) -> Path:
    path = tmp_path / "out_of_scope.yaml"
    path.write_text(yaml.safe_dump({"themes": themes}, allow_unicode=True))
    return path


@pytest.mark.parametrize(
    ("theme", "message"),
    [
        ({"id": "Bad Id", "phrasings": ["giá vàng"]}, "id must be"),
        ({"id": "gia-vang", "phrasings": []}, "non-empty list"),
        ({"id": "gia-vang", "phrasings": ["giá vàng", " "]}, "empty phrasing"),
        ({"id": "gia-vang", "phrasings": ["giá vàng"], "reply_hint": "gọi 0277 123"}, "numbers"),
        ({"id": "gia-vang", "phrasings": ["giá vàng"], "extra": 1}, "unknown keys"),
        ({"id": "xin-hoc-bong", "phrasings": ["giá vàng"]}, "FAQ entry id"),
    ],
)
def test_broken_theme_is_named(tmp_path: Path, theme: dict, message: str) -> None:
    with pytest.raises(ContentError, match=message) as caught:
        load_out_of_scope(write_themes(tmp_path, [theme]), content())
    assert "out_of_scope.yaml" in str(caught.value)


def test_duplicate_theme_id_is_refused(tmp_path: Path) -> None:
    theme = {"id": "gia-vang", "phrasings": ["giá vàng hôm nay"]}
    with pytest.raises(ContentError, match="duplicate id"):
        load_out_of_scope(write_themes(tmp_path, [theme, theme]), content())


def test_real_themes_have_four_to_ten_phrasings() -> None:
    themes = content().section("out_of_scope")
    assert len(themes) >= 25
    for theme in themes.values():
        assert 4 <= len(theme.phrasings) <= 10, theme.id


@pytest.mark.parametrize("question", ["mai trời có mưa không", "thoi tiet ngay mai"])
def test_weather_is_sent_to_the_forecast_not_a_school_or_market(
    sqlite_app: App, question: str
) -> None:
    reply = texts(say(sqlite_app, question))
    assert "dự báo thời tiết" in reply
    assert "trường" not in reply and "nhà sách" not in reply and "chợ" not in reply


@pytest.mark.parametrize(
    "question",
    [
        "Đề nghị cung cấp mẫu đơn xin chuyển trường cho học sinh lớp 7.",
        "hạn nộp hồ sơ học bổng chính phủ Úc năm nay là khi nào",
        "scholarship của chính phủ New Zealand deadline khi nào",
    ],
)
def test_forms_and_foreign_scholarships_are_not_answered_with_the_bursary(
    sqlite_app: App, question: str
) -> None:
    assert sqlite_app.faq_index.match(question).status not in (Status.ANSWER, Status.ACTION)
    reply = texts(say(sqlite_app, question))
    assert "học bổng khuyến học" not in reply.lower() or "hỏi" in reply


@pytest.mark.parametrize(
    "question", ["mũi nhắc vắc xin cúm tiêm khi nào", "ờ con tôi tới hạn tiêm mũi nhắc chưa em"]
)
def test_a_vaccine_booster_is_not_a_reminder(sqlite_app: App, question: str) -> None:
    replies = say(sqlite_app, question)
    assert "trạm y tế" in texts(replies)
    assert "⏰ Đặt lời nhắc" not in labels(replies)
    assert "📋 Xem lời nhắc của tôi" not in labels(replies)
