"""Zalo OA outbound: Tư vấn replies, Tin Truyền thông notices, uploads, errors mapped."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from bot.channels import download_links
from bot.channels import zalo_oa_media as media
from bot.channels.base import (
    DeliveryError,
    MessengerError,
    RateLimited,
    RecipientBlocked,
    RecipientUnreachable,
    TransientError,
)
from bot.channels.zalo_oa_events import BUTTON_PREFIX
from bot.channels.zalo_tokens import RATE_LIMIT_CODE, RATE_LIMIT_WAIT, ZaloAuthError, ZaloTokens
from bot.messages import Attachment, Button, Reply, split_text

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_TITLE = 100
TOKEN_ERRORS = {-216, -220}
BLOCKED_ERRORS = {-213, -227}  # not following / banned or inactive for 45 days
WINDOW_ERRORS = {-230, -232}  # no interaction in the last 7 days
NIGHT_ERROR = -234
NIGHT_ENDS = time(6, 0)
CS, PROMOTION = "cs", "promotion"  # Tư vấn (replies) and Tin Truyền thông (notices)


def international(phone: str) -> str:
    """Return a Vietnamese mobile number as ZNS wants it: 84 and the digits after the 0."""
    digits = "".join(c for c in phone if c.isdigit())
    return "84" + digits[1:] if digits.startswith("0") else digits


class ZaloOAOutbound:
    """Sends to citizens through the OA API with a valid access token."""

    def __init__(self, app: App, client: httpx.AsyncClient, tokens: ZaloTokens) -> None:
        self.app = app
        self.client = client
        self.tokens = tokens

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send a reply as Tư vấn: text in 2,000-character chunks, buttons, then its file."""
        return await self._send(chat_id, reply, CS)

    async def announce(self, chat_id: str, reply: Reply) -> str:
        """Send a notice to a follower as Tin Truyền thông (Zalo keeps Tư vấn for support)."""
        text = reply.text
        if reply.attachment is not None:
            text = f"{text}\n\n{await self._attachment_note(reply)}"
        buttons = [self._button(b) for b in reply.all_buttons()[:MAX_BUTTONS]]
        header, _, body = text.partition("\n")
        elements = [{"type": "header", "content": header[:MAX_TITLE]}]
        if body.strip():
            elements.append({"type": "text", "align": "left", "content": body.strip()[:MAX_TEXT]})
        payload: dict[str, Any] = {
            "template_type": "promotion",
            "language": "VI",
            "elements": elements,
        }
        if buttons:
            payload["buttons"] = buttons
        message = {"attachment": {"type": "template", "payload": payload}}
        return await self._post(chat_id, message, PROMOTION)

    async def send_zns(
        self, *, phone: str, template_id: str, params: dict[str, str], tracking_id: str
    ) -> str:
        """Send an approved ZNS template to a phone number (84…); return Zalo's msg_id."""
        body = {
            "phone": international(phone),
            "template_id": template_id,
            "template_data": params,
            "tracking_id": tracking_id,
        }
        base = self.app.settings.zalo_zns_base_url
        data = await self._api("/message/template", base=base, json=body)
        return str(data.get("msg_id", ""))

    async def _send(self, chat_id: str, reply: Reply, kind: str) -> str:
        """Send text chunks with buttons (5 a message) under the last, then the attachment."""
        messages = self.app.content.messages
        attachment = reply.attachment
        buttons = reply.all_buttons()
        if attachment is not None and not buttons and len(reply.text) <= MAX_TEXT:
            if media.is_uploadable_image(attachment):  # one message: the image and its caption
                sent = await self._send_attachment(chat_id, attachment, reply.text, kind)
                if sent is not None:
                    return sent
        chunks = split_text(reply.text, MAX_TEXT)
        groups = [buttons[i : i + MAX_BUTTONS] for i in range(0, len(buttons), MAX_BUTTONS)]
        for chunk in chunks[:-1]:
            await self._post(chat_id, {"text": chunk}, kind)
        message_id = await self._post(chat_id, self._message(chunks[-1], groups[:1]), kind)
        for group in groups[1:]:
            more = messages.text("zalo.more_choices")
            message_id = await self._post(chat_id, self._message(more, [group]), kind)
        if attachment is not None:
            sent = await self._send_attachment(chat_id, attachment, "", kind)
            if sent is None:
                await self._post(chat_id, {"text": await self._attachment_note(reply)}, kind)
            else:
                message_id = sent
        return message_id

    async def _send_attachment(
        self, chat_id: str, attachment: Attachment, caption: str, kind: str
    ) -> str | None:
        """Upload the file and send it; None when Zalo refuses the upload (type, size)."""
        path = media.upload_path(attachment)
        try:
            data = await self._api(path, files=media.upload_form(attachment))
        except MessengerError as error:
            log.warning("zalo oa: upload of %s refused: %s", attachment.filename, error)
            return None
        uploaded = media.uploaded_id(path, data)
        if not uploaded:
            return None
        return await self._post(chat_id, media.attachment_message(path, uploaded, caption), kind)

    async def _attachment_note(self, reply: Reply) -> str:
        """Say where the file is: a short-lived download link, or ask staff for it."""
        assert reply.attachment is not None
        messages = self.app.content.messages
        if download_links.can_link(self.app):
            url = await asyncio.to_thread(download_links.make_link, self.app, reply.attachment)
            return messages.text(
                "zalo.attachment_link",
                filename=reply.attachment.filename,
                url=url,
                minutes=self.app.settings.download_link_minutes,
            )
        return messages.text("zalo.attachment_note", filename=reply.attachment.filename)

    def _button(self, b: Button) -> dict[str, Any]:
        """Render one button: a link, or a query that comes back as `#btn:` text."""
        if b.url:
            return {"title": b.label[:MAX_TITLE], "type": "oa.open.url", "payload": {"url": b.url}}
        kind = self.app.settings.zalo_oa_button_type
        return {"title": b.label[:MAX_TITLE], "type": kind, "payload": BUTTON_PREFIX + b.payload}

    def _message(self, text: str, groups: list[list[Button]]) -> dict[str, Any]:
        """Build a text message, with query/link buttons when there are any."""
        if not groups:
            return {"text": text}
        rendered = [self._button(b) for b in groups[0]]
        attachment = {"type": "template", "payload": {"buttons": rendered}}
        return {"text": text, "attachment": attachment}

    async def _post(self, chat_id: str, message: dict[str, Any], kind: str = CS) -> str:
        """Send one message of a kind (cs, promotion); return Zalo's message id."""
        body = {"recipient": {"user_id": chat_id}, "message": message}
        data = await self._api(f"/v3.0/oa/message/{kind}", json=body)
        return str(data.get("message_id", ""))

    async def _api(self, path: str, base: str | None = None, **request: Any) -> dict[str, Any]:
        """Call the OA API; on a token error refresh once and retry once; return `data`."""
        url = f"{(base or self.app.settings.zalo_oa_api_base_url).rstrip('/')}{path}"
        token = await self.tokens.access_token()
        answer = await self._call(url, token, request)
        if answer.get("error") in TOKEN_ERRORS:
            token = await self.tokens.replace(token)
            answer = await self._call(url, token, request)
        code = int(answer.get("error") or 0)
        if code != 0:
            raise self._error(code, str(answer.get("message", "")))
        data = answer.get("data")
        return data if isinstance(data, dict) else {}

    async def _call(self, url: str, token: str, request: dict[str, Any]) -> dict[str, Any]:
        """POST to the OA API; HTTP 200 carries errors in the body."""
        try:
            response = await self.client.post(url, headers={"access_token": token}, **request)
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
