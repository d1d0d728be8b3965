"""The Telegram adapter: python-telegram-bot 22, long polling or a webhook."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.base import RateLimited, RecipientBlocked, TransientError
from bot.channels.telegram_topics import ForumTopics
from bot.context import AppParts as App
from bot.delivery import deliver_addressed
from bot.logs import pseudonym
from bot.messages import Incoming, Kind, Reply, split_text
from bot.routing import RouteKind

log = logging.getLogger(__name__)

CHANNEL = "telegram"


class TelegramChannel:
    """Converts Telegram updates to Incoming messages and sends the replies back."""

    name = CHANNEL

    def __init__(self, app: App, *, with_updater: bool = True) -> None:
        self.app = app
        settings = app.settings
        if not settings.telegram_bot_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        builder = Application.builder().token(settings.telegram_bot_token)
        if settings.telegram_api_base_url:
            base = settings.telegram_api_base_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        if not with_updater:
            builder = builder.updater(None)
        self.application: Application = (
            builder.concurrent_updates(64).post_init(self._post_init).build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.topics = ForumTopics(app, self.application.bot)
        app.channels.register(self)

    async def start(self, *, polling: bool) -> None:
        """Start PTB and register the command menu; with `polling`, long-poll for updates."""
        application = self.application
        await application.initialize()
        await application.post_init(application)
        await application.start()
        if polling:
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0.0, timeout=10)

    async def stop(self) -> None:
        """Stop polling and PTB, finishing the updates in hand."""
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def _post_init(self, application: Application) -> None:
        """Register the command menu shown by Telegram clients."""
        await application.bot.set_my_commands(self.menu())

    def menu(self) -> list[BotCommand]:
        """Return the citizen commands with their Vietnamese descriptions."""
        messages = self.app.content.messages
        commands = []
        for route in self.app.dispatcher.routes:
            key = f"commands.{route.key}"
            if route.kind is RouteKind.COMMAND and route.in_menu and key in messages:
                commands.append(BotCommand(route.key, messages.text(key)))
        return commands

    async def enqueue(self, data: dict) -> None:
        """Queue an update received on the webhook for processing."""
        await self.application.update_queue.put(Update.de_json(data, self.application.bot))

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle one update: one chat at a time, replies in order."""
        incoming = to_incoming(update)
        if incoming is None:
            return
        if update.callback_query is not None:
            try:
                await update.callback_query.answer()
            except TelegramError:
                log.info("could not answer callback query %s", update.callback_query.id)
        async with self._locks[incoming.chat_id]:
            replies = await asyncio.to_thread(self.app.dispatcher.handle, incoming)
            for reply in replies:
                if reply.to is not None:  # INTERIM until the outbox (issue 19) lands
                    await deliver_addressed(self.app, reply)
                    continue
                await self.send(incoming.chat_id, reply)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error with context and apologise to the citizen; keep running."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("error while handling update %s", update_id, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await self.application.bot.send_message(
                    update.effective_chat.id, self.app.content.messages.text("core.error")
                )
            except TelegramError:
                who = pseudonym(self.name, str(update.effective_chat.id))
                log.warning("could not send the apology to chat %s", who)

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send a reply (text with an inline keyboard, or a photo/document).

        A reply addressed to a topic goes into that topic's forum thread in a forum group.
        """
        bot = self.application.bot
        markup = keyboard(reply)
        try:
            topic = reply.to.topic if reply.to is not None else None
            thread = await self.topics.thread_for(chat_id, topic) if topic else None
            if reply.attachment is not None:
                upload = InputFile(reply.attachment.data, filename=reply.attachment.filename)
                caption = reply.text[: MessageLimit.CAPTION_LENGTH]
                send_file = bot.send_photo if reply.attachment.is_image else bot.send_document
                sent = await send_file(
                    chat_id, upload, caption=caption, reply_markup=markup, message_thread_id=thread
                )
                return str(sent.message_id)
            chunks = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH)
            for chunk in chunks[:-1]:
                await bot.send_message(chat_id, chunk, message_thread_id=thread)
            sent = await bot.send_message(
                chat_id, chunks[-1], reply_markup=markup, message_thread_id=thread
            )
            return str(sent.message_id)
        except TelegramError as error:
            raise delivery_error(error) from error

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """Replace the text and buttons of a message the bot sent."""
        try:
            await self.application.bot.edit_message_text(
                reply.text[: MessageLimit.MAX_TEXT_LENGTH],
                chat_id=chat_id,
                message_id=int(message_id),
                reply_markup=keyboard(reply),
            )
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise delivery_error(error) from error
        except TelegramError as error:
            raise delivery_error(error) from error


def to_incoming(update: Update) -> Incoming | None:
    """Convert a Telegram update to an Incoming, or None for updates we ignore."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    common = {
        "channel": CHANNEL,
        "user_id": str(user.id),
        "chat_id": str(chat.id),
        "display_name": user.full_name or "",
        "is_group": chat.type != "private",
    }
    query = update.callback_query
    if query is not None:
        return Incoming(**common, text="", payload=query.data or "", kind=Kind.BUTTON)
    message = update.effective_message
    if message is None:
        return None
    if message.text is not None:
        return Incoming(**common, text=message.text, reply_to=_replied_text(message))
    kind = Kind.OTHER
    if message.sticker is not None:
        kind = Kind.STICKER
    elif message.photo:
        kind = Kind.PHOTO
    elif message.voice is not None or message.audio is not None:
        kind = Kind.VOICE
    elif message.document is not None:
        kind = Kind.FILE
    return Incoming(**common, text=message.caption or "", kind=kind)


def _replied_text(message: Message) -> str:
    """Return the text of the bot's message this one replies to (or its forum topic's name)."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return ""
    if replied.forum_topic_created is not None:
        return replied.forum_topic_created.name
    return replied.text or replied.caption or ""


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Render the reply's buttons as an inline keyboard."""
    if not reply.buttons:
        return None
    rows = [
        [
            InlineKeyboardButton(b.label, url=b.url)
            if b.url
            else InlineKeyboardButton(b.label, callback_data=b.payload)
            for b in row
        ]
        for row in reply.buttons
    ]
    return InlineKeyboardMarkup(rows)


def delivery_error(error: TelegramError) -> Exception:
    """Map a Telegram error to the channel-independent delivery errors."""
    if isinstance(error, Forbidden):
        return RecipientBlocked(str(error))
    if isinstance(error, RetryAfter):
        retry = error.retry_after
        seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
        return RateLimited(seconds, str(error))
    if isinstance(error, BadRequest) and "chat not found" in str(error).lower():
        return RecipientBlocked(str(error))
    if isinstance(error, NetworkError):
        return TransientError(str(error))
    return error
