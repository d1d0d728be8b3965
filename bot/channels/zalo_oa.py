"""The Zalo Official Account adapter: signed webhook in; Tư vấn replies, notices, files out."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels import zalo_alerts
from bot.channels.base import DeliveryError
from bot.channels.conversation import Conversations
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
from bot.db import repo_users, repo_zalo
from bot.messages import Incoming, Reply

if TYPE_CHECKING:
    from bot.context import AppParts as App

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
PRUNE_EVERY = timedelta(minutes=10)
TOKEN_CHECK_SECONDS = 300.0


async def read_limited(request: Request, limit: int) -> bytes | None:
    """Read the raw body (the MAC covers its exact bytes); None when it exceeds the limit."""
    parts: list[bytes] = []
    size = 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            return None
        parts.append(part)
    return b"".join(parts)


class ZaloOAChannel:
    """Receives signed OA events and replies as customer-service (Tư vấn) messages."""

    name = CHANNEL

    def __init__(self, app: App, client: httpx.AsyncClient | None = None) -> None:
        settings = app.settings
        if not settings.zalo_oa_enabled:
            raise ValueError("ZALO_OA_APP_ID is not set")
        self.app = app
        self.client = client or httpx.AsyncClient(timeout=15.0)
        self.tokens = ZaloTokens(
            app, self.client, on_refused=lambda detail: zalo_alerts.token_refused(app, detail)
        )
        self.outbound = ZaloOAOutbound(app, self.client, self.tokens)
        self.conversations = Conversations(app, self)
        self._last_prune: datetime | None = None
        self._keeper: asyncio.Task[None] | None = None
        app.channels.register(self)

    async def start(self) -> None:
        """Make sure a token pair is stored and keep it fresh while the bot is idle."""
        self.tokens.seed_from_environment()
        self._keeper = asyncio.create_task(self._keep_token_fresh())

    async def stop(self) -> None:
        """Stop the token keeper, finish the events in flight and close the HTTP client."""
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
        await self.conversations.drain()
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
        """Check the signature, answer at once and handle the event in the background."""
        raw = await read_limited(request, MAX_BODY_BYTES)
        if raw is None:
            return PlainTextResponse("too large", status_code=413)
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
        if is_handled(str(body.get("event_name", ""))):
            self.conversations.spawn(self.handle_event(body))
        return PlainTextResponse("ok")

    async def handle_event(self, body: dict[str, Any]) -> None:
        """Act on one verified event: drop stale and repeated ones, then answer."""
        name = str(body.get("event_name", ""))
        now = self.app.now()
        happened = event_time(body)
        max_age = timedelta(hours=self.app.settings.zalo_oa_event_max_age_hours)
        if happened is None or abs(now - happened) > max_age:
            log.warning("zalo oa: dropped %s with a missing or stale timestamp", name)
            return
        if not self._claim(event_key(body), now):
            log.info("zalo oa: dropped a repeated delivery of %s", name)
            return
        user = citizen_id(body)
        if name == UNFOLLOW:
            self._mark_inactive(user)
            return
        incoming = (
            Incoming(CHANNEL, user, user, text="/start") if name == FOLLOW else to_incoming(body)
        )
        if incoming is not None and user:
            await self.conversations.answer(incoming)

    def _claim(self, key: str, now: datetime) -> bool:
        """Record the event as taken; prune old keys now and then so the table stays small."""
        settings = self.app.settings
        with self.app.sessions.begin() as session:
            if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY:
                self._last_prune = now
                repo_zalo.prune_events(
                    session,
                    older_than=now - timedelta(hours=settings.zalo_event_retention_hours),
                    max_rows=settings.zalo_event_max_rows,
                )
            return repo_zalo.claim_event(session, key=key, now=now)

    def _mark_inactive(self, external_id: str) -> None:
        """An unfollowing citizen gets no reminders or notices until they write again."""
        with self.app.sessions.begin() as session:
            user = repo_users.get_user(session, channel=CHANNEL, external_id=external_id)
            if user is not None:
                repo_users.mark_unreachable(session, user_id=user.id)

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
