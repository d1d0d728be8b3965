"""Delivery of broadcasts: 429, 403 and 5xx answers, scheduling, resuming after a crash."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.broadcast import repo as repo_broadcasts
from bot.broadcast.models import Broadcast
from bot.db.models import User
from tests.broadcast_support import add_citizen, delivery_statuses, telegram_app
from tests.conftest import AppFactory
from tests.helpers import telegram_polling
from tests.standins.bot_api import BotApiStandIn

TEXT = "Thông báo thử nghiệm"


def queue_broadcast(app: App, admin_id: int | None, *, when: object = None) -> int:
    """Queue a broadcast directly, as the compose flow does (no admin: no progress messages)."""
    with app.sessions.begin() as session:
        broadcast = repo_broadcasts.create(
            session,
            created_by=admin_id,
            now=app.now(),
            text=TEXT,
            attachment_url=None,
            buttons=[],
            audience={"kind": "registered", "value": None},
            scheduled_at=when or app.now(),
        )
        return broadcast.id


def broadcast_row(app: App, broadcast_id: int = 1) -> Broadcast:
    with app.sessions.begin() as session:
        row = session.get(Broadcast, broadcast_id)
        assert row is not None
        return row


async def until_done(app: App, broadcast_id: int = 1, timeout: float = 10) -> Broadcast:
    for _ in range(int(timeout / 0.02)):
        row = broadcast_row(app, broadcast_id)
        if row.status == "done":
            return row
        await asyncio.sleep(0.02)
    raise AssertionError(f"broadcast still {row.status}: {delivery_statuses(app)}")


async def test_403_blocks_5xx_retries_and_429_pauses(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    # One 429 and one 502 may hit the same chat: three attempts always get it through.
    app = telegram_app(make_app, db_url, bot_api, send_max_attempts=3)
    chats = [str(3000 + i) for i in range(6)]
    for chat in chats:
        add_citizen(app, chat, place="Xã Tân Thuận Đông")
    bot_api.blocked_chats.add("3001")
    queue_broadcast(app, None)  # only notices go out, so the failures below hit them
    # The first send hits a 429 (pause 1 s, then resend), the second a 502 (retried later).
    bot_api.fail_next["sendMessage"] = {
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    async with telegram_polling(app, services=True):
        await bot_api.wait_for(1)
        bot_api.fail_next["sendMessage"] = {"error_code": 502, "description": "Bad Gateway"}
        row = await until_done(app)
    statuses = delivery_statuses(app)
    assert statuses.pop("3001") == "blocked"
    assert set(statuses.values()) == {"sent"}
    assert (row.sent_count, row.blocked_count, row.failed_count) == (5, 1, 0)
    assert bot_api.delivered_chats(TEXT) >= set(chats) - {"3001"}
    assert bot_api.duplicates() == {}
    sends = [c for c in bot_api.calls if c.method == "sendMessage" and TEXT in c.params["text"]]
    # Sends already in flight when the 429 came back may land; then all wait retry_after.
    later = [c for c in sends if c.at > sends[0].at + 0.5]  # in-flight ones land within 0.5 s
    assert later and later[0].at - sends[0].at >= 0.9
    again = [c for c in sends if c.params["chat_id"] == sends[0].params["chat_id"]]
    # the 429-ed one is resent after retry_after (a 502 on the same chat adds one more send)
    assert len(again) in (2, 3) and again[1].at - again[0].at >= 0.9
    with app.sessions.begin() as session:
        blocked = session.query(User).filter_by(external_id="3001").one()
        assert blocked.active is False


async def test_persistent_server_errors_end_as_failed(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, sqlite_url, bot_api, send_max_attempts=2)
    add_citizen(app, "3100", place="Xã Mỹ An")
    queue_broadcast(app, None)
    bot_api.server_errors = 2  # both attempts answered 502, however fast the retry comes
    async with telegram_polling(app, services=True):
        row = await until_done(app)
    assert delivery_statuses(app) == {"3100": "failed"}
    assert row.failed_count == 1


async def test_scheduled_broadcast_starts_at_its_time(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, sqlite_url, bot_api)
    admin = add_citizen(app, "42")
    add_citizen(app, "3200", place="Xã Mỹ An")
    later = app.now().replace(hour=13)  # 20:00 in Vietnam
    queue_broadcast(app, admin, when=later)
    async with telegram_polling(app, services=True):
        await asyncio.sleep(0.2)
        assert broadcast_row(app).status == "scheduled"
        app.clock.advance(hours=11)  # type: ignore[attr-defined]
        await until_done(app)
    assert bot_api.delivered_chats(TEXT) == {"3200"}


async def test_resume_after_crash_loses_nothing(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, db_url, bot_api, send_rate=40.0)
    admin = add_citizen(app, "42")
    chats = [str(4000 + i) for i in range(30)]
    for chat in chats:
        add_citizen(app, chat, place="Phường Sa Đéc")
    queue_broadcast(app, admin)
    async with telegram_polling(app, services=True) as runtime:
        await bot_api.wait_for(10)
        # Crash: the sender dies mid-send, nothing is recorded after this point.
        sender = runtime.core.senders["telegram"]
        for task in [sender._task, sender._flusher, *sender._sends]:  # noqa: SLF001
            if task is not None:
                task.cancel()
        sender._results.clear()  # noqa: SLF001
    sent_before = len(bot_api.delivered_chats(TEXT))
    assert 0 < sent_before < len(chats)

    restarted = telegram_app(make_app, db_url, bot_api, send_rate=40.0)
    async with telegram_polling(restarted, services=True):
        row = await until_done(restarted)
    assert bot_api.delivered_chats(TEXT) == set(chats)
    # Only the messages in flight at the crash can repeat.
    assert sum(bot_api.duplicates().values()) <= restarted.settings.send_concurrency
    assert row.sent_count == len(chats)


async def test_citizen_who_opts_out_after_the_start_is_skipped(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, sqlite_url, bot_api)
    add_citizen(app, "3300", place="Xã Mỹ An")
    quitter = add_citizen(app, "3301", place="Xã Mỹ An")
    queue_broadcast(app, None)
    with app.sessions.begin() as session:
        assert repo_broadcasts.start(session, broadcast_id=1, now=app.now()) == 2
        session.get(User, quitter).notices_enabled = False  # /tatthongbao meanwhile
    async with telegram_polling(app, services=True):
        await until_done(app)
    assert delivery_statuses(app) == {"3300": "sent", "3301": "skipped"}
    assert bot_api.delivered_chats(TEXT) == {"3300"}


async def test_admin_stops_a_running_broadcast_from_the_progress_message(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, db_url, bot_api, send_rate=10.0)
    admin = add_citizen(app, "42")
    chats = {str(3400 + i) for i in range(40)}
    for chat in sorted(chats):
        add_citizen(app, chat, place="Xã Mỹ An")
    queue_broadcast(app, admin)
    async with telegram_polling(app, services=True):
        for _ in range(250):
            progress = [m for m in bot_api.sent(42) if "Đang gửi thông báo #1" in m["text"]]
            if progress:
                break
            await asyncio.sleep(0.02)
        stop = [b for row in progress[0]["reply_markup"]["inline_keyboard"] for b in row]
        bot_api.user_presses(stop[0]["callback_data"], user_id=42)
        for _ in range(250):
            if any("Đã dừng thông báo #1" in m["text"] for m in bot_api.sent(42)):
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.8)  # the notices already in flight settle
        stopped_at = len(bot_api.delivered_chats(TEXT))
        await asyncio.sleep(0.5)
        assert len(bot_api.delivered_chats(TEXT)) == stopped_at  # nothing more goes out
    assert broadcast_row(app).status == "cancelled"
    assert 0 < stopped_at < len(chats)
