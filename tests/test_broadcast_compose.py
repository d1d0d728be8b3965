"""Composing a broadcast on Telegram through the Bot API stand-in, buttons pressed."""

from __future__ import annotations

import asyncio

from tests.broadcast_support import ADMIN_CHAT, add_citizen, telegram_app
from tests.conftest import AppFactory
from tests.helpers import buttons_of, telegram_polling
from tests.standins.bot_api import BotApiStandIn


async def admin_does(bot_api: BotApiStandIn, action: str, *, press: bool = False) -> list[dict]:
    """Type or press as the admin; return the messages the bot sent in answer."""
    before = len(bot_api.sent(ADMIN_CHAT))
    if press:
        bot_api.user_presses(action, user_id=ADMIN_CHAT)
    else:
        bot_api.user_says(action, user_id=ADMIN_CHAT)
    for _ in range(300):
        await asyncio.sleep(0.02)
        answer = bot_api.sent(ADMIN_CHAT)[before:]
        if answer and not any(m.get("message_id") for m in answer):  # edits excluded below
            while True:  # the replies to one message follow each other: wait for the last
                await asyncio.sleep(0.2)
                if len(bot_api.sent(ADMIN_CHAT)) == before + len(answer):
                    break
                answer = bot_api.sent(ADMIN_CHAT)[before:]
            return [m for m in answer if "message_id" not in m]
    raise AssertionError(f"no answer to {action!r}")


async def test_compose_preview_confirm_and_deliver_on_telegram(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, db_url, bot_api)
    for chat in ("1001", "1002", "1003"):
        add_citizen(app, chat, place="Phường Cao Lãnh")
    add_citizen(app, "1004", notices=False)  # opted out
    add_citizen(app, "1005", active=False)  # blocked the bot earlier
    async with telegram_polling(app, services=True):
        asked = await admin_does(bot_api, "/thongbao")
        assert "nội dung thông báo" in asked[0]["text"]
        await admin_does(bot_api, "Họp mặt khuyến học lúc 8 giờ sáng Chủ nhật.")
        audience_menu = await admin_does(bot_api, "bc:skip", press=True)
        assert "Nút liên kết" in audience_menu[0]["text"]
        audience_menu = await admin_does(bot_api, "Xem chi tiết | https://example.vn/hop")
        labels = [b["text"] for b in buttons_of(audience_menu[0])]
        assert "Tất cả người dùng" in labels

        asked = await admin_does(bot_api, "bc:aud:place", press=True)
        assert "xã/phường" in asked[0]["text"]
        unknown = await admin_does(bot_api, "Phường Không Có")
        assert "Chưa có người học nào" in unknown[0]["text"]
        preview = await admin_does(bot_api, "phuong cao lanh")
        notice, summary = preview[1], preview[2]
        assert "Họp mặt khuyến học" in notice["text"] and "/tatthongbao" in notice["text"]
        assert "Số người sẽ nhận: 3" in summary["text"]

        queued = await admin_does(bot_api, "bc:now", press=True)
        assert "#1" in queued[0]["text"]
        for _ in range(200):
            if len(bot_api.delivered_chats("Họp mặt khuyến học")) >= 4:  # 3 and the preview
                break
            await asyncio.sleep(0.02)
        for _ in range(200):
            if any("đã gửi xong" in m["text"] for m in bot_api.sent(ADMIN_CHAT)):
                break
            await asyncio.sleep(0.02)

    received = bot_api.delivered_chats("Họp mặt khuyến học")
    assert received == {"1001", "1002", "1003", str(ADMIN_CHAT)}
    delivered = [m for m in bot_api.sent("1001") if "Họp mặt" in m["text"]]
    # Exactly what the admin previewed: same text, same link button.
    assert delivered[0]["text"] == notice["text"]
    assert buttons_of(delivered[0]) == buttons_of(notice)
    admin_messages = bot_api.sent(ADMIN_CHAT)
    assert any("Đang gửi thông báo #1" in m["text"] for m in admin_messages)
    edits = [c.params for c in bot_api.calls if c.method == "editMessageText"]
    assert edits and "Đã gửi: 3" in edits[-1]["text"]
    assert (
        "Đã gửi: 3" in admin_messages[-1]["text"] and "đã gửi xong" in admin_messages[-1]["text"]
    )
    assert bot_api.duplicates() == {}


async def test_schedule_for_later_and_cancel_before_it_runs(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, sqlite_url, bot_api)
    add_citizen(app, "2001", place="Xã Mỹ An", union=True)
    add_citizen(app, "2002", place="Xã Mỹ An")
    async with telegram_polling(app, services=True):
        await admin_does(bot_api, "/thongbao")
        await admin_does(bot_api, "Lớp tin học cho đoàn viên.")
        await admin_does(bot_api, "bc:skip", press=True)
        await admin_does(bot_api, "bc:skip", press=True)
        preview = await admin_does(bot_api, "bc:aud:union", press=True)
        assert "Số người sẽ nhận: 1" in preview[-1]["text"]
        asked = await admin_does(bot_api, "bc:later", press=True)
        assert "20:00 30/11" in asked[0]["text"]
        wrong = await admin_does(bot_api, "tối nay")
        assert "Chưa hiểu thời điểm" in wrong[0]["text"]
        queued = await admin_does(bot_api, "20:00 02/03")
        assert "20:00 02/03/2026" in queued[0]["text"]
        await asyncio.sleep(0.2)
        assert bot_api.delivered_chats("Lớp tin học") == {str(ADMIN_CHAT)}  # the preview only

        report = await admin_does(bot_api, "/baocao")
        assert "chờ gửi" in report[0]["text"]
        stop = next(b for b in buttons_of(report[0]) if "Dừng" in b["text"])
        stopped = await admin_does(bot_api, stop["callback_data"], press=True)
        assert "Đã dừng thông báo #1" in stopped[0]["text"]
        app.clock.advance(hours=12)  # type: ignore[attr-defined]
        await asyncio.sleep(0.3)
    assert bot_api.delivered_chats("Lớp tin học") == {str(ADMIN_CHAT)}
