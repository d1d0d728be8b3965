"""A bare python-telegram-bot echo bot: the anchor of the FAQ throughput bench."""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


def main(base_url: str) -> None:
    """Poll the stand-in and echo every text, as PTB's echobot example does."""
    application = (
        Application.builder()
        .token("123:ECHO")
        .base_url(f"{base_url}/bot")
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(poll_interval=0.0, timeout=10)


if __name__ == "__main__":
    main(sys.argv[1])
