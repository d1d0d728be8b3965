"""The Zalo Bot API adapter: a Telegram-like token bot, by webhook or getUpdates polling."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import httpx
from starlette.routing import Route

from bot.channels import download_links
from bot.channels.audio import download as audio_download
from bot.channels.base import (
    DeliveryError,
    MessengerError,
    RateLimited,
    RecipientBlocked,
    TransientError,
)
from bot.channels.numbered import numbered_lines, pressed
from bot.db import repo_outbox
from bot.db.repo_inbox import Received
from bot.messages import AudioRef, Button, Incoming, Kind, Reply, split_text
from bot.web import secret_webhook

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from bot.context import AppParts as App
    from bot.messaging.core import MessagingCore

log = logging.getLogger(__name__)

CHANNEL = "zalobot"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PATH = "/zalo/bot"
MAX_TEXT = 2000
NOTHING_NEW = 408
RATE_LIMIT_WAIT = 5.0
POLL_ERROR_PAUSE = 3.0
KINDS = {
    "message.text.received": Kind.TEXT,
    "message.image.received": Kind.PHOTO,
    "message.sticker.received": Kind.STICKER,
    "message.voice.received": Kind.VOICE,
}


class ZaloBotChannel:
    """Talks to citizens through a Zalo Bot; buttons become numbered lines."""

    name = CHANNEL
    reads_database = True  # a typed number is read against the buttons sent
    can_edit = False  # an edit arrives as a new message

    def __init__(
        self,
        app: App,
        client: httpx.AsyncClient | None = None,
        core: MessagingCore | None = None,
    ) -> None:
        settings = app.settings
        if not settings.zalo_bot_token:
            raise ValueError("ZALO_BOT_TOKEN is not set")
        self.app = app
        self.base = f"{settings.zalo_bot_base_url.rstrip('/')}/bot{settings.zalo_bot_token}"
        self.client = client or httpx.AsyncClient(timeout=settings.zalo_bot_poll_timeout + 15)
        self.core = core
        self._poller: asyncio.Task[None] | None = None
        app.channels.register(self)
        if core is not None:
            core.add_channel(self)

    @property
    def webhook_path(self) -> str:
        """Return the path of our webhook URL."""
        return urlparse(self.app.settings.zalo_bot_webhook_url or "").path or DEFAULT_WEBHOOK_PATH

    async def call(self, method: str, **params: Any) -> Any:
        """Call a Bot API method and return its result; errors become delivery errors."""
        try:
            response = await self.client.post(f"{self.base}/{method}", json=params)
            body = response.json()
        except httpx.HTTPError as error:
            raise TransientError(f"zalo bot {method}: {error}") from error
        except ValueError as error:
            raise TransientError(f"zalo bot {method}: HTTP {response.status_code}") from error
        if isinstance(body, dict) and body.get("ok"):
            return body.get("result")
        body = body if isinstance(body, dict) else {}
        code = int(body.get("error_code") or response.status_code)
        description = str(body.get("description", ""))
        if code == 429:
            raise RateLimited(RATE_LIMIT_WAIT, f"zalo bot {method}: {description}")
        if code == 403:
            raise RecipientBlocked(f"zalo bot {method}: {description}")
        if code >= 500:
            raise TransientError(f"zalo bot {method}: {code} {description}")
        raise MessengerError(code, f"zalo bot {method}: {description}")

    async def start_webhook(self) -> Route:
        """Register our webhook URL with its secret and return the route to serve."""
        settings = self.app.settings
        await self.call(
            "setWebhook",
            url=settings.zalo_bot_webhook_url,
            secret_token=settings.zalo_bot_webhook_secret,
        )
        assert self.core is not None
        endpoint = secret_webhook(
            "zalo bot", SECRET_HEADER, settings.zalo_bot_webhook_secret, received_of, self.core
        )
        return Route(self.webhook_path, endpoint, methods=["POST"])

    async def start_polling(self) -> None:
        """Remove any webhook (polling does not work with one) and poll in the background."""
        await self.call("deleteWebhook")
        self._poller = asyncio.create_task(self._poll())

    async def stop_receiving(self) -> None:
        """Stop polling (stored updates are the core's to handle)."""
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None

    async def stop(self) -> None:
        """Stop polling and close the HTTP client."""
        await self.stop_receiving()
        await self.client.aclose()

    async def _poll(self) -> None:
        """Fetch updates while holding the poller lease and store them; 408: nothing new.

        The Zalo Bot API has no offset to confirm: an update fetched is gone, so it is
        stored at once (a crash between the fetch and the commit can lose that one).
        """
        assert self.core is not None
        lease = self.core.lease(f"poller:{CHANNEL}")
        timeout = str(self.app.settings.zalo_bot_poll_timeout)
        try:
            while True:
                if not await asyncio.to_thread(lease.hold):
                    await asyncio.sleep(self.app.settings.lease_retry_seconds)
                    continue
                try:
                    update = await self.call("getUpdates", timeout=timeout)
                except MessengerError as error:
                    if error.code != NOTHING_NEW:
                        log.warning("zalo bot polling: %s", error)
                        await asyncio.sleep(POLL_ERROR_PAUSE)
                    continue
                except DeliveryError as error:
                    log.warning("zalo bot polling: %s", error)
                    await asyncio.sleep(POLL_ERROR_PAUSE)
                    continue
                bodies = update if isinstance(update, list) else [update]
                items = [received_of(b) for b in bodies if isinstance(b, dict)]
                await self._store([item for item in items if item is not None])
        finally:
            await asyncio.to_thread(lease.release)

    async def _store(self, items: list[Received]) -> None:
        """Store fetched updates, retrying while the database is away."""
        assert self.core is not None
        while True:
            try:
                await self.core.intake(items)
                return
            except Exception:
                log.exception("zalo bot polling: could not store updates; retrying")
                await asyncio.sleep(POLL_ERROR_PAUSE)

    def incoming_of(self, session: Session, payload: dict[str, Any]) -> Incoming | None:
        """Read a stored update; a typed number presses a button the outbox shows was sent."""

        def shown(chat_id: str) -> tuple[list[Button], bool]:
            return repo_outbox.last_buttons(session, channel=CHANNEL, chat_id=chat_id)

        return self.to_incoming(payload, shown)

    def after_handled(self, payload: dict[str, Any]) -> None:
        """Nothing follows handling on Zalo Bot."""
        return None

    def to_incoming(
        self,
        update: dict[str, Any],
        shown: Callable[[str], tuple[list[Button], bool]] | None = None,
    ) -> Incoming | None:
        """Convert an update to an Incoming; a typed number presses the button it names.

        `shown(chat_id)` gives the buttons last shown in the chat (from the database, so the
        process that sent them need not be the one reading the answer) and if lettered.
        """
        message = update.get("message")
        if not isinstance(message, dict):
            return None
        sender = message.get("from") if isinstance(message.get("from"), dict) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        user, chat_id = str(sender.get("id") or ""), str(chat.get("id") or sender.get("id") or "")
        if not user or not chat_id or sender.get("is_bot"):
            return None
        kind = KINDS.get(str(update.get("event_name", "")), Kind.OTHER)
        text = str(message.get("text") or message.get("caption") or "")
        common = {
            "channel": CHANNEL,
            "user_id": user,
            "chat_id": chat_id,
            "display_name": str(sender.get("display_name") or ""),
            "is_group": str(chat.get("chat_type", "PRIVATE")).upper() != "PRIVATE",
        }
        button = pressed(*shown(chat_id), text) if kind is Kind.TEXT and shown else None
        if button is not None:
            return Incoming(**common, text=button.label, payload=button.payload, kind=Kind.BUTTON)
        voice_url = message.get("voice_url")  # an .aac file; its length is not given
        if kind is Kind.VOICE and isinstance(voice_url, str) and voice_url:
            return Incoming(**common, text=text, kind=kind, audio=AudioRef(voice_url, None))
        return Incoming(**common, text=text, kind=kind)

    async def fetch_audio(self, audio: AudioRef, max_bytes: int) -> bytes:
        """Download a voice note from the `voice_url` of its update."""
        return await audio_download(self.client, audio.ref, max_bytes, "zalo bot voice")

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send the text in chunks of 2,000 characters, buttons as numbered lines at the end.

        A photo goes by sendPhoto with a short-lived link to it (the API takes photos only by
        URL); any other file as such a link in the text (there is no document method).
        """
        messages = self.app.content.messages
        text = reply.text
        attachment = reply.attachment
        photo_url = None
        if attachment is not None:
            if not download_links.can_link(self.app):
                note = messages.text("zalo.attachment_note", filename=attachment.filename)
                text = f"{text}\n\n{note}"
            else:
                url = await asyncio.to_thread(download_links.make_link, self.app, attachment)
                if attachment.is_image:
                    photo_url = url
                else:
                    note = messages.text(
                        "zalo.attachment_link",
                        filename=attachment.filename,
                        url=url,
                        minutes=self.app.settings.download_link_minutes,
                    )
                    text = f"{text}\n\n{note}"
        buttons = reply.all_buttons()
        if photo_url is not None and not buttons and len(text) <= MAX_TEXT:
            sent = await self.call("sendPhoto", chat_id=chat_id, photo=photo_url, caption=text)
            return str(sent.get("message_id", "")) if isinstance(sent, dict) else ""
        if buttons:
            lettered = reply.numbers_are_answers
            prompt = messages.text(
                "zalo.choose_by_letter" if lettered else "zalo.choose_by_number"
            )
            lines = [prompt, *numbered_lines(buttons, lettered=lettered)]
            text = text + "\n\n" + "\n".join(lines)
        message_id = ""
        for chunk in split_text(text, MAX_TEXT):
            sent = await self.call("sendMessage", chat_id=chat_id, text=chunk)
            message_id = str(sent.get("message_id", "")) if isinstance(sent, dict) else ""
        if photo_url is not None:
            sent = await self.call("sendPhoto", chat_id=chat_id, photo=photo_url)
            message_id = str(sent.get("message_id", "")) if isinstance(sent, dict) else ""
        return message_id

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """The Bot API cannot edit a message: send the new version instead."""
        await self.send(chat_id, reply)


def received_of(body: dict[str, Any]) -> Received | None:
    """Return an update (wrapped in `{ok, result}` or not) to store; None if not a message.

    The key is the message id, so a webhook delivered twice is handled once.
    """
    if isinstance(body.get("result"), dict):
        body = body["result"]
    message = body.get("message")
    if not isinstance(message, dict):
        return None
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    chat_id = chat.get("id") or sender.get("id") or ""
    key = message.get("message_id")
    if not key:
        key = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return Received(CHANNEL, str(key), f"{CHANNEL}:{chat_id}", body)
