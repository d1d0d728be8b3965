"""Checks across loaded content: first-screen length, fit sources, foreign-only sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.content.errors import ContentError
from bot.content.faq_screens import FIRST_SCREEN_MAX_CHARS, first_screen
from bot.content.sources import is_foreign_page, source_problem

if TYPE_CHECKING:
    from bot.content.loader import Content


def check_content(content: Content) -> None:
    """Raise ContentError when a first screen is too long or a programme cites a bad source."""
    for entry in content.faq.values():
        size = len(first_screen(entry, content.messages))
        if size > FIRST_SCREEN_MAX_CHARS:
            raise ContentError(
                f"{content.folder / 'faq' / entry.file}: entry {entry.id}: first screen has "
                f"{size} characters, over {FIRST_SCREEN_MAX_CHARS}; move the rest to details"
            )
    for name, sources in _programme_sources(content):
        for source in sources:
            if problem := source_problem(source):
                raise ContentError(f"{content.folder / 'programmes.yaml'}: {name}: {problem}")


def content_warnings(content: Content) -> list[str]:
    """Return entries and programmes whose every source is a foreign-language page."""
    cited = [(f"faq/{e.file}: entry {e.id}", e.sources) for e in content.faq.values()]
    cited += [(f"programmes.yaml: {name}", s) for name, s in _programme_sources(content)]
    return [
        f"{where}: every source is a foreign-language page; cite a Vietnamese one"
        for where, sources in cited
        if all(is_foreign_page(s) for s in sources)
    ]


def first_screen_sizes(content: Content) -> dict[str, int]:
    """Return each entry's first-screen length in characters."""
    return {e.id: len(first_screen(e, content.messages)) for e in content.faq.values()}


def _programme_sources(content: Content) -> list[tuple[str, tuple[str, ...]]]:
    """Return (programme id, sources) for the study-support catalogue, when loaded."""
    catalogue = content.sections.get("programmes")
    programmes = getattr(catalogue, "programmes", ())
    return [(f"programme {p.id}", tuple(p.sources)) for p in programmes]
