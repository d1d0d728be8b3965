"""The English glossary: English words in Vietnamese questions, and the Vietnamese they mean."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content.errors import ContentError
from bot.content.yamlio import read_yaml

if TYPE_CHECKING:
    from bot.content.loader import Content

_KEY = re.compile(r"^[a-z]+(?:[ -][a-z]+){0,3}$")


def load_glossary(path: Path, content: Content) -> dict[str, str]:
    """Load and validate the glossary (English words -> Vietnamese words)."""
    data = read_yaml(path)
    table = data.get("glossary") if isinstance(data, dict) else None
    if not isinstance(table, dict) or not table:
        raise ContentError(f"{path.name}: expected a non-empty mapping 'glossary'")
    result: dict[str, str] = {}
    for english, vietnamese in table.items():
        key = str(english).strip()
        where = f"{path.name}: {key!r}"
        if not _KEY.match(key):
            raise ContentError(f"{where}: use one to four lowercase English words")
        if key in content.abbreviations:
            raise ContentError(f"{where}: also in abbreviations.yaml; keep it in one place")
        if not isinstance(vietnamese, str) or not vietnamese.strip():
            raise ContentError(f"{where}: the Vietnamese must be non-empty text")
        result[key] = unicodedata.normalize("NFC", vietnamese).strip().lower()
    return result
