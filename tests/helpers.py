"""Builders for test messages and shortcuts to talk to the bot."""

from __future__ import annotations

from bot.app import App
from bot.messages import Incoming, Kind, Reply

DEFAULT_USER = "citizen-1"


def text_message(text: str, user: str = DEFAULT_USER, channel: str = "console") -> Incoming:
    """Build a text message from a citizen."""
    return Incoming(channel=channel, user_id=user, chat_id=user, text=text, display_name="Lan")


def button_press(payload: str, user: str = DEFAULT_USER, channel: str = "console") -> Incoming:
    """Build a button press."""
    return Incoming(channel=channel, user_id=user, chat_id=user, payload=payload, kind=Kind.BUTTON)


def say(app: App, text: str, user: str = DEFAULT_USER) -> list[Reply]:
    """Send text to the bot and return its replies."""
    return app.dispatcher.handle(text_message(text, user))


def press(app: App, payload: str, user: str = DEFAULT_USER) -> list[Reply]:
    """Press a button and return the replies."""
    return app.dispatcher.handle(button_press(payload, user))


def press_label(
    app: App, replies: list[Reply], label_part: str, user: str = DEFAULT_USER
) -> list[Reply]:
    """Press the first button (in the given replies) whose label contains the text."""
    for reply in replies:
        for item in reply.all_buttons():
            if label_part.lower() in item.label.lower() and item.payload:
                return press(app, item.payload, user)
    labels = [b.label for r in replies for b in r.all_buttons()]
    raise AssertionError(f"no button with {label_part!r}; buttons: {labels}")


def texts(replies: list[Reply]) -> str:
    """Join the texts of replies, for assertions."""
    return "\n".join(reply.text for reply in replies)


def labels(replies: list[Reply]) -> list[str]:
    """Return all button labels of the replies."""
    return [b.label for r in replies for b in r.all_buttons()]
