"""Buttons for messengers without them: numbered lines, and a typed number as a press."""

from __future__ import annotations

from collections import OrderedDict

from bot.messages import Button

MAX_REMEMBERED_CHATS = 10_000  # bounded: the last buttons of the most recent chats only


def numbered_lines(buttons: list[Button]) -> list[str]:
    """Render buttons as lines `  1) label` (a link button shows its URL)."""
    return [
        f"  {number}) {item.label}" + (f" — {item.url}" if item.url else "")
        for number, item in enumerate(buttons, start=1)
    ]


class ButtonMemory:
    """Remember the buttons last shown in each chat, so that a typed number presses one."""

    def __init__(self, max_chats: int = MAX_REMEMBERED_CHATS) -> None:
        self._buttons: OrderedDict[str, list[Button]] = OrderedDict()
        self._max_chats = max_chats

    def remember(self, chat_id: str, buttons: list[Button]) -> None:
        """Keep the buttons just shown in a chat (nothing changes when there are none)."""
        if not buttons:
            return
        self._buttons[chat_id] = buttons
        self._buttons.move_to_end(chat_id)
        while len(self._buttons) > self._max_chats:
            self._buttons.popitem(last=False)

    def pressed(self, chat_id: str, text: str) -> Button | None:
        """Return the payload button whose number the citizen typed, or None."""
        choice = text.strip()
        buttons = self._buttons.get(chat_id, [])
        if choice.isdigit() and 1 <= int(choice) <= len(buttons):
            button = buttons[int(choice) - 1]
            if button.payload is not None:
                return button
        return None
