"""Handover end to end: the real PTB Application and the Zalo OA webhook against stand-ins."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.handoff.models import Ticket, TicketMessage
from bot.handoff.reminders import remind_once
from tests.conftest import AppFactory, FakeClock
from tests.console_helpers import CONSOLE_SETTINGS, page_text, seed, signed_in
from tests.handoff_helpers import OUT_OF_SCOPE, OUTSIDER, STAFF_GROUP, STAFF_MEMBER, grant_staff
from tests.helpers import buttons_of, telegram_app, telegram_polling
from tests.standins.bot_api import BotApiStandIn
from tests.standins.zalo_api import ZaloStandIn
from tests.zalo_helpers import CITIZEN as ZALO_CITIZEN
from tests.zalo_helpers import buttons_of as oa_buttons_of
from tests.zalo_helpers import now_ms, post_event, serving, zalo_oa_settings

GROUP = int(STAFF_GROUP)
STAFF = int(STAFF_MEMBER)


def _app(make_app: AppFactory, url: str, bot_api: BotApiStandIn, **extra: object) -> App:
    app = telegram_app(make_app, url, bot_api, staff_chat_id=STAFF_GROUP, **extra)
    grant_staff(app, "telegram", STAFF_MEMBER)
    return app


def _button(params: dict[str, Any], label_part: str) -> str:
    return next(b["callback_data"] for b in buttons_of(params) if label_part in b["text"])


async def _hand_over_on_telegram(bot_api: BotApiStandIn) -> dict[str, Any]:
    """The citizen asks, presses the handover button; return the ticket's post in the group."""
    bot_api.user_says(OUT_OF_SCOPE)
    await bot_api.wait_for(1)
    bot_api.user_presses(_button(bot_api.sent(42)[0], "cán bộ"))
    await bot_api.wait_for(3)
    assert "HK-0001" in bot_api.sent(42)[1]["text"]
    posts = bot_api.messages_in(GROUP)
    assert len(posts) == 1 and OUT_OF_SCOPE in posts[0]["text"]
    return posts[0]


