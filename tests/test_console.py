"""The terminal chat end to end, with scripted input."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from bot.app import App
from bot.channels.console import ConsoleChannel
from tests.helpers import run_cli


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


def test_make_run_style_cli_chat(tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path, stdin="hoc bong cong doan\n/start\n")
    assert result.returncode == 0, result.stderr
    assert "Khuyến học Bot" in result.stdout
    assert "công đoàn" in result.stdout.lower()
    assert "Traceback" not in result.stderr
