"""The terminal chat: the same handlers, buttons shown as numbered options."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from bot.channels.numbered import ButtonMemory, numbered_lines
from bot.context import AppParts as App
from bot.db.repo_inbox import Received
from bot.messages import Incoming, Kind, Reply
from bot.messaging.core import MessagingCore

EXIT_WORDS = {"/thoat", "/exit", "/quit"}


class ConsoleChannel:
    """Reads lines from a text stream and prints the bot's replies.

    Each line goes through the messaging core like any update (stored in the inbox, handled,
    replies queued in the outbox), processed inline: the replies are printed before the
    next prompt.
    """

    name = "console"
    reads_database = False  # the stored line is all it reads

    def __init__(
        self,
        app: App,
        stdin: TextIO,
        stdout: TextIO,
        user_id: str | None = None,
        files_dir: Path | None = None,
        staff_chat: str | None = None,
        core: MessagingCore | None = None,
    ) -> None:
        self.app = app
        self.stdin = stdin
        self.stdout = stdout
        self.user_id = user_id or "local"
        self.files_dir = files_dir or app.settings.files_dir
        # Set: the terminal is the staff group (`khuyenhoc chat --staff`), not a private chat.
        self.staff_chat = staff_chat
        self._buttons = ButtonMemory(max_chats=1)
        self._sent = 0
        self._session_key = uuid.uuid4().hex[:12]
        self._lines = itertools.count(1)
        self.core = core or MessagingCore(app)
        self.sender = self.core.add_channel(self, inline=True)

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Print one reply with its buttons numbered; save an attachment to a file."""
        if chat_id != self._chat():  # e.g. a staff answer to a terminal citizen, or a ticket
            self.stdout.write(f"\n📤 [→ console:{chat_id}]")
        self._print_reply(reply)
        self._sent += 1
        return str(self._sent)

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """Print the new text of an edited message."""
        self._print_reply(reply, prefix="(cập nhật) ")

    def incoming_of(self, session: Session, payload: dict[str, Any]) -> Incoming | None:
        """Read a stored line."""
        return Incoming(**{**payload, "kind": Kind(payload["kind"])})

    def after_handled(self, payload: dict[str, Any]) -> None:
        """Nothing follows handling in the terminal."""
        return None

    async def flush(self) -> int:
        """Handle what is stored and print every reply queued for the terminal."""
        await self.core.processor.drain()
        return await self.sender.drain()

    async def run(self, greeting: str = "/start") -> None:
        """Chat until end of input or an exit word."""
        self.app.channels.register(self)
        if self.staff_chat is not None:
            self.stdout.write(self.app.content.messages.text("handoff.staff_console_hint") + "\n")
        if greeting:
            await self._handle_line(greeting, echo=True)
        while True:
            self.stdout.write("> ")
            self.stdout.flush()
            line = await self._read_line()
            if not line:
                self.stdout.write("\n")
                return
            line = line.rstrip("\n")
            if line.strip().lower() in EXIT_WORDS:
                self.stdout.write(self.app.content.messages.text("core.goodbye") + "\n")
                self.stdout.flush()
                return
            await self._handle_line(line)

    async def _read_line(self) -> str:
        """Read a line in a daemon thread, so that Ctrl+C ends the chat without waiting."""
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str] = loop.create_future()

        def deliver(value: str) -> None:
            if not line.done():
                line.set_result(value)

        def read() -> None:
            try:
                value = self.stdin.readline()
            except (OSError, ValueError):
                value = ""
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(deliver, value)

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        return await line

    async def _handle_line(self, line: str, echo: bool = False) -> None:
        """Turn a typed line (text, or the number of a button) into replies."""
        if echo:
            self.stdout.write(f"> {line}\n")
        incoming = self._incoming(line)
        self._buttons.forget(self.user_id)  # options shown before this message are stale now
        key = f"{self._session_key}:{next(self._lines)}"
        item = Received(self.name, key, f"{self.name}:{incoming.chat_id}", asdict(incoming))
        await self.core.intake([item])
        await self.flush()

    def _chat(self) -> str:
        """Return the chat this terminal is: the staff group or the user's own chat."""
        return self.staff_chat or self.user_id

    def _incoming(self, line: str) -> Incoming:
        """Read a number as a press of that button, anything else as text."""
        where = {"chat_id": self._chat(), "is_group": self.staff_chat is not None}
        pressed = self._buttons.pressed(self.user_id, line)
        if pressed is not None:
            return Incoming(
                "console",
                self.user_id,
                text=pressed.label,
                payload=pressed.payload,
                kind=Kind.BUTTON,
                **where,
            )
        return Incoming("console", self.user_id, text=line, **where)

    def _print_reply(self, reply: Reply, prefix: str = "") -> None:
        """Write the reply text, its buttons as numbered lines, and any attachment path."""
        self.stdout.write(f"\n{prefix}{reply.text}\n")
        buttons = reply.all_buttons()
        self._buttons.remember(self.user_id, buttons, lettered=reply.numbers_are_answers)
        for line in numbered_lines(buttons, lettered=reply.numbers_are_answers):
            self.stdout.write(line + "\n")
        if reply.attachment is not None:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / reply.attachment.filename
            path.write_bytes(reply.attachment.data)
            self.stdout.write(f"  [tệp đã lưu: {path}]\n")
        self.stdout.write("\n")
        self.stdout.flush()
