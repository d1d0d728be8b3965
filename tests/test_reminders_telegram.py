"""Reminders on Telegram end to end: buttons, the real scheduler, a blocked citizen."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import User
from bot.reminders.models import Reminder
from bot.reminders.runner import run_due_once
from bot.reminders.service import JOB_ID, ReminderService
from tests.conftest import AppFactory, FakeClock
from tests.helpers import buttons_of, telegram_app, telegram_polling
from tests.standins.bot_api import BotApiStandIn


def button(params: dict, label_part: str) -> str:
    for item in buttons_of(params):
        if label_part in item["text"]:
            return item["callback_data"]
    raise AssertionError(f"no button {label_part!r} in {params.get('reply_markup')}")


async def test_set_with_buttons_then_the_scheduler_sends_it(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn, clock: FakeClock
) -> None:
    app = telegram_app(make_app, db_url, bot_api, reminder_poll_seconds=1)
    async with telegram_polling(app) as runtime:
        menu = [c.params for c in bot_api.calls if c.method == "setMyCommands"][0]
        assert {"nhacnho", "lichnhac"} <= {c["command"] for c in menu["commands"]}
        bot_api.user_says("/nhacnho")
        await bot_api.wait_for(1)
        bot_api.user_presses(button(bot_api.sent(42)[-1], "Hằng ngày"))
        await bot_api.wait_for(2)
        bot_api.user_presses(button(bot_api.sent(42)[-1], "20:00"))
        await bot_api.wait_for(3)
        bot_api.user_says("đọc sách")
        await bot_api.wait_for(4)
        assert "Mỗi ngày lúc 20:00: đọc sách" in bot_api.sent(42)[-1]["text"]
        bot_api.user_presses(button(bot_api.sent(42)[-1], "Lưu"))
        await bot_api.wait_for(5)
        assert "đã lưu" in bot_api.sent(42)[-1]["text"]

        clock.set(datetime(2026, 3, 2, 13, 0, 5, tzinfo=UTC))  # 20:00:05 in Vietnam
        await runtime.start_services()  # the real APScheduler polls every second here
        await bot_api.wait_for(6)
        assert "Nhắc Anh/Chị: đọc sách" in bot_api.sent(42)[-1]["text"]
        service = runtime.services[0]
        assert isinstance(service, ReminderService)
        assert service.job_ids() == [JOB_ID]
    assert len([p for p in bot_api.sent(42) if "Nhắc Anh/Chị: đọc sách" in p["text"]]) == 1


async def test_blocked_citizen_is_marked_inactive_and_reminders_paused(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn, clock: FakeClock
) -> None:
    app = telegram_app(make_app, db_url, bot_api)
    async with telegram_polling(app) as runtime:
        bot_api.user_says("nhắc tôi 20h mỗi ngày học bài")
        await bot_api.wait_for(1)
        bot_api.user_presses(button(bot_api.sent(42)[-1], "Lưu"))
        await bot_api.wait_for(2)
        bot_api.blocked_chats.add("42")
        clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))
        assert (await run_due_once(app))["queued"] == 1
        await runtime.settle()  # the sender meets the 403 and marks the citizen inactive
        with app.sessions() as session:
            assert session.scalars(select(User.active)).one() is False
        clock.advance(days=1)
        counts = await run_due_once(app)
        assert counts["queued"] == 0 and counts["user inactive"] == 1  # not sent again
    assert sum(1 for c in bot_api.calls if c.method == "sendMessage") == 3  # 2 replies + 403
    with app.sessions() as session:
        assert session.scalars(select(User.active)).one() is False
        assert session.scalars(select(Reminder.paused)).one() is True


async def test_two_restarts_create_no_duplicate_jobs(
    make_app: AppFactory, sqlite_url: str, clock: FakeClock
) -> None:
    for _ in range(3):
        service = ReminderService(make_app(sqlite_url))
        await service.start()
        await service.ready.wait()
        assert service.job_ids() == [JOB_ID]
        await service.start()  # even a second start in one process replaces, never adds
        assert service.job_ids().count(JOB_ID) == 1
        await service.stop()
