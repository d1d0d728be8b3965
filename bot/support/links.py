"""Links from FAQ answers to the study-support finder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.messages import Button

if TYPE_CHECKING:
    from bot.parts import Parts as App

SECTION = "programmes"
FINDER_PAYLOAD = "cmd:hotro"


def finder_rows(app: App, faq_id: str) -> list[tuple[Button, ...]]:
    """Return a "find support for me" button row when a programme refers to this FAQ entry."""
    catalogue = app.content.sections.get(SECTION)
    if catalogue is None or faq_id not in catalogue.faq_ids:
        return []
    return [(Button(app.content.messages.text("support.btn_finder"), payload=FINDER_PAYLOAD),)]
