"""The screens of an FAQ answer: the short first screen, "Xem thêm" details and sources."""

from __future__ import annotations

import re

from bot.content.faq import FaqEntry
from bot.content.messages import Messages
from bot.messages import Button

FIRST_SCREEN_MAX_CHARS = 500  # one phone screen: the direct answer and the short source line
MORE_PREFIX = "fqm"  # payload "fqm:<faq id>": the details behind "📖 Xem thêm"
SOURCES_PREFIX = "fqs"  # payload "fqs:<faq id>": the full sources behind "🔗 Nguồn"
_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,40}")


def first_screen(entry: FaqEntry, messages: Messages) -> str:
    """Return the answer's first screen: the direct answer and one short source line."""
    return f"{entry.answer}\n\n{messages.text('faq.sources', sources=entry.source_note)}"


def details_screen(entry: FaqEntry, messages: Messages) -> str:
    """Return the details behind "Xem thêm" under the entry's question."""
    return f"{messages.text('faq.details_title', question=entry.question)}\n\n{entry.details}"


def sources_screen(entry: FaqEntry, messages: Messages) -> str:
    """Return every source of the entry, one per line."""
    lines = [messages.text("faq.sources_line", source=s) for s in entry.sources]
    return "\n".join([messages.text("faq.sources_title", question=entry.question), *lines])


def screen_buttons(entry: FaqEntry, messages: Messages, *, shown: str = "") -> tuple[Button, ...]:
    """Return the "Xem thêm" (when there are details) and "Nguồn" buttons, minus the one shown."""
    buttons = []
    if entry.details and shown != MORE_PREFIX:
        buttons.append(Button(messages.text("faq.btn_more"), payload=f"{MORE_PREFIX}:{entry.id}"))
    if shown != SOURCES_PREFIX:
        label = messages.text("faq.btn_sources")
        buttons.append(Button(label, payload=f"{SOURCES_PREFIX}:{entry.id}"))
    return tuple(buttons)


def entry_for_payload(faq: dict[str, FaqEntry], payload: str, prefix: str) -> FaqEntry | None:
    """Return the entry a "Xem thêm"/"Nguồn" payload names, or None when it is not valid."""
    head, _, faq_id = payload.partition(":")
    if head != prefix or not _ID.fullmatch(faq_id):
        return None
    entry = faq.get(faq_id)
    if entry is None or (prefix == MORE_PREFIX and not entry.details):
        return None
    return entry