async def test_telegram_citizen_gets_the_staff_answer_and_outsiders_are_ignored(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = _app(make_app, db_url, bot_api)
    async with telegram_polling(app):
        post = await _hand_over_on_telegram(bot_api)
        group_params = bot_api.sent(GROUP)[0]
        assert {"✅ Đã xong", "📚 Thêm vào FAQ"} <= {b["text"] for b in buttons_of(group_params)}

        bot_api.member_says(GROUP, "Tôi không phải cán bộ", user_id=int(OUTSIDER), reply_to=post)
        bot_api.member_says(GROUP, "Dạ, giá lúa Anh/Chị xem trên báo ạ.", STAFF, reply_to=post)
        await bot_api.wait_for(5)
        await asyncio.sleep(0.3)  # time enough for a wrong reply to the outsider to show
        answers = bot_api.sent(42)[2:]
        assert len(answers) == 1
        assert answers[0]["text"].startswith("💬 Cán bộ Hội Khuyến học trả lời (HK-0001):")
        assert "xem trên báo" in answers[0]["text"]
        assert "Gửi thêm" in str(buttons_of(answers[0]))
        notes = [m["text"] for m in bot_api.messages_in(GROUP)[1:]]
        assert notes == ["✅ Đã gửi trả lời HK-0001 cho Lan."]  # nothing for the outsider
        assert not any("không phải cán bộ" in p["text"] for p in bot_api.sent(42))

        # A forged staff button pressed by the citizen gets a polite refusal.
        bot_api.user_presses("tk:done:1")
        await bot_api.wait_for(6)
        assert "chỉ dành cho cán bộ" in bot_api.sent(42)[-1]["text"]


async def test_a_double_press_on_telegram_opens_one_ticket(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = _app(make_app, db_url, bot_api)
    async with telegram_polling(app):
        bot_api.user_says(OUT_OF_SCOPE)
        await bot_api.wait_for(1)
        button = _button(bot_api.sent(42)[0], "cán bộ")
        bot_api.user_presses(button)
        bot_api.user_presses(button)  # both presses queued before the bot reads either
        await bot_api.wait_for(4)
        await asyncio.sleep(0.3)  # time enough for a second ticket's post to show
        texts = [m["text"] for m in bot_api.sent(42)[1:]]
        assert "HK-0001" in texts[0] and "đã gửi cho cán bộ rồi (mã HK-0001)" in texts[1]
        assert len(texts) == 2 and len(bot_api.messages_in(GROUP)) == 1
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1


async def test_ticket_survives_a_restart_and_xoadulieu_removes_it(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    async with telegram_polling(_app(make_app, db_url, bot_api)):
        post = await _hand_over_on_telegram(bot_api)
    # A new process on the same database: the staff member answers the post from before.
    async with telegram_polling(
        telegram_app(make_app, db_url, bot_api, staff_chat_id=STAFF_GROUP)
    ) as rt:
        bot_api.member_says(
            GROUP, "Dạ, cán bộ trả lời sau khi khởi động lại.", STAFF, reply_to=post
        )
        await bot_api.wait_for(5)
        assert "sau khi khởi động lại" in bot_api.sent(42)[-1]["text"]

        bot_api.user_says("/xoadulieu")
        await bot_api.wait_for(6)
        confirm = bot_api.sent(42)[-1]
        assert "câu hỏi đã chuyển cán bộ: 1" in confirm["text"]
        bot_api.user_presses(_button(confirm, "Xóa"))
        await bot_api.wait_for(7)
        with rt.app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Ticket)) == 0
            assert session.scalar(select(func.count()).select_from(TicketMessage)) == 0
        bot_api.member_says(GROUP, "Dạ, thêm một ý.", STAFF, reply_to=post)
        await bot_api.wait_for(8)
        assert "Không tìm thấy câu hỏi HK-0001" in bot_api.sent(GROUP)[-1]["text"]


@pytest.mark.parametrize("answered_in", ["group", "console"])
async def test_zalo_oa_citizen_gets_the_staff_answer_through_the_oa(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn, zalo: ZaloStandIn,
    clock: FakeClock, answered_in: str,
) -> None:  # fmt: skip
    app = _app(make_app, db_url, bot_api, **zalo_oa_settings(zalo), **CONSOLE_SETTINGS)
    seed(app)
    async with serving(app) as (_runtime, client):
        assert client is not None
        question = zalo.oa_event(
            "user_send_text", ZALO_CITIZEN, at_ms=now_ms(clock), text=OUT_OF_SCOPE
        )
        await post_event(client, question)
        await zalo.wait_for(1)
        buttons = [b for m in zalo.oa_sent(ZALO_CITIZEN) for b in oa_buttons_of(m)]
        handover = next(b for b in buttons if "cán bộ" in b["title"])
        press = zalo.oa_event(
            "user_send_text", ZALO_CITIZEN, at_ms=now_ms(clock) + 1, text=handover["payload"]
        )
        await post_event(client, press)
        await bot_api.wait_for(1)
        await zalo.wait_for(2)
        assert "HK-0001" in zalo.oa_sent(ZALO_CITIZEN)[-1]["text"]
        post = bot_api.messages_in(GROUP)[0]
        assert "Zalo OA" in post["text"] and "Zalo chỉ cho gửi trả lời đến" in post["text"]

        sent_before = len(zalo.oa_sent(ZALO_CITIZEN))
        if answered_in == "group":
            bot_api.member_says(GROUP, "Dạ, cán bộ trả lời qua Zalo.", STAFF, reply_to=post)
        else:  # the same answer typed in the web console's ticket page
            console = await asyncio.to_thread(signed_in, app, "staff", "lan")
            await asyncio.to_thread(console.get, "/tickets/1")
            form = {"text": "Dạ, cán bộ trả lời qua Zalo."}
            sent = await asyncio.to_thread(console.post, "/tickets/1/answer", form)
            assert "Đã gửi câu trả lời" in page_text(sent)
        await zalo.wait_for(sent_before + 1)
        answer = zalo.oa_sent(ZALO_CITIZEN)[-1]["text"]
        assert answer.startswith("💬 Cán bộ Hội Khuyến học trả lời (HK-0001):")
        assert "trả lời qua Zalo" in answer


async def test_staff_are_reminded_of_tickets_waiting_too_long(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn, clock: FakeClock
) -> None:
    app = _app(make_app, sqlite_url, bot_api, ticket_remind_hours=2)
    async with telegram_polling(app):
        await _hand_over_on_telegram(bot_api)
        assert remind_once(app) == 0
        clock.advance(hours=2, minutes=5)
        assert remind_once(app) == 1
        await bot_api.wait_for(4)
        reminder = bot_api.sent(GROUP)[-1]["text"]
        assert "quá 2 giờ" in reminder and "HK-0001" in reminder and "2 giờ" in reminder
        clock.advance(hours=3)
        assert remind_once(app) == 0  # once per wait, not on every poll


async def test_forum_group_gets_one_topic_per_ticket_and_answers_from_the_topic(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    bot_api.forum_chats.add(GROUP)
    async with telegram_polling(_app(make_app, db_url, bot_api)):
        await _hand_over_on_telegram(bot_api)
        created = [c.params for c in bot_api.calls if c.method == "createForumTopic"]
        assert [c["name"] for c in created] == [f"HK-0001 · {OUT_OF_SCOPE}"]
        thread = next(iter(bot_api.topics))
        assert bot_api.sent(GROUP)[0]["message_thread_id"] == thread

        # Written in the topic, without replying to any message: an answer to its ticket.
        opened = bot_api.topic_created(GROUP, thread)
        bot_api.member_says(
            GROUP, "Dạ, cán bộ trả lời trong chủ đề.", STAFF, reply_to=opened, thread_id=thread
        )
        await bot_api.wait_for(5)
        assert "trả lời trong chủ đề" in bot_api.sent(42)[-1]["text"]
        note = bot_api.sent(GROUP)[-1]
        assert note["text"].startswith("✅ Đã gửi") and note["message_thread_id"] == thread
    # After a restart the citizen's follow-up still joins the same topic.
    async with telegram_polling(
        telegram_app(make_app, db_url, bot_api, staff_chat_id=STAFF_GROUP)
    ):
        bot_api.user_presses(_button(bot_api.sent(42)[-1], "Gửi thêm"))
        await bot_api.wait_for(6)
        bot_api.user_says("Dạ, tôi ở xã Mỹ An.")
        await bot_api.wait_for(8)
        follow_up = bot_api.sent(GROUP)[-1]
        assert "xã Mỹ An" in follow_up["text"] and follow_up["message_thread_id"] == thread
        assert sum(1 for c in bot_api.calls if c.method == "createForumTopic") == 1
