"""The messaging core against a Bot API stand-in enforcing Telegram's limits, bot in a process.

Targets (issue 19), each on SQLite and PostgreSQL, the bot a real `khuyenhoc run` process
(its own peak memory is reported):
- the sender holds >= 95% of Telegram's ~30/s (28.5/s) with flood control on and at most
  5 answers 429, with no latency and with 150 ms per send;
- 500 reminders due in the same minute are all delivered within 30 s, flood control on;
- a burst of 3,000 `/start` from 3,000 chats, `kill -9` once all were fetched (polling) or
  acknowledged (webhook), then a restart: 0 chats lost, duplicates only within the in-flight
  bound (SEND_CONCURRENCY).

Run: `python -m tests.bench bench_messaging` (BENCH_SENDS, default 600; BENCH_BURST, 3000).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.db import repo_outbox
from bot.db.session import make_engine
from bot.messages import Reply
from bot.reminders.models import Reminder
from tests.bench.support import database, kinds, seed_users
from tests.processes import BotProcess, post_updates
from tests.standins.bot_api import BotApiStandIn

SENDS = int(os.environ.get("BENCH_SENDS", "600"))
BURST = int(os.environ.get("BENCH_BURST", "3000"))
REMINDERS = 500
TELEGRAM_RATE = 30.0
FAST = {"SEND_RATE": "1000", "SEND_BURST": "1000", "SEND_CHAT_SECONDS": "0"}
IN_FLIGHT = 8  # SEND_CONCURRENCY's default: the messages a crash may repeat
GREETING = "Khuyến học Bot"


async def until(condition, timeout: float) -> bool:  # noqa: ANN001
    """Wait until the condition holds; return whether it did in time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def queue_notices(url: str, chats: list[str], ids: dict[str, int]) -> None:
    """Put one broadcast-kind message per chat in the outbox."""
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for chat in chats:
            repo_outbox.enqueue(
                session,
                reply=Reply("📢 Thông báo thử tải"),
                kind="broadcast",
                channel="telegram",
                chat_id=chat,
                user_id=ids[chat],
            )
    engine.dispose()


async def sender_rate(kind: str, latency: float, log_dir: Path) -> dict[str, float]:
    """Send SENDS queued notices; return the sustained rate, 429s and worst flood."""
    with database(kind) as url:
        chats = [str(10_000_000 + i) for i in range(SENDS)]
        queue_notices(url, chats, seed_users(url, chats))
        stand_in = BotApiStandIn(flood_control=True, latency=latency)
        await stand_in.start()
        bot = BotProcess(url, stand_in.base_url, webhook=False)
        try:
            await bot.start(log_dir)
            await until(lambda: len(stand_in.accepted) >= SENDS, SENDS / 20 + 30)
            rss = bot.rss_mb()
        finally:
            bot.stop()
            await stand_in.stop()
    times = sorted(t for t, _chat in stand_in.accepted)
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    overall, per_chat = stand_in.worst_flood()
    return {
        "rate": rate,
        "sent": len(times),
        "429": stand_in.too_many_requests,
        "overall": overall,
        "per_chat": per_chat,
        "rss": rss,
    }


def seed_reminders(url: str, due: datetime) -> None:
    """Create REMINDERS citizens, each with a daily reminder due at `due`."""
    chats = [str(20_000_000 + i) for i in range(REMINDERS)]
    ids = seed_users(url, chats)
    engine = make_engine(url)
    now = datetime.now(UTC)
    local = due.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    with engine.begin() as connection:
        connection.execute(
            insert(Reminder),
            [
                {
                    "user_id": ids[chat],
                    "text": f"Việc số {n}",
                    "kind": "daily",
                    "weekdays": "",
                    "hour": local.hour,
                    "minute": local.minute,
                    "next_due_at": due,
                    "paused": False,
                    "created_at": now,
                }
                for n, chat in enumerate(chats)
            ],
        )
    engine.dispose()


async def reminders_due_together(kind: str, log_dir: Path) -> dict[str, float]:
    """Return how late the last of 500 reminders due in one minute arrived (flood control on)."""
    with database(kind) as url:
        due = (datetime.now(UTC) + timedelta(seconds=25)).replace(
            second=0, microsecond=0
        ) + timedelta(minutes=1)
        seed_reminders(url, due)
        stand_in = BotApiStandIn(flood_control=True)
        await stand_in.start()
        bot = BotProcess(url, stand_in.base_url, webhook=False)
        try:
            await bot.start(log_dir)
            wait = (due - datetime.now(UTC)).total_seconds()
            await until(lambda: len(stand_in.delivered_chats("Việc số")) >= REMINDERS, wait + 90)
            rss = bot.rss_mb()
        finally:
            bot.stop()
            await stand_in.stop()
    offset = time.time() - time.monotonic()
    late = sorted(t + offset - due.timestamp() for t, _c in stand_in.accepted)
    return {
        "delivered": len(stand_in.delivered_chats("Việc số")),
        "last": late[-1] if late else float("inf"),
        "429": stand_in.too_many_requests,
        "rss": rss,
    }


