"""Buttons for messengers without them: numbered lines, and a typed number as a press."""

from __future__ import annotations

from collections import OrderedDict

from bot.messages import Button

MAX_REMEMBERED_CHATS = 10_000  # bounded: the last buttons of the most recent chats only


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def button_keys(count: int, lettered: bool) -> list[str]:
    """Return what the citizen types for each button: 1, 2, 3… or a, b, c…."""
    if lettered:
        return list(LETTERS[:count])
    return [str(number) for number in range(1, count + 1)]


def numbered_lines(buttons: list[Button], lettered: bool = False) -> list[str]:
    """Render buttons as lines `  1) label` or `  a) label` (a link button shows its URL)."""
    keys = button_keys(len(buttons), lettered)
    return [
        f"  {key}) {item.label}" + (f" — {item.url}" if item.url else "")
        for key, item in zip(keys, buttons, strict=False)
    ]


class ButtonMemory:
    """Remember the buttons last shown in each chat, so that a typed number presses one."""

    def __init__(self, max_chats: int = MAX_REMEMBERED_CHATS) -> None:
        self._buttons: OrderedDict[str, dict[str, Button]] = OrderedDict()
        self._max_chats = max_chats

    def remember(self, chat_id: str, buttons: list[Button], lettered: bool = False) -> None:
        """Keep the buttons just shown in a chat (nothing changes when there are none)."""
        if not buttons:
            return
        self._buttons[chat_id] = dict(
            zip(button_keys(len(buttons), lettered), buttons, strict=False)
        )
        self._buttons.move_to_end(chat_id)
        while len(self._buttons) > self._max_chats:
            self._buttons.popitem(last=False)

    def forget(self, chat_id: str) -> None:
        """Drop the buttons shown in a chat (a new message makes older options stale)."""
        self._buttons.pop(chat_id, None)

    def pressed(self, chat_id: str, text: str) -> Button | None:
        """Return the payload button whose number (or letter) the citizen typed, or None."""
        button = self._buttons.get(chat_id, {}).get(text.strip().lower())
        return button if button is not None and button.payload is not None else None


def pressed(buttons: list[Button], lettered: bool, text: str) -> Button | None:
    """Return the payload button of those shown whose number (or letter) was typed, or None."""
    keyed = dict(zip(button_keys(len(buttons), lettered), buttons, strict=False))
    button = keyed.get(text.strip().lower())
    return button if button is not None and button.payload is not None else None
