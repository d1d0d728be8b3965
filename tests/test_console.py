"""The terminal chat end to end, with scripted input."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys

from bot.app import App
from bot.channels.console import ConsoleChannel
from tests.conftest import CONTENT_DIR, ROOT


def chat(app: App, script: str) -> str:
    """Run the console chat on a script of lines and return what it printed."""
    out = io.StringIO()
    asyncio.run(ConsoleChannel(app, io.StringIO(script), out).run())
    return out.getvalue()


def test_console_greets_answers_and_presses_numbered_buttons(sqlite_app: App) -> None:
    output = chat(sqlite_app, "tuan le hoc tap suot doi la khi nao\n1\n/thoat\n")
    assert "Khuyến học Bot" in output  # the greeting on start
    assert "1/10" in output or "1 đến 7" in output or "1–7" in output
    assert "  1) " in output  # buttons shown as numbered options


def test_console_survives_bad_lines(sqlite_app: App) -> None:
    output = chat(sqlite_app, "\n😀\n/khongco\n99\n")
    assert "chưa biết lệnh" in output
    assert "Traceback" not in output


def test_make_run_style_cli_chat(tmp_path) -> None:  # noqa: ANN001
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "CONTENT_DIR": str(CONTENT_DIR),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input="hoc bong cong doan\n/start\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Khuyến học Bot" in result.stdout
    assert "công đoàn" in result.stdout.lower()
    assert "Traceback" not in result.stderr
