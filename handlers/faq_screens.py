"""The "📖 Xem thêm" and "🔗 Nguồn" buttons under an FAQ answer."""

from __future__ import annotations

from bot.content.faq_screens import (
    MORE_PREFIX,
    SOURCES_PREFIX,
    details_screen,
    entry_for_payload,
    screen_buttons,
    sources_screen,
)
from bot.context import Context
from bot.messages import Reply


def handle_more(ctx: Context) -> list[Reply]:
    """Show the details of the answer the button belongs to."""
    return _screen(ctx, MORE_PREFIX)


def handle_sources(ctx: Context) -> list[Reply]:
    """Show every source of the answer the button belongs to."""
    return _screen(ctx, SOURCES_PREFIX)


def _screen(ctx: Context, prefix: str) -> list[Reply]:
    """Return the asked screen, or a short polite reply for a payload that names nothing."""
    entry = entry_for_payload(ctx.app.content.faq, ctx.payload, prefix)
    if entry is None:
        return [ctx.say("core.stale_button")]
    messages = ctx.app.content.messages
    text = (details_screen if prefix == MORE_PREFIX else sources_screen)(entry, messages)
    return [Reply(text, (screen_buttons(entry, messages, shown=prefix),))]
