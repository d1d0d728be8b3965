"""Checks across loaded content: first-screen length, fit sources, foreign-only sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.content.errors import ContentError
from bot.content.faq import ANSWER_MAX_CHARS, FaqEntry
from bot.content.faq_screens import FIRST_SCREEN_MAX_CHARS, first_screen, sources_screen
from bot.content.messages import Messages
from bot.content.sources import is_foreign_page, source_problem

Faq = dict[str, FaqEntry]


def check_content(folder: Path, faq: Faq, messages: Messages, sections: dict[str, Any]) -> None:
    """Raise ContentError when a screen is too long or a programme cites a bad source."""
    for entry_id, size in first_screen_sizes(faq, messages).items():
        if size > FIRST_SCREEN_MAX_CHARS:
            raise ContentError(
                f"{folder / 'faq' / faq[entry_id].file}: entry {entry_id}: first screen has "
                f"{size} characters, over {FIRST_SCREEN_MAX_CHARS}; move the rest to details"
            )
    for entry in faq.values():
        if (size := len(sources_screen(entry, messages))) > ANSWER_MAX_CHARS:
            raise ContentError(
                f"{folder / 'faq' / entry.file}: entry {entry.id}: the sources screen has "
                f"{size} characters, over {ANSWER_MAX_CHARS}; shorten or merge sources"
            )
    for name, sources in _programme_sources(sections):
        for source in sources:
            if problem := source_problem(source):
                raise ContentError(f"{folder / 'programmes.yaml'}: {name}: {problem}")


def content_warnings(faq: Faq, sections: dict[str, Any]) -> list[str]:
    """Return entries and programmes whose every source is a foreign-language page."""
    cited = [(f"faq/{e.file}: entry {e.id}", e.sources) for e in faq.values()]
    cited += [(f"programmes.yaml: {name}", s) for name, s in _programme_sources(sections)]
    return [
        f"{where}: every source is a foreign-language page; cite a Vietnamese one"
        for where, sources in cited
        if all(is_foreign_page(s) for s in sources)
    ]


def first_screen_sizes(faq: Faq, messages: Messages) -> dict[str, int]:
    """Return each entry's first-screen length in characters."""
    return {e.id: len(first_screen(e, messages)) for e in faq.values()}


def _programme_sources(sections: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """Return (programme id, sources) for the study-support catalogue, when loaded."""
    programmes = getattr(sections.get("programmes"), "programmes", ())
    return [(f"programme {p.id}", tuple(p.sources)) for p in programmes]
