"""The Telegram adapter: python-telegram-bot 22, long polling or a webhook."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from telegram import (
    BotCommand,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.channels.base import MessengerError, RateLimited, RecipientBlocked, TransientError
from bot.channels.telegram_request import JsonParameters, JsonRequest
from bot.channels.telegram_topics import ForumTopics
from bot.context import AppParts as App
from bot.db.repo_inbox import Received
from bot.messages import AudioRef, AudioTooLarge, Button, Incoming, Kind, Reply, split_text
from bot.routing import RouteKind

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.messaging.core import MessagingCore

log = logging.getLogger(__name__)

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 10
POLL_ERROR_PAUSE = 2.0
_CHAT_HOLDERS = ("message", "edited_message", "callback_query", "my_chat_member", "channel_post")


class TelegramChannel:
    """Stores Telegram updates in the inbox, reads them back as Incoming, sends replies.

    PTB is the Bot API client; the polling loop is ours, so that an offset is confirmed to
    Telegram only after the updates it covers are committed to the inbox.
    """

    name = CHANNEL
    reads_database = False  # the update is all it reads

    def __init__(self, app: App, core: MessagingCore | None = None) -> None:
        self.app = app
        self.core = core
        settings = app.settings
        if not settings.telegram_bot_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        builder = Application.builder().token(settings.telegram_bot_token)
        if settings.telegram_api_base_url:
            base = settings.telegram_api_base_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        self._calls = JsonRequest(pool_size=max(8, settings.send_concurrency * 2))
        self._polls = JsonRequest(pool_size=1, read_timeout=POLL_TIMEOUT + 10)
        builder = builder.request(self._calls).get_updates_request(self._polls)
        self.application: Application = builder.updater(None).post_init(self._post_init).build()
        self.bot = self.application.bot
        self._poller: asyncio.Task[None] | None = None
        self.topics = ForumTopics(app, self.application.bot)
        app.channels.register(self)
        if core is not None:
            core.add_channel(self)

    async def start(self, *, polling: bool) -> None:
        """Start the Bot API client and register the command menu; with `polling`, poll."""
        application = self.application
        await application.initialize()
        await application.post_init(application)
        if polling:
            await self.bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll(), name="telegram-poller")

    async def stop_receiving(self) -> None:
        """Stop polling (stored updates are the core's to handle)."""
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None

    async def stop(self) -> None:
        """Stop polling and close the Bot API client."""
        await self.stop_receiving()
        await self.application.shutdown()

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

    # --- inbound -----------------------------------------------------------------------
    async def _poll(self) -> None:
        """Long-poll while holding the poller lease; confirm an offset only once stored."""
        assert self.core is not None
        lease = self.core.lease(f"poller:{CHANNEL}")
        offset: int | None = None
        try:
            while True:
                if not await asyncio.to_thread(lease.hold):
                    offset = None
                    await asyncio.sleep(self.app.settings.lease_retry_seconds)
                    continue
                try:
                    updates = await self._get_updates(offset)
                    items = [received_of(update) for update in updates]
                    await self.core.intake([item for item in items if item is not None])
                except (TelegramError, OSError) as error:
                    log.warning("telegram polling: %s", error)
                    await asyncio.sleep(POLL_ERROR_PAUSE)
                    continue
                except Exception:
                    log.exception("telegram polling: could not store updates; fetching again")
                    await asyncio.sleep(POLL_ERROR_PAUSE)
                    continue
                offset = next_offset(updates, offset)  # confirmed on the next call
        finally:
            await asyncio.to_thread(lease.release)

    async def _get_updates(self, offset: int | None) -> list[Any]:
        """Return the next updates as Telegram sent them (JSON objects, stored as they are).

        Through PTB's request layer (its error mapping), but not its Update objects: the
        inbox stores the JSON, and building objects only to turn them back cost more than
        storing them.
        """
        query = {"timeout": POLL_TIMEOUT, "allowed_updates": json.dumps(ALLOWED_UPDATES)}
        if offset is not None:
            query["offset"] = offset
        url = f"{self.bot.base_url}/getUpdates?{urlencode(query)}"
        updates = await self._polls.post(url, read_timeout=POLL_TIMEOUT + 10)
        return updates if isinstance(updates, list) else []

    def received_of(self, data: dict[str, Any]) -> Received | None:
        """Return a webhook body as an update to store, or None when it is not an update."""
        return received_of(data)

    async def fetch_audio(self, audio: AudioRef, max_bytes: int) -> bytes:
        """Download a voice note by its file_id (getFile, then the file URL)."""
        file = await self.application.bot.get_file(audio.ref)
        if file.file_size is not None and file.file_size > max_bytes:
            raise AudioTooLarge(f"{file.file_size} bytes")
        data = bytes(await file.download_as_bytearray())
        if len(data) > max_bytes:
            raise AudioTooLarge(f"{len(data)} bytes")
        return data

    def incoming_of(self, session: Session, payload: dict[str, Any]) -> Incoming | None:
        """Read a stored update."""
        return to_incoming(Update.de_json(payload, self.bot))

    def after_handled(self, payload: dict[str, Any]) -> Awaitable[None] | None:
        """Stop the spinner of a pressed button (best effort, not worth storing)."""
        query = payload.get("callback_query")
        if not isinstance(query, dict) or "id" not in query:
            return None
        return self._answer_query(str(query["id"]))

    async def _answer_query(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError:
            log.info("could not answer callback query %s", query_id)

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send a reply (text with an inline keyboard, or a photo/document).

        A reply addressed to a topic goes into that topic's forum thread in a forum group.
        """
        bot = self.application.bot
        try:
            topic = reply.to.topic if reply.to is not None else None
            thread = await self.topics.thread_for(chat_id, topic) if topic else None
            if reply.attachment is not None:
                upload = InputFile(reply.attachment.data, filename=reply.attachment.filename)
                caption = reply.text[: MessageLimit.CAPTION_LENGTH]
                send_file = bot.send_photo if reply.attachment.is_image else bot.send_document
                sent = await send_file(
                    chat_id,
                    upload,
                    caption=caption,
                    reply_markup=keyboard(reply),
                    message_thread_id=thread,
                )
                return str(sent.message_id)
            chunks = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH)
            for chunk in chunks[:-1]:
                await self._call("sendMessage", chat_id=chat_id, text=chunk, thread=thread)
            sent_raw = await self._call(
                "sendMessage",
                chat_id=chat_id,
                text=chunks[-1],
                reply_markup=markup_of(reply),
                thread=thread,
            )
            return str(sent_raw["message_id"])
        except TelegramError as error:
            raise delivery_error(error) from error

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """Replace the text and buttons of a message the bot sent."""
        try:
            await self._call(
                "editMessageText",
                chat_id=chat_id,
                message_id=int(message_id),
                text=reply.text[: MessageLimit.MAX_TEXT_LENGTH],
                reply_markup=markup_of(reply),
            )
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise delivery_error(error) from error
        except TelegramError as error:
            raise delivery_error(error) from error

    async def _call(self, method: str, *, thread: int | None = None, **params: Any) -> Any:
        """Call a Bot API method with plain JSON parameters; return its raw result.

        Through PTB's request layer (its error mapping) like polling: PTB's typed methods
        wrap every parameter and parse the answer into objects, and of what the bot sends
        most only the message id is read (measured in bench_throughput, see the README).
        """
        if thread is not None:
            params["message_thread_id"] = thread
        url = f"{self.bot.base_url}/{method}"
        return await self._calls.post(url, request_data=JsonParameters(params))


def next_offset(updates: list[Any], offset: int | None) -> int | None:
    """Return the offset that confirms these updates (all of them stored by now)."""
    ids = [u.get("update_id") for u in updates if isinstance(u, dict)]
    ids = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    return max(ids) + 1 if ids else offset


def received_of(data: Any) -> Received | None:
    """Return a Telegram update as an inbox item keyed by its update_id; None if not one."""
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    chat_id: object = None
    for key in _CHAT_HOLDERS:
        part = data.get(key)
        if isinstance(part, dict):
            holder = part.get("message") if key == "callback_query" else part
            chat = holder.get("chat") if isinstance(holder, dict) else None
            sender = part.get("from")
            if isinstance(chat, dict):
                chat_id = chat.get("id")
            elif isinstance(sender, dict):
                chat_id = sender.get("id")
            break
    chat_key = f"{CHANNEL}:{chat_id}" if chat_id is not None else f"{CHANNEL}:u{update_id}"
    return Received(CHANNEL, str(update_id), chat_key, data)


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
    sound = message.voice or message.audio
    if message.sticker is not None:
        kind = Kind.STICKER
    elif message.photo:
        kind = Kind.PHOTO
    elif sound is not None:
        audio = AudioRef(sound.file_id, seconds=_seconds(sound.duration))
        return Incoming(**common, text=message.caption or "", kind=Kind.VOICE, audio=audio)
    elif message.document is not None:
        kind = Kind.FILE
    return Incoming(**common, text=message.caption or "", kind=kind)


def _seconds(duration: object) -> float | None:
    """Return a PTB duration (int seconds, or timedelta with PTB_TIMEDELTA) in seconds."""
    if hasattr(duration, "total_seconds"):
        return float(duration.total_seconds())
    return float(duration) if isinstance(duration, int | float) else None
def _replied_text(message: Message) -> str:
    """Return the text of the bot's message this one replies to (or its forum topic's name)."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return ""
    if replied.forum_topic_created is not None:
        return replied.forum_topic_created.name
    return replied.text or replied.caption or ""


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Render the reply's buttons as PTB's inline keyboard (for files sent with PTB's methods)."""
    markup = markup_of(reply)
    return InlineKeyboardMarkup.de_json(markup, None) if markup else None


def markup_of(reply: Reply) -> dict[str, Any] | None:
    """Return the reply's buttons as a Bot API inline keyboard (plain JSON)."""
    if not reply.buttons:
        return None
    rows = [[_button_of(b) for b in row] for row in reply.buttons]
    return {"inline_keyboard": rows}


def _button_of(button: Button) -> dict[str, str]:
    """Return one inline button as Bot API JSON (a link or a callback)."""
    if button.url:
        return {"text": button.label, "url": button.url}
    return {"text": button.label, "callback_data": button.payload or ""}


def delivery_error(error: TelegramError) -> Exception:
    """Map a Telegram error to the channel-independent delivery errors."""
    if isinstance(error, Forbidden):
        return RecipientBlocked(str(error))
    if isinstance(error, RetryAfter):
        retry = error.retry_after
        seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
        return RateLimited(seconds, str(error))
    if isinstance(error, BadRequest):  # a NetworkError subclass, yet retrying will not help
        if "chat not found" in str(error).lower():
            return RecipientBlocked(str(error))
        return MessengerError(400, str(error))
    if isinstance(error, NetworkError):  # includes TimedOut and 5xx answers
        return TransientError(str(error))
    return MessengerError(0, str(error))
