"""Real bot processes (`python -m bot run`) for the multi-process and crash tests and benches."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECRET = "proc-secret_1"
WEBHOOK_PATH = "/telegram"


async def until(condition, timeout: float, what: str) -> None:  # noqa: ANN001
    """Wait until condition() is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def free_port() -> int:
    """Return a port of 127.0.0.1 that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class BotProcess:
    """One `khuyenhoc run` in a process of its own, talking to a Bot API stand-in."""

    def __init__(self, database_url: str, api_base: str, *, webhook: bool, **env: str) -> None:
        self.port = free_port()
        self.webhook = webhook
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PTB_TIMEDELTA": "true",
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(ROOT / "content"),
            "TELEGRAM_BOT_TOKEN": "123:TEST",
            "TELEGRAM_API_BASE_URL": api_base,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(self.port),
            "LOG_LEVEL": "WARNING",
            "LEASE_RETRY_SECONDS": "0.5",
            **({"WEBHOOK_URL": f"https://bot.example.vn{WEBHOOK_PATH}"} if webhook else {}),
            **({"WEBHOOK_SECRET": SECRET} if webhook else {}),
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None

    @property
    def url(self) -> str:
        """The base URL of the process's web server."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self, log_dir: Path, timeout: float = 60.0) -> None:
        """Start the process and wait until it answers /health."""
        self.log_path = log_dir / f"bot-{self.port}.log"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "bot", "run"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"bot exited: {self.log_text()}")
                try:
                    if (await client.get(f"{self.url}/health", timeout=1)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError(f"bot did not come up: {self.log_text()}")

    def kill(self) -> None:
        """Kill the process with SIGKILL (no clean-up at all)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the process with SIGTERM and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        """Return the process's output so far."""
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def rss_mb(self) -> float:
        """Return the process's peak resident memory (VmHWM) in MB."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0


async def post_updates(
    url: str,
    updates: list[dict],
    *,
    concurrency: int = 16,
    client: httpx.AsyncClient | None = None,
) -> list[int]:
    """POST updates to a webhook as Telegram does (with the secret); return the statuses.

    Callers posting many small batches at once pass one `client`: making a client builds an
    SSL context, tens of milliseconds of the event loop on a loaded machine, and a stand-in
    sharing that loop would answer the bot late.
    """
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    statuses: list[int] = [0] * len(updates)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(updates)):
        queue.put_nowait(index)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            index = queue.get_nowait()
            try:
                answer = await client.post(
                    f"{url}{WEBHOOK_PATH}", json=updates[index], headers=headers, timeout=30
                )
                statuses[index] = answer.status_code
            except httpx.HTTPError:
                statuses[index] = -1

    if client is not None:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return statuses
    async with httpx.AsyncClient() as own:
        await asyncio.gather(*(worker(own) for _ in range(concurrency)))
    return statuses
