"""The console on the bot's web server, and a running bot process taking a new version."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot.console import versions
from bot.console.edits import add_phrasing
from bot.content import load_content
from bot.db.base import utcnow
from bot.db.session import make_engine, make_session_factory
from bot.runner import Runtime, has_messenger
from tests.conftest import CONTENT_DIR, ROOT, AppFactory
from tests.console_helpers import CONSOLE_SETTINGS, ENTRY, QUESTION
from tests.helpers import telegram_app
from tests.standins.bot_api import BotApiStandIn


async def test_console_is_served_beside_telegram_polling(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(
        make_app, sqlite_url, bot_api, webhook_listen="127.0.0.1", **CONSOLE_SETTINGS
    )
    runtime = Runtime(app)
    port = await runtime.start_channels(port=0)
    try:
        assert port is not None and runtime.telegram is not None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            login = await client.get("/console/login")
            assert login.status_code == 200 and "Đăng nhập" in login.text
            assert login.headers["x-frame-options"] == "DENY"
            assert (await client.get("/console/faq")).headers["location"] == "/console/login"
    finally:
        await runtime.stop()


async def test_console_alone_runs_the_web_server(make_app: AppFactory, sqlite_url: str) -> None:
    app = make_app(sqlite_url, webhook_listen="127.0.0.1", **CONSOLE_SETTINGS)
    assert has_messenger(app.settings)  # so `khuyenhoc run` serves it instead of a terminal chat
    runtime = Runtime(app)
    port = await runtime.start_channels(port=0)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/console/login")).status_code == 200
    finally:
        await runtime.stop()


class ChatProcess:
    """`khuyenhoc chat` in its own process, asked one line at a time."""

    def __init__(self, database_url: str, reload_seconds: float | None = 0.2) -> None:
        env = {
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(CONTENT_DIR),
            "SEMANTIC_MATCHING": "off",  # QUESTION is unanswered by the lexical decision
            # The bench asks every 50 ms until the new version answers: no flood limit here
            # (past 8 messages in 10 s the bot falls silent, and the prompt never came).
            "FLOOD_BURST": "100000",
            "USER_DAILY_MESSAGES": "100000",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        if reload_seconds is not None:
            env["CONSOLE_RELOAD_SECONDS"] = str(reload_seconds)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        self.read_until_prompt()

    def read_until_prompt(self, timeout: float = 60.0) -> str:
        assert self.process.stdout is not None
        data = b""
        deadline = time.monotonic() + timeout
        while not data.endswith(b"\n> "):  # a reply ends with a blank line, then the prompt
            assert time.monotonic() < deadline, data.decode()
            chunk = self.process.stdout.read1(4096)
            assert chunk, f"chat ended: {data.decode()}"
            data += chunk
        return data.decode()

    def ask(self, text: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode() + b"\n")
        self.process.stdin.flush()
        return self.read_until_prompt()

    def close(self) -> None:
        self.process.stdin.close()  # type: ignore[union-attr]
        self.process.wait(timeout=30)
        self.process.stdout.close()  # type: ignore[union-attr]


def test_a_running_bot_process_answers_from_a_new_version_within_seconds(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    chat = ChatProcess(url)
    try:
        before = chat.ask(QUESTION)
        sessions = make_session_factory(make_engine(url))
        with sessions.begin() as session:
            seeded = versions.latest(session)
            assert seeded is not None and seeded.number == 1
            files = add_phrasing(seeded.files, ENTRY, QUESTION)
            versions.add(session, files=files, source="console", author="t", now=utcnow())
        published = time.monotonic()
        answer_start = load_content(CONTENT_DIR).faq[ENTRY].answer.splitlines()[0]
        assert answer_start not in before
        while True:
            reply = chat.ask(QUESTION)
            if answer_start in reply:
                break
            assert time.monotonic() - published < 15, reply
            time.sleep(0.1)
    finally:
        chat.close()
