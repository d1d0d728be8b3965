"""The Zalo Official Account adapter: signed webhook in, OA API v3 Tư vấn messages out."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.base import (
    DeliveryError,
    MessengerError,
    RateLimited,
    RecipientBlocked,
    RecipientUnreachable,
    TransientError,
)
from bot.channels.conversation import Conversations
from bot.channels.zalo_oa_events import (
    BUTTON_PREFIX,
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
from bot.channels.zalo_tokens import RATE_LIMIT_CODE, RATE_LIMIT_WAIT, ZaloAuthError, ZaloTokens
from bot.db import repo_users, repo_zalo
from bot.messages import Button, Incoming, Reply, split_text

if TYPE_CHECKING:
    from bot.context import AppParts as App

log = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_TITLE = 100
MAX_BODY_BYTES = 1_000_000
PRUNE_EVERY = timedelta(minutes=10)
TOKEN_CHECK_SECONDS = 300.0
TOKEN_ERRORS = {-216, -220}
BLOCKED_ERRORS = {-213, -227}  # not following / banned or inactive for 45 days
WINDOW_ERRORS = {-230, -232}  # no interaction in the last 7 days
NIGHT_ERROR = -234
NIGHT_ENDS = time(6, 0)


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
        self.tokens = ZaloTokens(app, self.client)
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
        """Send a reply in chunks of 2,000 characters, buttons (5 a message) under the last."""
        messages = self.app.content.messages
        text = reply.text
        if reply.attachment is not None:  # files need an upload flow; say so instead
            note = messages.text("zalo.attachment_note", filename=reply.attachment.filename)
            text = f"{text}\n\n{note}"
        chunks = split_text(text, MAX_TEXT)
        buttons = reply.all_buttons()
        groups = [buttons[i : i + MAX_BUTTONS] for i in range(0, len(buttons), MAX_BUTTONS)]
        for chunk in chunks[:-1]:
            await self._post(chat_id, {"text": chunk})
        message_id = await self._post(chat_id, self._message(chunks[-1], groups[:1]))
        for group in groups[1:]:
            more = messages.text("zalo.more_choices")
            message_id = await self._post(chat_id, self._message(more, [group]))
        return message_id

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """Zalo cannot edit a sent message: send the new version instead."""
        await self.send(chat_id, reply)

    def _message(self, text: str, groups: list[list[Button]]) -> dict[str, Any]:
        """Build a text message, with query/link buttons when there are any."""
        if not groups:
            return {"text": text}
        kind = self.app.settings.zalo_oa_button_type
        rendered = [
            {"title": b.label[:MAX_TITLE], "type": "oa.open.url", "payload": {"url": b.url}}
            if b.url
            else {"title": b.label[:MAX_TITLE], "type": kind, "payload": BUTTON_PREFIX + b.payload}
            for b in groups[0]
        ]
        attachment = {"type": "template", "payload": {"buttons": rendered}}
        return {"text": text, "attachment": attachment}

    async def _post(self, chat_id: str, message: dict[str, Any]) -> str:
        """Send one message; on a token error refresh once and retry once."""
        body = {"recipient": {"user_id": chat_id}, "message": message}
        token = await self.tokens.access_token()
        answer = await self._call(token, body)
        if answer.get("error") in TOKEN_ERRORS:
            token = await self.tokens.refresh(rejected=token)
            answer = await self._call(token, body)
        code = int(answer.get("error") or 0)
        if code != 0:
            raise self._error(code, str(answer.get("message", "")))
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        return str(data.get("message_id", ""))

    async def _call(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST to the customer-service endpoint; HTTP 200 carries errors in the body."""
        url = f"{self.app.settings.zalo_oa_api_base_url.rstrip('/')}/v3.0/oa/message/cs"
        try:
            response = await self.client.post(url, json=body, headers={"access_token": token})
        except httpx.HTTPError as error:
            raise TransientError(f"zalo oa: {error}") from error
        if response.status_code >= 500:
            raise TransientError(f"zalo oa: HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as error:
            raise TransientError("zalo oa: answer is not JSON") from error
        return answer if isinstance(answer, dict) else {"error": -1, "message": "bad answer"}

    def _error(self, code: int, message: str) -> DeliveryError:
        """Map an OA API error code to the channel-independent delivery errors."""
        detail = f"zalo error {code}: {message}"
        if code == RATE_LIMIT_CODE:
            return RateLimited(RATE_LIMIT_WAIT, detail)
        if code in BLOCKED_ERRORS:
            return RecipientBlocked(detail)
        if code in WINDOW_ERRORS:
            return RecipientUnreachable(detail)
        if code == NIGHT_ERROR:
            return RateLimited(self._seconds_until_morning(), detail)
        if code in TOKEN_ERRORS:
            return ZaloAuthError(detail)
        return MessengerError(code, detail)

    def _seconds_until_morning(self) -> float:
        """Return the seconds until 06:00 in Vietnam, when Zalo accepts messages again."""
        local = self.app.now().astimezone(self.app.settings.tz)
        morning = datetime.combine(local.date(), NIGHT_ENDS, tzinfo=local.tzinfo)
        if morning <= local:
            morning += timedelta(days=1)
        return (morning - local).total_seconds()
