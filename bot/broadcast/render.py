"""The notice exactly as citizens see it, used for the preview and for delivery."""

from __future__ import annotations

from typing import Any

from bot.content.messages import Messages
from bot.messages import Button, Reply, button_rows

TEXT_LIMIT = 4096  # Telegram's message length limit, the tightest of our channels
MAX_LINK_BUTTONS = 3


def notice_reply(
    messages: Messages, *, text: str, attachment_url: str | None, buttons: list[Any]
) -> Reply:
    """Build the citizen's message: the text with the opt-out hint, then the link buttons."""
    links = [Button(label, url=url) for label, url in buttons]
    if attachment_url:
        links.insert(0, Button(messages.text("broadcast.attachment_button"), url=attachment_url))
    return Reply(messages.text("broadcast.notice", text=text), button_rows(links))


def notice_length(messages: Messages, text: str) -> int:
    """Return the notice's length as Telegram counts it (UTF-16 units: an emoji counts 2)."""
    return len(messages.text("broadcast.notice", text=text).encode("utf-16-le")) // 2


def too_long(messages: Messages, text: str) -> bool:
    """Return whether the notice built from this text would exceed the message limit."""
    return notice_length(messages, text) > TEXT_LIMIT
