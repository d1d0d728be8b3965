"""Out-of-scope themes: decoy phrasings the matcher declines, loaded from content."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content.errors import ContentError
from bot.content.yamlio import read_yaml

if TYPE_CHECKING:
    from bot.content.loader import Content

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")
HINT_MAX_CHARS = 80  # the hint is one short line in the polite reply
PHRASING_MAX_CHARS = 200


@dataclass(frozen=True)
class OutOfScopeTheme:
    """An off-topic theme citizens ask about, its phrasings and where to ask instead."""

    id: str
    phrasings: tuple[str, ...]
    reply_hint: str = ""


def load_out_of_scope(path: Path, content: Content) -> dict[str, OutOfScopeTheme]:
    """Load and validate the out-of-scope themes file."""
    data = read_yaml(path)
    items = data.get("themes") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ContentError(f"{path.name}: expected a non-empty list 'themes'")
    themes: dict[str, OutOfScopeTheme] = {}
    for number, item in enumerate(items, 1):
        label = item.get("id", number) if isinstance(item, dict) else number
        where = f"{path.name}: entry {label}"
        if not isinstance(item, dict):
            raise ContentError(f"{where}: expected a mapping")
        unknown = set(item) - {"id", "phrasings", "reply_hint"}
        if unknown:
            raise ContentError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
        theme = OutOfScopeTheme(
            id=str(item.get("id") or ""),
            phrasings=_phrasings(item.get("phrasings"), where),
            reply_hint=_hint(item.get("reply_hint"), where),
        )
        if not _ID.match(theme.id):
            raise ContentError(f"{where}: id must be lowercase letters, digits and dashes")
        if theme.id in themes:
            raise ContentError(f"{where}: duplicate id")
        if theme.id in content.faq:
            raise ContentError(f"{where}: id is also an FAQ entry id")
        themes[theme.id] = theme
    return themes


def _phrasings(value: object, where: str) -> tuple[str, ...]:
    """Return the theme's phrasings, NFC, each non-empty and short."""
    if not isinstance(value, list) or not value:
        raise ContentError(f"{where}: phrasings must be a non-empty list")
    result = []
    for text in value:
        phrasing = unicodedata.normalize("NFC", str(text or "")).strip()
        if not phrasing:
            raise ContentError(f"{where}: empty phrasing")
        if len(phrasing) > PHRASING_MAX_CHARS:
            raise ContentError(f"{where}: phrasing over {PHRASING_MAX_CHARS} characters")
        result.append(phrasing)
    return tuple(result)


def _hint(value: object, where: str) -> str:
    """Return the optional hint; it names a kind of office, never a number."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ContentError(f"{where}: reply_hint must be text")
    hint = unicodedata.normalize("NFC", value).strip()
    if len(hint) > HINT_MAX_CHARS:
        raise ContentError(f"{where}: reply_hint over {HINT_MAX_CHARS} characters")
    if any(ch.isdigit() for ch in hint) or "@" in hint or "http" in hint.lower():
        raise ContentError(f"{where}: reply_hint must not hold numbers, e-mails or links")
    return hint
