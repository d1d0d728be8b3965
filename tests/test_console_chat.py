"""The terminal chat: stale options die, Ctrl+C exits at once, logs stay out of the chat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.app import App
from bot.cli import CHAT_LOG, _log_path
from bot.config import Settings
from tests.conftest import CONTENT_DIR, ROOT
from tests.helpers import run_cli
from tests.test_console import chat


def _number_of(output: str, label: str) -> str:
    """Return the number the chat printed for the last option with this label."""
    return [line.split(")")[0].strip() for line in output.splitlines() if label in line][-1]


def test_an_old_numbered_option_dies_after_a_new_reply(sqlite_app: App) -> None:
    question = "tuan le hoc tap suot doi la khi nao"
    thumbs = _number_of(chat(sqlite_app, f"{question}\n"), "👍")
    live = chat(sqlite_app, f"{question}\n{thumbs}\n")
    stale = chat(sqlite_app, f"{question}\ntks\n{thumbs}\n")
    feedback = sqlite_app.content.messages.text("faq.thanks_helpful")
    assert feedback in live  # right after the answer, the number presses 👍
    assert feedback not in stale  # after another message it is just text


def test_exit_word_says_goodbye(sqlite_app: App) -> None:
    output = chat(sqlite_app, "/thoat\n")
    assert output.rstrip().endswith(sqlite_app.content.messages.text("core.goodbye"))


def test_ctrl_c_exits_at_once(tmp_path: Path) -> None:
    environment = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "CONTENT_DIR": str(CONTENT_DIR),
        "LOG_FILE": str(tmp_path / "bot.log"),
        "PATH": "/usr/bin:/bin",
    }
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=environment,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        seen = ""
        while "> " not in seen.split("Khuyến học Bot", 1)[-1]:  # the prompt after the greeting
            seen += os.read(process.stdout.fileno(), 4096).decode()
        time.sleep(0.5)  # the chat is now waiting for a line
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        finally:
            process.kill()
        assert time.monotonic() - started < 5  # no Enter needed
        assert "Traceback" not in process.stderr.read()


def test_log_lines_go_to_a_file_not_into_the_chat(tmp_path: Path) -> None:
    log_file = tmp_path / "bot.log"
    result = run_cli(
        ["chat"], tmp_path, stdin="/thongbao\n/thoat\n", LOG_LEVEL="INFO", LOG_FILE=str(log_file)
    )
    assert result.returncode == 0, result.stderr
    assert "chỉ dành cho cán bộ quản trị" in result.stdout
    for stream in (result.stdout, result.stderr):
        assert "WARNING" not in stream and "INFO" not in stream
    assert "refused" in log_file.read_text(encoding="utf-8")
    # Without LOG_FILE, the terminal chat logs beside the database, never to the terminal.
    settings = Settings(_env_file=None)
    assert _log_path("chat", settings) == CHAT_LOG
    assert _log_path("run", settings) == CHAT_LOG
    assert _log_path("export", settings) is None
    assert _log_path("run", Settings(_env_file=None, telegram_bot_token="1:x")) is None
