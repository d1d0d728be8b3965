"""The inbox: updates stored before they are acknowledged, once, and handled after a crash."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.telegram import received_of
from bot.db.models import QuestionLog, User
from bot.db.models_messaging import InboxUpdate
from bot.runner import Runtime
from tests.conftest import AppFactory
from tests.helpers import buttons_of, telegram_app, telegram_polling, text_message
from tests.standins.bot_api import BotApiStandIn

SECRET = "s3cret-token_1"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
QUESTION = "tuần lễ học tập suốt đời diễn ra khi nào"


@asynccontextmanager
async def webhook_client(app: App) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    """Run the app's webhook server and a client posting to it; stop both afterwards."""
    runtime = Runtime(app)
    port = await runtime.start_webhook_server(port=0)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield runtime, client
    finally:
        await runtime.stop()


def webhook_app(make_app: AppFactory, url: str, bot_api: BotApiStandIn, **extra: object) -> App:
    return telegram_app(
        make_app,
        url,
        bot_api,
        webhook_url="https://bot.example.vn/telegram",
        webhook_secret=SECRET,
        **extra,
    )


def count(app: App, model: type) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


async def test_webhook_update_posted_twice_is_answered_once(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = webhook_app(make_app, db_url, bot_api)
    runtime = Runtime(app)
    port = await runtime.start_webhook_server(port=0)
    try:
        update = bot_api.make_update(QUESTION)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            first = await client.post("/telegram", json=update, headers=HEADERS)
            await runtime.settle()
            again = await client.post("/telegram", json=update, headers=HEADERS)  # redelivery
            await runtime.settle()
        assert first.status_code == again.status_code == 200
    finally:
        await runtime.stop()
    answers = [m for m in bot_api.sent(42) if "10" in m["text"]]
    assert len(answers) == 1 and len(bot_api.sent(42)) == 1
    assert count(app, QuestionLog) == 1 and count(app, InboxUpdate) == 1


async def test_polled_update_delivered_twice_is_answered_once(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, db_url, bot_api)
    async with telegram_polling(app) as runtime:
        update = bot_api.user_says(QUESTION)
        bot_api.updates.append(copy.deepcopy(update))  # Telegram sends it again
        await bot_api.wait_for(1)
        await runtime.settle()
        bot_api.user_says("/help")
        await bot_api.wait_for(2)
    assert len(bot_api.sent(42)) == 2
    assert count(app, QuestionLog) == 1


async def test_a_failing_handler_undoes_only_its_own_update_and_counts_once(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One batch runs without savepoints; a failing handler makes it run again with them.
    app = telegram_app(make_app, db_url, bot_api, flood_burst=2, flood_window_seconds=60)
    real_match = app.faq_index.match

    def match(question: str) -> object:
        if "hỏng" in question:
            raise RuntimeError("matcher broke")
        return real_match(question)

    monkeypatch.setattr(app.faq_index, "match", match)
    for user in (1, 2):
        bot_api.user_says(QUESTION, user_id=user)
    bot_api.user_says("câu này làm hỏng bộ so khớp", user_id=4)
    bot_api.user_says(QUESTION, user_id=3)  # all four arrive in one poll, one batch
    async with telegram_polling(app) as runtime:
        await bot_api.wait_for(4)
        await runtime.settle()
        for user in (1, 2, 3):  # a second question within the burst of 2: the first counted once
            bot_api.user_says(QUESTION, user_id=user)
        await bot_api.wait_for(7)
        await runtime.settle()
    for user in (1, 2, 3):
        answers = [m["text"] for m in bot_api.sent(user)]
        assert len(answers) == 2 and all("10" in a for a in answers), answers
    assert [m["text"] for m in bot_api.sent(4)] == [app.content.messages.text("core.error")]
    assert count(app, QuestionLog) == 6  # the failed question's writes were undone


async def test_a_batch_reads_its_authors_flows_and_stored_counts_at_once(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    # One poll brings a registration answer, a citizen over today's budget (spent through
    # another process) and newcomers: each gets what handling one by one would give.
    app = telegram_app(make_app, db_url, bot_api, user_daily_messages=3)
    other = make_app(db_url, user_daily_messages=3)
    for number in range(3):
        other.dispatcher.handle(text_message(f"{QUESTION} {number}", user="7", channel="telegram"))
    async with telegram_polling(app) as runtime:
        bot_api.user_says("/dangky")
        await bot_api.wait_for(1)
        agree = next(b for b in buttons_of(bot_api.sent(42)[-1]) if "Tôi đồng ý" in b["text"])
        bot_api.user_presses(agree["callback_data"])
        await bot_api.wait_for(2)
        await runtime.settle()
        assert "họ và tên" in bot_api.sent(42)[-1]["text"].lower()
    bot_api.user_says(QUESTION, user_id=5)
    bot_api.user_says("Nguyễn Văn An")
    bot_api.user_says(QUESTION, user_id=7)
    bot_api.user_says(QUESTION, user_id=6)
    async with telegram_polling(app) as runtime:
        await bot_api.wait_for(6)
        await runtime.settle()
    assert "sinh năm nào" in bot_api.sent(42)[-1]["text"]
    assert "Ngày mai" in bot_api.sent(7)[-1]["text"]
    for user in (5, 6):
        assert "10" in bot_api.sent(user)[-1]["text"]
    with app.sessions() as session:  # the newcomers' accounts, made for the whole batch at once
        made = session.scalars(select(User).where(User.external_id.in_(["5", "6"]))).all()
        assert sorted((u.external_id, u.chat_id, u.display_name) for u in made) == [
            ("5", "5", "Lan"),
            ("6", "6", "Lan"),
        ]


async def test_flow_answer_delivered_twice_is_taken_once(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = webhook_app(make_app, sqlite_url, bot_api)
    async with webhook_client(app) as (runtime, client):
        await client.post("/telegram", json=bot_api.make_update("/dangky"), headers=HEADERS)
        await runtime.settle()
        agree = next(b for b in buttons_of(bot_api.sent(42)[-1]) if "Tôi đồng ý" in b["text"])
        pressed = bot_api.user_presses(agree["callback_data"])
        await client.post("/telegram", json=pressed, headers=HEADERS)
        await runtime.settle()
        assert "họ và tên" in bot_api.sent(42)[-1]["text"].lower()
        name = bot_api.make_update("Nguyễn Văn An")
        for _ in range(2):  # Telegram redelivers the name
            await client.post("/telegram", json=name, headers=HEADERS)
        await runtime.settle()
    after = [m["text"] for m in bot_api.sent(42)[2:]]
    assert len(after) == 1, after  # the next question, once; the name is not read as a year
    assert "sinh năm nào" in after[0]


async def test_body_that_is_not_an_update_is_acknowledged_and_ignored(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = webhook_app(make_app, sqlite_url, bot_api)
    async with webhook_client(app) as (runtime, client):
        for body in ({"foo": 1}, {"update_id": "x"}, [1, 2]):
            answer = await client.post("/telegram", json=body, headers=HEADERS)
            assert answer.status_code == 200
        await runtime.settle()
    assert bot_api.sent() == [] and count(app, InboxUpdate) == 0


async def test_body_over_one_megabyte_is_refused_before_it_is_read(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = webhook_app(make_app, sqlite_url, bot_api)
    runtime = Runtime(app)
    port = await runtime.start_webhook_server(port=0)
    big = b'{"update_id": 1, "pad": "' + b"x" * 2_000_000 + b'"}'

    async def chunks():  # no Content-Length: the limit holds while streaming too
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            declared = await client.post("/telegram", content=big, headers=HEADERS)
            streamed = await client.post("/telegram", content=chunks(), headers=HEADERS)
    finally:
        await runtime.stop()
    assert declared.status_code == streamed.status_code == 413
    assert count(app, InboxUpdate) == 0


async def test_update_stored_before_a_crash_is_answered_after_the_restart(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, db_url, bot_api)
    crashed = Runtime(app)  # stores the update, dies before any worker handled it
    stored = await crashed.core.intake([received_of(bot_api.make_update(QUESTION))])
    assert stored == 1 and bot_api.sent() == []
    restarted = telegram_app(make_app, db_url, bot_api)
    async with telegram_polling(restarted) as runtime:
        await bot_api.wait_for(1)
        await runtime.settle()
    assert len(bot_api.sent(42)) == 1 and "10" in bot_api.sent(42)[0]["text"]


async def test_a_burst_from_many_chats_is_answered_once_each_in_order(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    # Batches of 5 chats, each batch's replies and outcomes written together at its end.
    app = telegram_app(make_app, db_url, bot_api, inbox_batch=5)
    chats = [70_000 + n for n in range(12)]
    async with telegram_polling(app) as runtime:
        for chat in chats:
            bot_api.user_says(QUESTION, user_id=chat)
            bot_api.user_says("/help", user_id=chat)
        await bot_api.wait_for(2 * len(chats))
        await runtime.settle()
    for chat in chats:
        sent = [m["text"] for m in bot_api.sent(chat)]
        assert len(sent) == 2, (chat, sent)
        assert "10" in sent[0] and "10" not in sent[1]  # the answer first, then the help
    assert count(app, QuestionLog) == len(chats)
    with app.sessions() as session:
        statuses = session.scalars(select(InboxUpdate.status)).all()
        handled = session.scalars(select(InboxUpdate.handled_at)).all()
    assert statuses == ["done"] * 2 * len(chats) and all(handled)
