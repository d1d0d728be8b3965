"""/tudanhgia and /ketqua: scoring edges, back, pause, restart-resume, cancel, history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import App
from bot.cdht.assessment import score
from bot.cdht.models import Assessment
from tests.cdht_helpers import assess, register, user_id
from tests.conftest import AppFactory, FakeClock
from tests.helpers import labels, press, press_label, say, texts


def attempts(app: App) -> list[Assessment]:
    with app.sessions() as session:
        query = select(Assessment).where(Assessment.user_id == user_id(app))
        return list(session.scalars(query.order_by(Assessment.id)))


@pytest.mark.parametrize(
    ("scores", "total", "passed"),
    [
        ([8, 8, 8, 8, 8, 8, 8, 8, 8, 8], 80, True),
        ([8, 8, 8, 8, 8, 8, 8, 8, 8, 7], 79, False),
        ([10, 10, 10, 10, 10, 10, 10, 10, 10, 4], 94, False),
        ([10, 10, 10, 10, 10, 10, 10, 10, 5, 5], 90, True),
        ([0] * 10, 0, False),
    ],
)
def test_scoring_edges(sqlite_app: App, scores: list[int], total: int, passed: bool) -> None:
    content = sqlite_app.content.section("assessment")
    result = score(content, {str(i + 1): s for i, s in enumerate(scores)})
    assert (result.total, result.passed) == (total, passed)
    assert sum(result.subtotals.values()) == total


def test_full_assessment_at_80_passes(app: App) -> None:
    register(app)
    replies = assess(app, [8] * 10)
    text = texts(replies)
    assert "80/100" in text and "Đạt mức Công dân học tập" in text
    assert "Năng lực tự học và học tập suốt đời: 32/40" in text
    assert "xã hội: 16/20" in text
    assert "tự đánh giá" in text and "congdanhoctap.vn" in text and "Hội Khuyến học" in text
    (attempt,) = attempts(app)
    assert (attempt.total, attempt.passed, attempt.year) == (80, True, 2026)
    assert attempt.completed_at is not None


def test_79_fails_and_an_indicator_at_4_names_how_to_improve(app: App) -> None:
    register(app)
    at_79 = texts(assess(app, [8] * 9 + [7]))
    assert "Chưa đạt" in at_79
    assert "thiếu 1 điểm" in at_79 and "Câu 10 (7 điểm)" in at_79  # advice without a weak one
    replies = assess(app, [10, 10, 10, 10, 4, 10, 10, 10, 10, 10])
    text = texts(replies)
    assert "94/100" in text and "Chưa đạt" in text
    assert "Câu 5 (4 điểm)" in text and "điện thoại thông minh" in text
    faq_buttons = [b for r in replies for b in r.all_buttons() if b.payload.startswith("faq:")]
    assert [b.payload for b in faq_buttons] == ["faq:hoc-truc-tuyen"]
    answer = press(app, "faq:hoc-truc-tuyen")
    assert "trực tuyến" in texts(answer).lower()
    history = texts(say(app, "/ketqua"))
    assert "Năm 2026: 94/100 — Chưa đạt" in history and "các lần trước trong năm: 79" in history


def test_buttons_back_bad_input_and_stale_presses(sqlite_app: App) -> None:
    register(sqlite_app)
    replies = say(sqlite_app, "/tudanhgia")
    assert "Câu 1/10" in texts(replies) and "Câu trước" not in " ".join(labels(replies))
    first = replies
    replies = press_label(sqlite_app, replies, "8 điểm")
    assert "Câu 2/10" in texts(replies)
    for bad in ("11", "-1", "tám", "7.5", "abc"):
        assert "số nguyên từ 0 đến 10" in texts(say(sqlite_app, bad)), bad
    stale = press_label(sqlite_app, first, "10 điểm")  # a button of question 1
    assert "câu khác" in texts(stale) and "Câu 2/10" in texts(stale)
    replies = press_label(sqlite_app, replies, "Câu trước")
    assert "Câu 1/10" in texts(replies)
    replies = press_label(sqlite_app, replies, "5 điểm")
    assert attempts(sqlite_app)[0].answers == {"1": 5}
    assert "đã cũ" in texts(press(sqlite_app, "tdg:a:999:1:5"))


def test_results_of_an_unregistered_citizen_offer_registration(sqlite_app: App) -> None:
    replies = say(sqlite_app, "/ketqua")
    assert "chưa đăng ký" in texts(replies)
    assert labels(replies) == ["📝 Đăng ký"]
    assert "✅ Tôi đồng ý" in labels(press_label(sqlite_app, replies, "Đăng ký"))


def test_needs_registration(sqlite_app: App) -> None:
    replies = say(sqlite_app, "/tudanhgia")
    assert "đăng ký" in texts(replies).lower()
    assert "consent" not in texts(replies)
    assert "✅ Tôi đồng ý" in labels(press_label(sqlite_app, replies, "Đăng ký"))


def test_pause_then_resume_after_a_restart(make_app: AppFactory, db_url: str) -> None:
    first = make_app(db_url)
    register(first)
    say(first, "/tudanhgia")
    for value in (8, 9, 10):
        say(first, str(value))
    first.engine.dispose()
    second = make_app(db_url)  # a new process on the same database
    replies = say(second, "7")  # the flow survived: this answers question 4
    assert "Câu 5/10" in texts(replies)
    replies = press_label(second, replies, "Tạm dừng")
    assert "4/10" in texts(replies)
    replies = say(second, "/tudanhgia")
    assert "đã trả lời 4/10" in texts(replies)
    replies = press_label(second, replies, "Làm tiếp")
    assert "Câu 5/10" in texts(replies)
    replies = assess_rest(second, 6)
    assert "94/100" in texts(replies)
    (attempt,) = attempts(second)
    assert attempt.answers["1"] == 8 and attempt.answers["4"] == 7 and attempt.completed_at


def assess_rest(app: App, count: int) -> list:
    replies: list = []
    for _ in range(count):
        replies = say(app, "10")
    return replies


def test_another_flow_does_not_erase_answers(sqlite_app: App) -> None:
    register(sqlite_app)
    say(sqlite_app, "/tudanhgia")
    say(sqlite_app, "9")
    say(sqlite_app, "9")
    replies = say(sqlite_app, "/dangky")  # another flow, then back
    assert "đã đăng ký" in texts(replies)
    press_label(sqlite_app, replies, "Nhập lại")
    replies = say(sqlite_app, "/tudanhgia")
    assert "đã trả lời 2/10" in texts(replies)
    replies = press_label(sqlite_app, replies, "Làm lại từ đầu")
    assert "Câu 1/10" in texts(replies)
    assert [a.answers for a in attempts(sqlite_app)] == [{}]


def test_cancel_deletes_the_attempt_in_progress(sqlite_app: App) -> None:
    register(sqlite_app)
    replies = say(sqlite_app, "/tudanhgia")
    replies = press_label(sqlite_app, replies, "10 điểm")
    replies = press_label(sqlite_app, replies, "Hủy")
    assert "1/10 câu đã trả lời" in texts(replies) and attempts(sqlite_app)
    assert "Câu 2/10" in texts(press_label(sqlite_app, replies, "Làm tiếp"))
    replies = press_label(sqlite_app, replies, "Hủy bài này")
    assert "đã hủy" in texts(replies)
    assert attempts(sqlite_app) == []
    assert "chưa có kết quả" in texts(say(sqlite_app, "/ketqua"))


def test_history_per_year_latest_attempt_counts(
    make_app: AppFactory, sqlite_url: str, clock: FakeClock
) -> None:
    app = make_app(sqlite_url)
    register(app)
    clock.set(datetime(2025, 6, 1, 3, tzinfo=UTC))
    assess(app, [10] * 10)
    clock.set(datetime(2026, 3, 2, 3, tzinfo=UTC))
    assess(app, [8] * 10)
    replies = say(app, "/tudanhgia")
    assert "đã tự đánh giá (80/100)" in texts(replies)
    assess_rest(app, 10)
    history = say(app, "/ketqua")
    text = texts(history)
    assert text.index("Năm 2026: 100/100 — Đạt") < text.index("Năm 2025: 100/100 — Đạt")
    assert "các lần trước trong năm: 80" in text
    detail = press_label(app, history, "Chi tiết năm 2025")
    assert "Kết quả tự đánh giá năm 2025: 100/100" in texts(detail)


def test_unfinished_attempt_of_last_year_is_dropped(
    make_app: AppFactory, sqlite_url: str, clock: FakeClock
) -> None:
    app = make_app(sqlite_url)
    register(app)
    clock.set(datetime(2025, 12, 31, 10, tzinfo=UTC))
    say(app, "/tudanhgia")
    say(app, "5")
    clock.set(datetime(2026, 1, 2, 3, tzinfo=UTC))
    replies = say(app, "/tudanhgia")
    assert "Câu 1/10" in texts(replies) and "năm 2026" in texts(replies)
    assert [(a.year, a.answers) for a in attempts(app)] == [(2026, {})]
