"""The Zalo Official Account adapter: signed webhook in; Tư vấn replies, notices, files out."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels import zalo_alerts
from bot.channels.audio import download as audio_download
from bot.channels.base import DeliveryError
from bot.channels.zalo_oa_events import (
    CHANNEL,
    FOLLOW,
    SIGNATURE_HEADER,
    UNFOLLOW,
    citizen_id,
    event_key,
    event_time,
    is_handled,
    to_incoming,
    verified_event,
)
from bot.channels.zalo_oa_outbound import ZaloOAOutbound
from bot.channels.zalo_tokens import ZaloTokens
from bot.db import repo_users
from bot.db.repo_inbox import Received
from bot.messages import AudioRef, Incoming, Reply
from bot.web import read_limited, store_update, too_large

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.context import AppParts as App
    from bot.messaging.core import MessagingCore

log = logging.getLogger(__name__)

TOKEN_CHECK_SECONDS = 300.0


class ZaloOAChannel:
    """Receives signed OA events and replies as customer-service (Tư vấn) messages."""

    name = CHANNEL
    reads_database = True  # unfollowers are marked inactive
    can_edit = False  # an edit arrives as a new message

    def __init__(
        self,
        app: App,
        client: httpx.AsyncClient | None = None,
        core: MessagingCore | None = None,
    ) -> None:
        settings = app.settings
        if not settings.zalo_oa_enabled:
            raise ValueError("ZALO_OA_APP_ID is not set")
        self.app = app
        self.client = client or httpx.AsyncClient(timeout=15.0)
        self.tokens = ZaloTokens(
            app, self.client, on_refused=lambda detail: zalo_alerts.token_refused(app, detail)
        )
        self.outbound = ZaloOAOutbound(app, self.client, self.tokens)
        self.core = core
        self._keeper: asyncio.Task[None] | None = None
        app.channels.register(self)
        if core is not None:
            core.add_channel(self)

    async def start(self) -> None:
        """Make sure a token pair is stored and keep it fresh while the bot is idle."""
        self.tokens.seed_from_environment()
        self._keeper = asyncio.create_task(self._keep_token_fresh())

    async def stop_receiving(self) -> None:
        """Nothing to stop: the web server delivers the events."""

    async def stop(self) -> None:
        """Stop the token keeper and close the HTTP client (stored events are the core's)."""
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
        await self.client.aclose()

    async def _keep_token_fresh(self) -> None:
        """Refresh on schedule even without traffic (the refresh token lasts only 3 months)."""
        while True:
            await asyncio.sleep(TOKEN_CHECK_SECONDS)
            try:
                await self.tokens.access_token()
            except DeliveryError as error:
                log.error("zalo oa: could not refresh the access token: %s", error)

    def route(self) -> Route:
        """Return the webhook route for the web server."""
        return Route(self.app.settings.zalo_oa_webhook_path, self.webhook, methods=["POST"])

    # --- inbound -----------------------------------------------------------------------
    async def webhook(self, request: Request) -> Response:
        """Check the signature, store the event, then answer (handled from the inbox)."""
        raw = await read_limited(request)
        if raw is None:
            return too_large()
        settings = self.app.settings
        body = verified_event(
            raw,
            request.headers.get(SIGNATURE_HEADER),
            app_id=settings.zalo_oa_app_id or "",
            oa_secret_key=settings.zalo_oa_secret_key or "",
        )
        if body is None:
            log.warning("zalo oa webhook: refused a request with a bad or missing signature")
            return PlainTextResponse("forbidden", status_code=403)
        assert self.core is not None
        item = None
        if is_handled(str(body.get("event_name", ""))):
            item = Received(CHANNEL, event_key(body), f"{CHANNEL}:{citizen_id(body)}", body)
        elif body.get("event_name"):
            return PlainTextResponse("ok")  # an event we do not act on
        return await store_update("zalo oa", self.core, item)

    def incoming_of(self, session: Session, body: dict[str, Any]) -> Incoming | None:
        """Read a stored event: drop stale ones, mark unfollowers inactive, answer the rest.

        Redeliveries never get here: the inbox keeps one row per event key.
        """
        name = str(body.get("event_name", ""))
        happened = event_time(body)
        max_age = timedelta(hours=self.app.settings.zalo_oa_event_max_age_hours)
        if happened is None or abs(self.app.now() - happened) > max_age:
            log.warning("zalo oa: dropped %s with a missing or stale timestamp", name)
            return None
        user = citizen_id(body)
        if not user:
            return None
        if name == UNFOLLOW:  # no reminders or notices until they write again
            found = repo_users.get_user(session, channel=CHANNEL, external_id=user)
            if found is not None:
                repo_users.mark_unreachable(session, user_id=found.id)
            return None
        if name == FOLLOW:
            return Incoming(CHANNEL, user, user, text="/start")
        return to_incoming(body)

    def after_handled(self, payload: dict[str, Any]) -> None:
        """Nothing follows handling on Zalo OA."""
        return None

    async def fetch_audio(self, audio: AudioRef, max_bytes: int) -> bytes:
        """Download a voice note from the URL in its event, refusing more than max_bytes."""
        return await audio_download(self.client, audio.ref, max_bytes, "zalo oa audio")

    # --- outbound ----------------------------------------------------------------------
    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send a reply as Tư vấn: text in 2,000-character chunks, buttons, then its file."""
        return await self.outbound.send(chat_id, reply)

    async def announce(self, chat_id: str, reply: Reply) -> str:
        """Send a notice to a follower as Tin Truyền thông (Zalo keeps Tư vấn for support)."""
        return await self.outbound.announce(chat_id, reply)

    async def send_zns(
        self, *, phone: str, template_id: str, params: dict[str, str], tracking_id: str
    ) -> str:
        """Send an approved ZNS template to a phone number; return Zalo's msg_id."""
        return await self.outbound.send_zns(
            phone=phone, template_id=template_id, params=params, tracking_id=tracking_id
        )

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """Zalo cannot edit a sent message: send the new version instead."""
        await self.outbound.send(chat_id, reply)
