"""Load and validate all of `content/` in one go."""

from __future__ import annotations

import importlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.checks import check_content
from bot.content.errors import ContentError
from bot.content.faq import FaqEntry, load_faq
from bot.content.messages import Messages, load_messages
from bot.content.sections import SECTIONS
from bot.content.yamlio import read_yaml


@dataclass
class Content:
    """Everything curators edit, validated."""

    folder: Path
    faq: dict[str, FaqEntry]
    messages: Messages
    abbreviations: dict[str, str]
    sections: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Any:
        """Return a feature's loaded data file."""
        return self.sections[name]


def load_abbreviations(path: Path) -> dict[str, str]:
    """Load the chat-abbreviation dictionary (short form -> full words; "" drops the words)."""
    data = read_yaml(path)
    table = data.get("abbreviations") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise ContentError(f"{path}: expected a mapping 'abbreviations'")
    result: dict[str, str] = {}
    for short, full in table.items():
        key = unicodedata.normalize("NFC", str(short)).strip().lower()
        if not isinstance(full, str) or not key:
            raise ContentError(f"{path}: abbreviation {short!r}: expansion must be text")
        result[key] = unicodedata.normalize("NFC", full).strip().lower()
    return result


def load_content(folder: Path | str) -> Content:
    """Load the whole content folder, raising ContentError on the first problem."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ContentError(f"{folder}: content folder not found")
    content = Content(
        folder=folder,
        faq=load_faq(folder / "faq"),
        messages=load_messages(folder / "messages"),
        abbreviations=load_abbreviations(folder / "abbreviations.yaml"),
    )
    for section in SECTIONS:
        module_name, function_name = section.loader_path.split(":")
        loader = getattr(importlib.import_module(module_name), function_name)
        content.sections[section.name] = loader(folder / section.filename, content)
    check_content(folder, content.faq, content.messages, content.sections)
    return content
