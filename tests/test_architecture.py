"""Hold the architecture's lines: messenger SDKs only in channels; every message key exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.content import load_content
from tests.conftest import CONTENT_DIR, ROOT

MESSENGER_MODULES = {"telegram", "httpx"}
SOURCE_DIRS = [ROOT / "bot", ROOT / "handlers"]
KEY_CALL = re.compile(r"""\b(?:t|say|text)\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""")


def python_files() -> list[Path]:
    return [path for folder in SOURCE_DIRS for path in folder.rglob("*.py")]


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_channel_adapters_import_messenger_sdks() -> None:
    offenders = []
    channels = ROOT / "bot" / "channels"
    for path in python_files():
        if channels in path.parents:
            continue
        bad = imported_roots(path) & MESSENGER_MODULES
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_handlers_never_import_a_channel() -> None:
    for path in (ROOT / "handlers").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "bot.channels" not in source, path


def test_every_message_key_used_in_code_exists() -> None:
    messages = load_content(CONTENT_DIR).messages
    missing = []
    for path in python_files():
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            if key not in messages:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert missing == []