async def burst_then_kill(kind: str, webhook: bool, log_dir: Path) -> dict[str, float]:
    """Queue BURST `/start`s, kill -9 once all are fetched/acknowledged, restart, count."""
    with database(kind) as url:
        stand_in = BotApiStandIn()
        await stand_in.start()
        chats = [str(30_000_000 + n) for n in range(BURST)]
        first = BotProcess(url, stand_in.base_url, webhook=webhook, **FAST)
        second = BotProcess(url, stand_in.base_url, webhook=webhook, **FAST)
        try:
            await first.start(log_dir)
            began = time.monotonic()
            if webhook:
                updates = [stand_in.make_update("/start", user_id=int(c)) for c in chats]
                statuses = await post_updates(first.url, updates, concurrency=32)
                acknowledged = sum(1 for s in statuses if s == 200)
            else:
                for chat in chats:
                    stand_in.user_says("/start", user_id=int(chat))
                last = stand_in.updates[-1]["update_id"]
                await until(lambda: stand_in.fetched_up_to >= last, 120)
                acknowledged = BURST
            taken = time.monotonic() - began
            rss = first.rss_mb()
            first.kill()
            answered_at_kill = len(stand_in.delivered_chats(GREETING))
            await second.start(log_dir)
            await until(lambda: len(stand_in.delivered_chats(GREETING)) >= BURST, 180)
            await asyncio.sleep(1.0)
        finally:
            first.kill()
            second.stop()
            await stand_in.stop()
    answered = stand_in.delivered_chats(GREETING)
    return {
        "acknowledged": acknowledged,
        "taken": taken,
        "at_kill": answered_at_kill,
        "lost": len(set(chats) - answered),
        "duplicates": sum(stand_in.duplicates().values()),
        "rss": rss,
    }


def run() -> Iterator[tuple[str, str, bool]]:
    """Yield (target, measured value, passed) for every database."""
    with tempfile.TemporaryDirectory() as folder:
        log_dir = Path(folder)
        for kind in kinds():
            for latency in (0.0, 0.15):
                r = asyncio.run(sender_rate(kind, latency, log_dir))
                yield (
                    f"{kind}: sender >= 95% of Telegram's 30/s, <= 5 answers 429, "
                    f"{int(latency * 1000)} ms per send (anchor: 30/s)",
                    f"{r['rate']:.2f}/s = {r['rate'] / TELEGRAM_RATE:.0%}, {r['sent']} sent, "
                    f"{r['429']} x 429, worst {r['overall']}/s overall, {r['per_chat']}/s to "
                    f"one chat, bot peak RSS {r['rss']:.0f} MB",
                    r["rate"] >= 0.95 * TELEGRAM_RATE
                    and r["429"] <= 5
                    and r["overall"] <= 30
                    and r["per_chat"] <= 1,
                )
            r = asyncio.run(reminders_due_together(kind, log_dir))
            yield (
                f"{kind}: {REMINDERS} reminders due in one minute all delivered within 30 s, "
                "flood control on (anchor: 500 / 30 per s = 16.7 s)",
                f"{r['delivered']} delivered, last {r['last']:.1f} s after the minute, "
                f"{r['429']} x 429, bot peak RSS {r['rss']:.0f} MB",
                r["delivered"] == REMINDERS and r["last"] <= 30,
            )
            for webhook in (False, True):
                mode = "webhook" if webhook else "polling"
                r = asyncio.run(burst_then_kill(kind, webhook, log_dir))
                yield (
                    f"{kind} {mode}: {BURST:,} /start, kill -9 once all "
                    f"{'acknowledged' if webhook else 'fetched'}, restart: 0 lost, "
                    f"duplicates <= {IN_FLIGHT} in flight",
                    f"{r['acknowledged']} {'acknowledged' if webhook else 'fetched'} in "
                    f"{r['taken']:.1f} s, {r['at_kill']} answered at the kill, "
                    f"{r['lost']} lost, {r['duplicates']} duplicates, bot peak RSS "
                    f"{r['rss']:.0f} MB",
                    r["lost"] == 0 and r["duplicates"] <= IN_FLIGHT,
                )
