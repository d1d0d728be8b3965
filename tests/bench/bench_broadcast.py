"""Broadcast to many citizens against the Bot API stand-in enforcing Telegram's flood limits.

Targets (issue 6): sustained rate >= 90% of BROADCAST_RATE, no 429 at the default settings,
no duplicates, no losses, p99 interactive reply <= 2 s during the broadcast; and after a
`kill -9` of the sending process at a random moment and a restart: no losses, <= 1 duplicate.

Run: `python -m tests.bench bench_broadcast` (BENCH_BROADCAST_RECIPIENTS, default 10000;
BENCH_BROADCAST_KILL_RECIPIENTS, default 2000), or
`python -m tests.bench.bench_broadcast --recipients 1000 --kill-recipients 500`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import insert, select

from bot.app import build_app
from bot.broadcast import repo as repo_broadcasts
from bot.broadcast.models import Broadcast
from bot.cdht.models import Registration
from bot.config import Settings
from bot.db.models import User
from tests.standins.bot_api import BotApiStandIn

ROOT = Path(__file__).resolve().parents[2]
ADMIN = 42
ASKERS = (501, 502)
QUESTION = "tuần lễ học tập suốt đời diễn ra khi nào"
TEXT = "Thông báo thử tải: Tuần lễ hưởng ứng học tập suốt đời."
FIRST_CHAT = 10_000_000


def seed(url: str, recipients: int) -> tuple[int, set[str]]:
    """Create the database with registered recipients and a queued broadcast."""
    settings = Settings(_env_file=None, database_url=url, content_dir=ROOT / "content")
    app = build_app(settings)
    chats = [str(FIRST_CHAT + i) for i in range(recipients)]
    with app.sessions.begin() as session:
        session.execute(
            insert(User),
            [{"channel": "telegram", "external_id": c, "chat_id": c} for c in chats],
        )
        admin = User(channel="telegram", external_id=str(ADMIN), chat_id=str(ADMIN))
        session.add(admin)
        session.flush()
        ids = session.scalars(select(User.id).where(User.external_id.in_(chats[:1]))).all()
        first_id = ids[0]
        session.execute(
            insert(Registration),
            [
                {
                    "user_id": first_id + i,
                    "full_name": "Người học",
                    "birth_year": 1980,
                    "place_name": "Phường Cao Lãnh",
                    "group": "nguoi-dan",
                    "consent_version": "v1",
                }
                for i in range(recipients)
            ],
        )
        broadcast = repo_broadcasts.create(
            session,
            created_by=admin.id,
            now=app.now(),
            text=TEXT,
            attachment_url=None,
            buttons=[],
            audience={"kind": "registered", "value": None},
            scheduled_at=app.now(),
        )
        broadcast_id = broadcast.id
    app.engine.dispose()
    return broadcast_id, set(chats)


def start_worker(url: str, api: BotApiStandIn, log: Path) -> subprocess.Popen[bytes]:
    """Run the bot (Telegram polling and the broadcast sender) in a subprocess."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": "123:BENCH",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "CONTENT_DIR": str(ROOT / "content"),
        "ADMIN_IDS": f"telegram:{ADMIN}",
        "LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=out, stderr=out
        )


def status(url: str, broadcast_id: int) -> str:
    """Return the broadcast's status, read from the database."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            query = select(Broadcast.status).where(Broadcast.id == broadcast_id)
            return connection.execute(query).scalar_one()
    finally:
        engine.dispose()


async def wait_done(url: str, broadcast_id: int, worker: subprocess.Popen[bytes]) -> None:
    """Wait until the broadcast is done (or the worker died)."""
    while await asyncio.to_thread(status, url, broadcast_id) != "done":
        if worker.poll() is not None:
            raise RuntimeError(f"worker exited with {worker.returncode}")
        await asyncio.sleep(1)


async def ask_repeatedly(api: BotApiStandIn, asker: int, stop: asyncio.Event) -> list[float]:
    """Ask a question, time the reply, pause, repeat until stopped."""
    latencies = []
    while not stop.is_set():
        before = len(api.sent(asker))
        asked = time.monotonic()
        api.user_says(QUESTION, user_id=asker)
        while len(api.sent(asker)) == before and time.monotonic() - asked < 30:
            await asyncio.sleep(0.005)
        latencies.append(time.monotonic() - asked)
        await asyncio.sleep(1.5)
    return latencies


def sends_to(api: BotApiStandIn, chats: set[str]) -> list[float]:
    """Return the times of the broadcast's sends to the recipients."""
    return [
        c.at
        for c in api.calls
        if c.method == "sendMessage" and str(c.params.get("chat_id")) in chats
    ]


