"""FAQ questions through the whole pipeline against a bare python-telegram-bot echo bot.

Target (issue 19): the bot handles 2,000 FAQ questions from 2,000 chats at >= 1/1.5 of the
updates per second of PTB's echo bot on the same Bot API stand-in in the same run, on SQLite
and on PostgreSQL. Both run as processes of their own polling the stand-in. The bot runs with
its default settings but for the rate limiter, opened up (SEND_RATE=1000, no per-chat
spacing), as the stand-in has no limits here: what is measured is how fast the bot itself
works. CPU per update is each process's own.

Echo bot and bot take turns three times per database (BENCH_THROUGHPUT_ROUNDS); each bot
run's anchor is the mean of the echo runs around it, and the verdict is the median ratio.
Memory is each bot process's own peak resident set (VmHWM).

Run: `python -m tests.bench bench_throughput` (BENCH_QUESTIONS, default 2000).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.bench.support import database, kinds, peak_rss_mb, postgres_missing
from tests.processes import ROOT, BotProcess
from tests.standins.bot_api import BotApiStandIn

QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "2000"))
ROUNDS = int(os.environ.get("BENCH_THROUGHPUT_ROUNDS", "3"))
QUESTION = "tuần lễ học tập suốt đời diễn ra khi nào"
TARGET_RATIO = 1 / 1.5
OPEN = {
    "SEND_RATE": "1000",
    "SEND_BURST": "1000",
    "SEND_CHAT_SECONDS": "0",
}


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU time a process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def burst(stand_in: BotApiStandIn, pid: int) -> tuple[float, float]:
    """Queue the questions, wait for every answer; return (updates/s, CPU ms per update)."""
    before = len(stand_in.accepted)
    cpu = cpu_seconds(pid)
    began = time.monotonic()
    for n in range(QUESTIONS):
        stand_in.user_says(QUESTION, user_id=40_000_000 + n)
    deadline = began + 300
    while len(stand_in.accepted) - before < QUESTIONS and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    taken = time.monotonic() - began
    done = len(stand_in.accepted) - before
    return done / taken, (cpu_seconds(pid) - cpu) * 1000 / max(1, done)


async def until_polling(stand_in: BotApiStandIn) -> None:
    """Wait until the bot polls the stand-in."""
    while not any(c.method == "getUpdates" for c in stand_in.calls):
        await asyncio.sleep(0.05)


async def echo_bot() -> tuple[float, float, float]:
    """Run PTB's echo bot on the questions; return (updates/s, CPU ms per update, peak RSS MB)."""
    stand_in = BotApiStandIn()
    await stand_in.start()
    process = subprocess.Popen(  # noqa: S603 - our interpreter, our script
        [sys.executable, str(ROOT / "tests" / "bench" / "echo_bot.py"), stand_in.base_url],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PTB_TIMEDELTA": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await until_polling(stand_in)
        rate, cpu = await burst(stand_in, process.pid)
        return rate, cpu, peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        await stand_in.stop()


async def pipeline(kind: str, log_dir: Path) -> tuple[float, float, float]:
    """Run the bot on the questions; return (updates/s, CPU ms per update, peak RSS MB)."""
    with database(kind) as url:
        stand_in = BotApiStandIn()
        await stand_in.start()
        bot = BotProcess(url, stand_in.base_url, webhook=False, **OPEN)
        try:
            await bot.start(log_dir)
            await until_polling(stand_in)
            assert bot.process is not None
            rate, cpu = await burst(stand_in, bot.process.pid)
            return rate, cpu, bot.rss_mb()
        finally:
            bot.stop()
            await stand_in.stop()


def run() -> Iterator[tuple[str, str, bool]]:
    """Yield (target, measured value, passed): the bot on each database beside the echo bot.

    Echo bot and bot take turns, ROUNDS times per database: echo, bot, echo, bot, ... echo.
    Each bot run is compared with the mean of the echo runs just before and after it, so that
    load on this shared machine that changes during the run weighs on both sides alike; the
    verdict is the median of those ratios (one run varies by up to ±15% here).
    """
    yield from postgres_missing()
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds():
            echoes = [asyncio.run(echo_bot())]
            bots = []
            for _ in range(ROUNDS):
                bots.append(asyncio.run(pipeline(kind, Path(folder))))
                echoes.append(asyncio.run(echo_bot()))
            ratios = [
                bot[0] / ((echoes[i][0] + echoes[i + 1][0]) / 2) for i, bot in enumerate(bots)
            ]
            ratio = statistics.median(ratios)
            rate = statistics.median(bot[0] for bot in bots)
            cpu = statistics.median(bot[1] for bot in bots)
            echo_cpu = statistics.median(echo[1] for echo in echoes)
            yield (
                f"{kind}: {QUESTIONS:,} FAQ questions from {QUESTIONS:,} chats through the whole "
                "pipeline >= 1/1.5 of a bare PTB echo bot's updates/s (same run, same stand-in, "
                f"median of {ROUNDS} turns)",
                f"{rate:.0f}/s ({cpu:.2f} ms CPU per update, bot's peak RSS "
                f"{max(bot[2] for bot in bots):.0f} MB) vs echo "
                f"{'/'.join(f'{echo[0]:.0f}' for echo in echoes)}/s ({echo_cpu:.2f} ms, "
                f"{max(echo[2] for echo in echoes):.0f} MB): ratios "
                f"{', '.join(f'{r:.2f}' for r in ratios)}, median {ratio:.2f}",
                ratio >= TARGET_RATIO,
            )
