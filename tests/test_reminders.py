"""Setting, listing and firing reminders with a controllable clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import User
from bot.reminders.models import Reminder
from tests.conftest import AppFactory, FakeClock
from tests.helpers import console, labels, press, press_label, run_due, say, texts


def set_reminder(app: App, phrase: str, user: str = "citizen-1") -> str:
    replies = say(app, phrase, user=user)
    confirm = texts(replies)
    assert "Lưu" in " ".join(labels(replies)), confirm
    saved = texts(press_label(app, replies, "Lưu", user=user))
    assert "đã lưu" in saved
    return confirm


def rows(app: App) -> list[Reminder]:
    with app.sessions() as session:
        return list(session.scalars(select(Reminder).order_by(Reminder.id)))


async def test_plain_phrase_confirm_save_and_fire_once(app: App, clock: FakeClock) -> None:
    out = console(app)
    confirm = set_reminder(app, "nhắc tôi học tiếng Anh 20h thứ 3 hằng tuần")
    assert "Mỗi thứ Ba lúc 20:00: học tiếng Anh" in confirm
    assert rows(app)[0].next_due_at == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)

    clock.set(datetime(2026, 3, 3, 12, 59, tzinfo=UTC))
    await run_due(app)
    assert "học tiếng Anh" not in out.getvalue()
    clock.advance(minutes=1)
    await run_due(app)
    await run_due(app)
    assert out.getvalue().count("Nhắc Anh/Chị: học tiếng Anh") == 1
    assert rows(app)[0].next_due_at == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


async def test_buttons_weekly_on_chosen_weekdays(app: App) -> None:
    replies = say(app, "/nhacnho")
    assert "Hằng tuần" in labels(replies)
    replies = press_label(app, replies, "Hằng tuần")
    replies = press_label(app, replies, "T2")
    replies = press_label(app, replies, "T6")
    assert "✓ T2" in labels(replies) and "thứ Hai và thứ Sáu" in texts(replies)
    replies = press_label(app, replies, "Xong")
    assert "mấy giờ" in texts(replies)
    replies = say(app, "7h30 sáng")
    assert "Anh/Chị gõ ngắn gọn" in texts(replies)
    replies = say(app, "tập thể dục")
    assert "Mỗi thứ Hai và thứ Sáu lúc 07:30: tập thể dục" in texts(replies)
    assert "đã lưu" in texts(press_label(app, replies, "Lưu"))
    assert rows(app)[0].weekdays == "0,4"


def test_buttons_once_and_monthly_and_bad_time(sqlite_app: App) -> None:
    app = sqlite_app
    replies = press_label(app, say(app, "/nhacnho"), "Một lần")
    replies = press_label(app, replies, "Ngày mai")
    replies = say(app, "giờ nào cũng được")
    assert "chưa hiểu giờ" in texts(replies)
    say(app, "20:00")
    replies = say(app, "nộp bài")
    assert "Ngày 03/03/2026 lúc 20:00: nộp bài" in texts(replies)
    press_label(app, replies, "Lưu")

    replies = press_label(app, say(app, "/nhacnho"), "Hằng tháng")
    assert "ngày mấy" in texts(say(app, "ba mươi"))
    replies = say(app, "31")
    replies = press_label(app, replies, "07:00")
    replies = say(app, "đóng tiền điện")
    assert "Ngày 31 hằng tháng lúc 07:00: đóng tiền điện" in texts(replies)
    press_label(app, replies, "Lưu")
    assert [r.kind for r in rows(app)] == ["once", "monthly"]


def test_edit_and_cancel(sqlite_app: App) -> None:
    replies = say(sqlite_app, "8 giờ tối mỗi ngày nhắc đọc sách")
    assert "Mỗi ngày lúc 20:00: đọc sách" in texts(replies)
    replies = press_label(sqlite_app, replies, "Sửa")
    replies = press_label(sqlite_app, replies, "Giờ nhắc")  # edits the time, keeps the rest
    replies = say(sqlite_app, "21h")
    assert "Mỗi ngày lúc 21:00: đọc sách" in texts(replies)
    replies = press_label(sqlite_app, press_label(sqlite_app, replies, "Sửa"), "Việc cần nhắc")
    replies = say(sqlite_app, "đọc báo")
    assert "Mỗi ngày lúc 21:00: đọc báo" in texts(replies)
    assert "đã bỏ" in texts(press_label(sqlite_app, replies, "Hủy"))
    assert rows(sqlite_app) == []


def test_missing_time_is_asked_and_past_time_refused(sqlite_app: App) -> None:
    replies = say(sqlite_app, "ngày 15/12 nhắc nộp hồ sơ học bổng")
    assert "mấy giờ" in texts(replies)
    replies = say(sqlite_app, "8h")
    assert "Ngày 15/12/2026 lúc 08:00: nộp hồ sơ học bổng" in texts(replies)
    replies = say(sqlite_app, "nhắc tôi hôm nay 7h uống thuốc")  # it is 09:00 already
    assert "đã qua" in texts(replies)


def test_question_about_reminders_goes_to_faq(sqlite_app: App) -> None:
    for question in ("làm sao đặt lời nhắc", "nhắc tôi thế nào được không?", "xem lịch nhắc"):
        replies = say(sqlite_app, question)
        payloads = [b.payload for r in replies for b in r.all_buttons()]
        assert "/nhacnho" in texts(replies) or "faq:bot-nhac-nho" in payloads, question
    for question in ("tắt lời nhắc hằng tuần", "xóa lời nhắc thứ 3"):
        assert "💾 Lưu" not in labels(say(sqlite_app, question)), question
    assert "💾 Lưu" in labels(say(sqlite_app, "nhac toi 7h30 sang thu 2 4 6 tap the duc"))
    assert "xem thời sự" in texts(say(sqlite_app, "nhắc tôi xem thời sự 19h mỗi ngày"))
    assert "đọc sách" in texts(say(sqlite_app, "8 giờ tối mỗi ngày nhắc đọc sách"))


def test_question_inside_the_flow_goes_to_faq(sqlite_app: App) -> None:
    say(sqlite_app, "/nhacnho")
    replies = say(sqlite_app, "học bổng khuyến học là gì?")
    assert "Lưu" not in " ".join(labels(replies)) and "Một lần" not in labels(replies)


def test_limit_per_citizen(make_app: AppFactory, sqlite_url: str) -> None:
    app = make_app(sqlite_url, reminder_max_per_user=2)
    set_reminder(app, "nhắc tôi 20h mỗi ngày học bài")
    set_reminder(app, "nhắc tôi 21h mỗi ngày đọc sách")
    assert "tối đa 2" in texts(say(app, "nhắc tôi 19h mỗi ngày tập đàn"))


def test_list_pause_resume_delete(app: App, clock: FakeClock) -> None:
    set_reminder(app, "nhắc tôi 20h mỗi ngày học bài")
    set_reminder(app, "nhắc tôi 7h sáng thứ 2 họp")
    listing = say(app, "/lichnhac")
    assert "1. Mỗi ngày lúc 20:00: học bài" in texts(listing)
    assert "2. Mỗi thứ Hai lúc 07:00: họp" in texts(listing)
    assert labels(listing) == ["1", "2"]  # button N is reminder N of the list
    first = press_label(app, listing, "1")
    assert "1. Mỗi ngày lúc 20:00: học bài" in texts(first)
    assert "tạm dừng" in texts(press_label(app, first, "Tạm dừng"))
    listing = say(app, "/lichnhac")
    assert "(đang tạm dừng)" in texts(listing)
    clock.advance(days=3)
    resumed = texts(press_label(app, press_label(app, listing, "1"), "Bật lại"))
    assert "20:00 05/03/2026" in resumed  # from now on, nothing missed is sent
    second = press_label(app, say(app, "/lichnhac"), "2")
    asked = press_label(app, second, "Xóa")
    assert "chắc muốn xóa" in texts(asked) and "họp" in texts(asked)
    assert len(rows(app)) == 2  # deleting asks first
    assert "học bài" not in texts(press_label(app, asked, "Giữ lại"))
    assert len(rows(app)) == 2
    assert "họp" in texts(press_label(app, press_label(app, second, "Xóa"), "Xóa hẳn"))
    assert len(rows(app)) == 1
    # Someone else's reminder cannot be touched.
    press(app, f"rm:xx:{rows(app)[0].id}", user="other")
    assert len(rows(app)) == 1


async def test_missed_while_down_sent_once_within_grace(app: App, clock: FakeClock) -> None:
    out = console(app)
    set_reminder(app, "nhắc tôi 20h mỗi ngày học bài")
    clock.set(datetime(2026, 3, 2, 14, 59, tzinfo=UTC))  # 21:59 VN: the bot was down at 20:00
    await run_due(app)
    await run_due(app)
    assert out.getvalue().count("học bài") == 1
    assert rows(app)[0].next_due_at == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)


async def test_missed_beyond_grace_is_skipped_with_a_log_line(
    app: App, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    out = console(app)
    set_reminder(app, "nhắc tôi 8h mỗi ngày tập thể dục")  # next: Tue 08:00 VN = 01:00 UTC
    clock.set(datetime(2026, 3, 3, 7, 1, tzinfo=UTC))  # 14:01 VN, 6 h 1 min late
    with caplog.at_level(logging.INFO, logger="bot.reminders.runner"):
        counts = await run_due(app)
    assert "tập thể dục" not in out.getvalue()
    assert counts["beyond the grace window"] == 1
    assert "beyond the grace window" in caplog.text
    assert rows(app)[0].next_due_at == datetime(2026, 3, 4, 1, 0, tzinfo=UTC)


async def test_late_reminder_not_sent_in_quiet_hours(app: App, clock: FakeClock) -> None:
    out = console(app)
    set_reminder(app, "nhắc tôi 21h mỗi ngày học bài")
    clock.set(datetime(2026, 3, 2, 15, 30, tzinfo=UTC))  # 22:30 VN, within grace but at night
    counts = await run_due(app)
    assert "học bài" not in out.getvalue() and counts["late and now in quiet hours"] == 1


async def test_chosen_night_time_is_sent(app: App, clock: FakeClock) -> None:
    out = console(app)
    confirm = set_reminder(app, "nhắc tôi 23h mỗi ngày uống thuốc")
    assert "ban đêm" in confirm
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    await run_due(app)
    assert "uống thuốc" in out.getvalue()


async def test_restart_during_due_time_sends_once(
    make_app: AppFactory, db_url: str, clock: FakeClock
) -> None:
    first = make_app(db_url)
    set_reminder(first, "nhắc tôi 20h mỗi ngày học bài")
    clock.set(datetime(2026, 3, 2, 13, 0, 30, tzinfo=UTC))
    out_first = console(first)
    await run_due(first)
    second = make_app(db_url)  # the bot restarts on the same database
    out_second = console(second)
    await run_due(second)
    third = make_app(db_url)
    await run_due(third)
    assert out_first.getvalue().count("học bài") + out_second.getvalue().count("học bài") == 1


async def test_once_reminder_finishes(app: App, clock: FakeClock) -> None:
    out = console(app)
    set_reminder(app, "nhắc tôi ngày mai 9h nộp bài")
    clock.advance(days=1)
    await run_due(app)
    clock.advance(days=1)
    await run_due(app)
    assert out.getvalue().count("nộp bài") == 1
    assert rows(app)[0].next_due_at is None
    assert "chưa có lời nhắc" in texts(say(app, "/lichnhac"))


async def test_reminder_waits_in_the_outbox_for_its_channel(app: App, clock: FakeClock) -> None:
    set_reminder(app, "nhắc tôi 20h mỗi ngày học bài")
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))
    counts = await run_due(app)  # no console channel running: queued, kept in the outbox
    assert counts["queued"] == 1
    out = console(app)
    clock.advance(minutes=1)
    await run_due(app)
    assert out.getvalue().count("học bài") == 1


def test_user_rows_are_deleted_with_the_user(sqlite_app: App) -> None:
    set_reminder(sqlite_app, "nhắc tôi 20h mỗi ngày học bài")
    with sqlite_app.sessions.begin() as session:
        session.delete(session.scalars(select(User)).one())
    assert rows(sqlite_app) == []


async def test_two_pollers_at_once_send_each_reminder_once(
    make_app: AppFactory, db_url: str, clock: FakeClock
) -> None:
    import asyncio

    apps = [make_app(db_url) for _ in range(2)]
    for number in range(30):
        set_reminder(apps[0], f"nhắc tôi 20h mỗi ngày việc {number}", user=f"c{number}")
    outs = [console(a) for a in apps]
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))
    await asyncio.gather(*(run_due(a) for a in apps))
    sent = "".join(out.getvalue() for out in outs)
    assert all(sent.count(f"việc {number}\n") == 1 for number in range(30))


async def test_grace_window_is_configurable(
    make_app: AppFactory, sqlite_url: str, clock: FakeClock
) -> None:
    app = make_app(sqlite_url, reminder_grace_hours=1)
    out = console(app)
    set_reminder(app, "nhắc tôi 20h mỗi ngày học bài")
    clock.set(datetime(2026, 3, 2, 14, 1, tzinfo=UTC))  # 1 h 1 min late
    counts = await run_due(app)
    assert counts["beyond the grace window"] == 1 and out.getvalue() == ""


def test_bad_reminder_settings_are_named() -> None:
    from bot.config import SettingsError, load_settings

    with pytest.raises(SettingsError, match="SELF_ASSESSMENT_REMINDER_MONTH"):
        load_settings(_env_file=None, self_assessment_reminder_month=13)
    with pytest.raises(SettingsError, match="REMINDER_GRACE_HOURS"):
        load_settings(_env_file=None, reminder_grace_hours=-1)
