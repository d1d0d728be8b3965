"""Builders for test messages and shortcuts to talk to the bot, the CLI and the stand-ins."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app import App
from bot.db import repo_outbox
from bot.db.models_messaging import OutboxMessage
from bot.messages import Incoming, Kind, Reply
from bot.messaging.sender import Outlet, Sender
from bot.runner import Runtime
from tests.conftest import CONTENT_DIR, ROOT

if TYPE_CHECKING:
    from tests.conftest import AppFactory
    from tests.standins.bot_api import BotApiStandIn


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


def buttons_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the inline buttons of a message the bot sent through the Bot API stand-in."""
    markup = params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def telegram_app(make_app: AppFactory, url: str, bot_api: BotApiStandIn, **extra: object) -> App:
    """Build an app whose Telegram channel talks to the Bot API stand-in."""
    return make_app(
        url, telegram_bot_token="123:TEST", telegram_api_base_url=bot_api.base_url, **extra
    )


@asynccontextmanager
async def telegram_polling(app: App, *, services: bool = False) -> AsyncIterator[Runtime]:
    """Poll Telegram (and run the background services if asked) until the block ends."""
    runtime = Runtime(app)
    try:
        await runtime.start_telegram_polling()
        if services:
            await runtime.start_services()
        yield runtime
    finally:
        await runtime.stop()


def run_cli(
    args: list[str], tmp_path: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess:
    """Run `python -m bot ARGS` on a database in tmp_path (cli.db) and the real content."""
    environment = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "CONTENT_DIR": str(CONTENT_DIR),
        "PATH": "/usr/bin:/bin",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=300,  # an upper bound: a loaded machine is slow to start Python
        check=False,
    )


async def send_via_outbox(
    app: App, channel: Outlet, *, chat_id: str, reply: Reply, user_id: int | None = None
) -> OutboxMessage:
    """Queue one message, let a sender for the channel try it once; return the settled row."""
    with app.sessions.begin() as session:
        row = repo_outbox.enqueue(
            session, reply=reply, channel=channel.name, chat_id=chat_id, user_id=user_id
        )
        session.flush()
        row_id = row.id
    await Sender(app, channel, limiter=None).drain()
    with app.sessions() as session:
        found = session.get(OutboxMessage, row_id)
        assert found is not None
        return found


def console(app: App) -> io.StringIO:
    """Run a terminal chat for delivery (printing what it is sent); return its output."""
    from bot.channels.console import ConsoleChannel

    out = io.StringIO()
    app.channels.register(ConsoleChannel(app, io.StringIO(), out))
    return out


async def run_due(app: App) -> Counter[str]:
    """Queue the due reminders and notices, then deliver the terminal chat's outbox."""
    from bot.reminders.runner import run_due_once

    counts = await run_due_once(app)
    channel = app.channels.get("console")
    if channel is not None:
        await channel.flush()  # type: ignore[attr-defined]
    return counts
