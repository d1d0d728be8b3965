"""Reminders at scale: start-up with 100,000 active reminders (500 due in the same minute).

Their delivery under Telegram's flood limits, with the bot in its own process and its own
memory measured, is bench_messaging's "500 reminders due in one minute" target.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.app import build_app
from bot.config import Settings
from bot.db.models import User
from bot.db.session import make_engine, upgrade
from bot.reminders.models import Reminder
from bot.runner import Runtime
from tests.bench.support import database, kinds
from tests.standins.bot_api import BotApiStandIn

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
ACTIVE = 100_000
USERS = 10_000
DUE_TOGETHER = 500
MIN_LEAD_SECONDS = 20  # the shared due minute is at least this far after start-up


def rss_peak_mb() -> float:
    """Return the peak resident memory of this process (VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(url: str, due: datetime) -> None:
    """Create users and reminders: most due tomorrow or later, 500 due at `due`."""
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    rng = random.Random(5)
    with engine.begin() as connection:
        connection.execute(
            insert(User),
            [
                {
                    "id": i,
                    "channel": "telegram",
                    "external_id": str(i),
                    "chat_id": str(i),
                    "display_name": "",
                    "first_seen": now,
                    "last_seen": now,
                    "active": True,
                    "notices_enabled": True,
                }
                for i in range(1, USERS + 1)
            ],
        )
        rows = []
        for i in range(ACTIVE):
            together = i < DUE_TOGETHER
            hour, minute = rng.randrange(6, 22), rng.randrange(60)
            rows.append(
                {
                    "user_id": (i % USERS) + 1,
                    "text": f"Việc số {i}",
                    "kind": "daily",
                    "weekdays": "",
                    "hour": hour,
                    "minute": minute,
                    "next_due_at": due if together else now + timedelta(days=1, minutes=i % 1440),
                    "paused": False,
                    "created_at": now,
                }
            )
        connection.execute(insert(Reminder), rows)
    engine.dispose()


async def measure(url: str) -> dict[str, float]:
    """Seed, start the bot against the Bot API stand-in; return the start-up time."""
    start_at = datetime.now(UTC) + timedelta(seconds=MIN_LEAD_SECONDS + 15)
    due = start_at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    seed(url, due)
    stand_in = BotApiStandIn()
    await stand_in.start()
    settings = Settings(
        _env_file=None,
        database_url=url,
        content_dir=CONTENT_DIR,
        telegram_bot_token="123:BENCH",
        telegram_api_base_url=stand_in.base_url,
    )
    began = time.perf_counter()
    app = build_app(settings)
    runtime = Runtime(app)
    await runtime.start_telegram_polling()
    await runtime.start_services()
    await runtime.services[0].ready.wait()  # the catch-up poll over all reminders has run
    ready = time.perf_counter() - began
    await runtime.stop()
    await stand_in.stop()
    app.engine.dispose()
    return {"ready": ready}


def run() -> Iterator[tuple[str, str, bool]]:
    """Yield (target, measured value, passed) for SQLite and PostgreSQL."""
    for kind in kinds():
        with database(kind) as url:
            result = asyncio.run(measure(url))
        yield (
            f"{kind}: {ACTIVE:,} active reminders, start-up to ready <= 10 s",
            f"{result['ready']:.2f} s",
            result["ready"] <= 10,
        )