async def rate_run(recipients: int, folder: Path) -> dict[str, float]:
    """Broadcast to all recipients while two citizens keep asking questions."""
    url = f"sqlite:///{folder / 'rate.db'}"
    broadcast_id, chats = seed(url, recipients)
    api = BotApiStandIn(flood_control=True)
    await api.start()
    worker = start_worker(url, api, folder / "rate.log")
    stop = asyncio.Event()
    try:
        while not api.sent():  # wait for the bot to start sending
            await asyncio.sleep(0.1)
        askers = [asyncio.create_task(ask_repeatedly(api, a, stop)) for a in ASKERS]
        await wait_done(url, broadcast_id, worker)
        stop.set()
        latencies = sorted(x for found in await asyncio.gather(*askers) for x in found)
    finally:
        worker.send_signal(signal.SIGTERM)
        await asyncio.to_thread(worker.wait, 30)
        await api.stop()
    times = sends_to(api, chats)
    duplicates = sum(n for chat, n in api.duplicates().items() if chat in chats)
    return {
        "rate": (len(times) - 1) / (max(times) - min(times)),
        "too_many": api.too_many_requests,
        "duplicates": duplicates,
        "lost": len(chats - api.delivered_chats(TEXT)),
        "p99": latencies[int(0.99 * (len(latencies) - 1))],
        "questions": len(latencies),
    }


async def kill_run(recipients: int, folder: Path) -> dict[str, float]:
    """Kill -9 the sending process at a random moment, restart it, count losses and repeats."""
    url = f"sqlite:///{folder / 'kill.db'}"
    broadcast_id, chats = seed(url, recipients)
    api = BotApiStandIn(flood_control=True)
    await api.start()
    log = folder / "kill.log"
    worker = start_worker(url, api, log)
    try:
        while len(sends_to(api, chats)) < 1:
            await asyncio.sleep(0.05)
        await asyncio.sleep(random.uniform(0.1, 0.8) * recipients / 25)
        worker.send_signal(signal.SIGKILL)
        await asyncio.to_thread(worker.wait)
        sent_before = len(api.delivered_chats(TEXT))
        worker = start_worker(url, api, log)
        await wait_done(url, broadcast_id, worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        await asyncio.to_thread(worker.wait, 30)
        await api.stop()
    return {
        "killed_after": sent_before,
        "duplicates": sum(n for chat, n in api.duplicates().items() if chat in chats),
        "lost": len(chats - api.delivered_chats(TEXT)),
    }


def run(recipients: int | None = None, kill_recipients: int | None = None) -> Iterator[tuple]:
    """Yield (target, measured value, passed) for the broadcast targets."""
    recipients = recipients or int(os.environ.get("BENCH_BROADCAST_RECIPIENTS", "10000"))
    kill_recipients = kill_recipients or int(
        os.environ.get("BENCH_BROADCAST_KILL_RECIPIENTS", "2000")
    )
    configured = Settings(_env_file=None).broadcast_rate
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        found = asyncio.run(rate_run(recipients, Path(tmp)))
        took = time.monotonic() - started
        yield (
            f"{recipients} recipients: sustained rate >= 90% of {configured:g}/s",
            f"{found['rate']:.2f}/s ({found['rate'] / configured:.0%}; run {took:.0f} s)",
            found["rate"] >= 0.9 * configured,
        )
        yield (
            "no 429 at the default configuration",
            f"{found['too_many']} x 429",
            not found["too_many"],
        )
        yield "no duplicates", f"{found['duplicates']} duplicates", found["duplicates"] == 0
        yield "no losses", f"{found['lost']} lost", found["lost"] == 0
        yield (
            "p99 interactive reply during the broadcast <= 2 s",
            f"{found['p99'] * 1000:.0f} ms over {found['questions']} questions",
            found["p99"] <= 2.0,
        )
        killed = asyncio.run(kill_run(kill_recipients, Path(tmp)))
        yield (
            f"kill -9 at a random moment ({kill_recipients} recipients), restart: no losses",
            f"{killed['lost']} lost (killed after {killed['killed_after']} sent)",
            killed["lost"] == 0,
        )
        yield (
            "kill -9 and restart: at most one duplicate",
            f"{killed['duplicates']} duplicates",
            killed["duplicates"] <= 1,
        )


def main() -> int:
    """Run with the recipient counts given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=None)
    parser.add_argument("--kill-recipients", type=int, default=None)
    args = parser.parse_args()
    failures = 0
    for target, value, passed in run(args.recipients, args.kill_recipients):
        failures += not passed
        print(f"  [{'PASS' if passed else 'MISS'}] {target}: {value}", flush=True)  # noqa: T201
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
