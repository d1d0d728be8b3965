"""Vietnamese reminder phrases, with and without diacritics."""

from __future__ import annotations

from datetime import date

import pytest

from bot.reminders.parse import fold, parse, parse_time_only, parse_weekdays

MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        (
            "nhắc tôi học tiếng Anh 20h thứ 3 hằng tuần",
            {"kind": "weekly", "weekdays": [1], "hour": 20, "minute": 0, "text": "học tiếng Anh"},
        ),
        (
            "nhac toi hoc tieng anh 20h thu 3 hang tuan",
            {"kind": "weekly", "weekdays": [1], "hour": 20, "minute": 0, "text": "hoc tieng anh"},
        ),
        (
            "8 giờ tối mỗi ngày nhắc đọc sách",
            {"kind": "daily", "hour": 20, "minute": 0, "text": "đọc sách"},
        ),
        ("8 gio toi moi ngay nhac doc sach", {"kind": "daily", "hour": 20, "text": "doc sach"}),
        (
            "nhac toi 7h30 sang thu 2 4 6",
            {"kind": "weekly", "weekdays": [0, 2, 4], "hour": 7, "minute": 30},
        ),
        (
            "ngày 15/12 nhắc nộp hồ sơ học bổng",
            {"kind": "once", "date": "2026-12-15", "text": "nộp hồ sơ học bổng"},
        ),
        ("ngay 15/12 nhac nop ho so hoc bong", {"kind": "once", "date": "2026-12-15"}),
        ("nhắc tôi 20h30 gọi mẹ", {"hour": 20, "minute": 30, "text": "gọi mẹ"}),
        ("nhắc tôi 20:30 gọi mẹ", {"hour": 20, "minute": 30}),
        ("nhắc tôi 7h sáng tập thể dục hằng ngày", {"kind": "daily", "hour": 7}),
        ("nhắc tôi 2 giờ chiều thứ bảy học vẽ", {"weekdays": [5], "hour": 14, "text": "học vẽ"}),
        ("nhắc tôi 11 giờ trưa nấu cơm", {"hour": 11}),
        ("nhac tui 1h trua uong thuoc", {"hour": 13}),
        ("nhắc tôi 8 giờ rưỡi tối học bài", {"hour": 20, "minute": 30}),
        ("nhắc tôi thứ hai, thứ tư và thứ sáu lúc 19:00 học tin", {"weekdays": [0, 2, 4]}),
        ("nhắc tôi thứ năm chủ nhật 6h chạy bộ", {"weekdays": [3, 6], "hour": 6}),
        ("nhac toi t2 t5 cn 18h hop", {"weekdays": [0, 3, 6], "hour": 18, "text": "hop"}),
        (
            "hằng tháng ngày 5 nhắc đóng học phí",
            {"kind": "monthly", "month_day": 5, "text": "đóng học phí"},
        ),
        ("nhac toi ngay 31 hang thang 9h nop bao cao", {"kind": "monthly", "month_day": 31}),
        ("nhắc tôi ngày mai 9h nộp bài", {"kind": "once", "date": "2026-03-03", "hour": 9}),
        ("nhac toi mai 9h nop bai", {"kind": "once", "date": "2026-03-03"}),
        ("tối mai 8 giờ nhắc tôi xem lớp học", {"date": "2026-03-03", "hour": 20}),
        ("nhắc tôi đi họp thứ hai tuần sau 14h", {"kind": "once", "date": "2026-03-09"}),
        ("nhắc tôi tuần sau 9h nộp đơn", {"kind": "once", "date": "2026-03-09"}),
        ("nhắc tôi tối nay 8 giờ học bài", {"date": "2026-03-02", "hour": 20}),
        ("mỗi tối nhắc tôi học bài", {"kind": "daily", "period_only": True, "text": "học bài"}),
        ("nhắc tôi 25h học bài", {"bad_time": True}),
        ("ngày 31/2 nhắc nộp đơn", {"bad_date": True}),
        ("ngày 15/1 nhắc nộp đơn", {"date": "2027-01-15"}),  # already passed this year
    ],
)
def test_phrases(phrase: str, expected: dict) -> None:
    found = parse(phrase, MONDAY)
    assert {key: found.get(key) for key in expected} == expected


def test_what_keeps_diacritics_and_capitals() -> None:
    assert parse("Nhắc tôi gọi cô Hương 19h", MONDAY)["text"] == "gọi cô Hương"


def test_me_is_not_evening() -> None:
    # "tôi" (me) must not turn 9 into 21; "tối" (evening) must.
    assert parse("nhắc tôi 9h học bài", MONDAY)["hour"] == 9
    assert parse("nhac toi 9h hoc bai", MONDAY)["hour"] == 9
    assert parse("9 giờ tối nhắc tôi học bài", MONDAY)["hour"] == 21


@pytest.mark.parametrize(
    ("typed", "period", "expected"),
    [
        ("20h", None, (20, 0)),
        ("20:30", None, (20, 30)),
        ("20", None, (20, 0)),
        ("8 giờ tối", None, (20, 0)),
        ("8", "toi", (20, 0)),
        ("7h sang", None, (7, 0)),
        ("abc", None, None),
        ("30", None, None),
    ],
)
def test_time_alone(typed: str, period: str | None, expected: tuple | None) -> None:
    assert parse_time_only(typed, period) == expected


def test_weekdays_alone() -> None:
    assert parse_weekdays("2 4 6") == [0, 2, 4]
    assert parse_weekdays("thứ ba và chủ nhật") == [1, 6]
    assert parse_weekdays("cn") == [6]


def test_fold_keeps_length() -> None:
    text = "Nhắc tôi đọc sách lúc 8 giờ tối"
    assert len(fold(text)) == len(text)
    assert fold(text) == "nhac toi doc sach luc 8 gio toi"
