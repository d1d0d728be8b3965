"""The README documents every setting and every citizen command."""

from __future__ import annotations

from bot.config import Settings
from handlers import ROUTES
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}" not in README]
    assert missing == []


def test_every_command_is_documented() -> None:
    missing = [r.key for r in ROUTES if r.kind == "command" and f"/{r.key}" not in README]
    assert missing == []
