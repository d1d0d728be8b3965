"""Real bot processes: two on one PostgreSQL, and a `kill -9` in the middle of a burst."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models_messaging import InboxUpdate
from tests.conftest import AppFactory
from tests.helpers import say
from tests.processes import BotProcess, post_updates, until
from tests.standins.bot_api import BotApiStandIn

pytestmark = pytest.mark.pg
QUESTION = "tuần lễ học tập suốt đời diễn ra khi nào"
# Every message gets a different answer, so the order of the answers is the order of handling.
SCRIPT = ["/start", "/help", QUESTION, "/khongco", "/start"]
FAST = {"SEND_RATE": "300", "SEND_CHAT_SECONDS": "0"}


@pytest.fixture
async def processes(tmp_path: Path) -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for process in started:
        process.kill()


async def test_two_processes_never_handle_one_chat_at_once_or_out_of_order(
    make_app: AppFactory,
    pg_url: str,
    bot_api: BotApiStandIn,
    processes: list[BotProcess],
    tmp_path: Path,
) -> None:
    app: App = make_app(pg_url)  # migrates the schema the processes share
    for _ in range(2):
        process = BotProcess(pg_url, bot_api.base_url, webhook=True, **FAST)
        await process.start(tmp_path)
        processes.append(process)
    chats = list(range(9000, 9030))
    updates = []
    reference = [r.text for text in SCRIPT for r in say(app, text, user="reference")]
    for step, text in enumerate(SCRIPT):
        updates.extend(
            {"update_id": 100_000 + step * 1000 + chat - 9000, **_message(bot_api, text, chat)}
            for chat in chats
        )
    by_chat: dict[int, list[dict]] = {}
    for update in sorted(updates, key=lambda u: u["update_id"]):
        by_chat.setdefault(update["message"]["chat"]["id"], []).append(update)

    async def chat_talks(chat_updates: list[dict], client: httpx.AsyncClient) -> list[int]:
        # One chat's messages one after another (as a citizen types them), alternately to the
        # two processes; all chats at once, so both processes are busy with the same chats.
        codes = []
        for index, update in enumerate(chat_updates):
            codes += await post_updates(processes[index % 2].url, [update], client=client)
        return codes

    async with httpx.AsyncClient() as client:
        results = await asyncio.gather(*(chat_talks(u, client) for u in by_chat.values()))
    assert all(code == 200 for codes in results for code in codes)
    expected = len(reference)
    await until(lambda: all(len(bot_api.sent(c)) >= expected for c in chats), 90, "replies")
    await asyncio.sleep(0.5)
    for chat in chats:
        got = [m["text"] for m in bot_api.sent(chat)]
        # A send that timed out is resent (at least once): it repeats back to back, never
        # out of order; such repeats are counted below.
        collapsed = [t for i, t in enumerate(got) if i == 0 or t != got[i - 1]]
        assert collapsed == reference, (chat, [t[:30] for t in got])
    resent = sum(len(bot_api.sent(chat)) - len(reference) for chat in chats)
    assert resent <= 2
    with app.sessions() as session:
        rows = session.execute(
            select(InboxUpdate.chat_key, InboxUpdate.id, InboxUpdate.handled_at)
            .order_by(InboxUpdate.chat_key, InboxUpdate.id)
        ).all()
    handled: dict[str, list] = {}
    for chat_key, _row_id, handled_at in rows:
        handled.setdefault(chat_key, []).append(handled_at)
    assert len(handled) == len(chats)
    assert all(times == sorted(times) for times in handled.values())


def _message(bot_api: BotApiStandIn, text: str, chat: int) -> dict:
    update = bot_api.make_update(text, user_id=chat)
    update.pop("update_id")
    return update


async def test_kill_9_in_the_middle_of_a_burst_loses_no_chat(
    make_app: AppFactory,
    db_url: str,
    bot_api: BotApiStandIn,
    processes: list[BotProcess],
    tmp_path: Path,
) -> None:
    make_app(db_url)
    settings = {"SEND_RATE": "60", "SEND_CHAT_SECONDS": "0", "SEND_CONCURRENCY": "8"}
    first = BotProcess(db_url, bot_api.base_url, webhook=False, **settings)
    processes.append(first)
    await first.start(tmp_path)
    chats = [str(20_000 + n) for n in range(200)]
    for chat in chats:
        bot_api.user_says("/start", user_id=int(chat))
    last = bot_api.updates[-1]["update_id"]
    await until(lambda: bot_api.fetched_up_to >= last, 30, "every update fetched")
    await until(lambda: len(bot_api.delivered_chats("Khuyến học Bot")) >= 20, 30, "answers")
    first.kill()  # mid-burst: most chats are not answered yet
    answered_before = len(bot_api.delivered_chats("Khuyến học Bot"))
    assert answered_before < len(chats)

    second = BotProcess(db_url, bot_api.base_url, webhook=False, **settings)
    processes.append(second)
    await second.start(tmp_path)
    await until(
        lambda: len(bot_api.delivered_chats("Khuyến học Bot")) == len(chats), 60, "all answered"
    )
    second.stop()
    assert bot_api.delivered_chats("Khuyến học Bot") == set(chats)  # 0 lost
    in_flight = int(settings["SEND_CONCURRENCY"])
    assert sum(bot_api.duplicates().values()) <= in_flight  # at most the sends in flight
