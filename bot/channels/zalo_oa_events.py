"""Zalo OA webhook events: signature check, de-duplication keys, conversion to Incoming."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from bot.messages import AudioRef, Incoming, Kind

CHANNEL = "zalo"
SIGNATURE_HEADER = "X-ZEvent-Signature"
BUTTON_PREFIX = "#btn:"  # a query button's payload comes back as this text
FOLLOW, UNFOLLOW = "follow", "unfollow"
USER_MESSAGE_PREFIX = "user_send_"
# Our own messages and receipts come back as events; answering them would loop.
ECHO_EVENTS = {"user_received_message", "user_seen_message"}
ECHO_PREFIX = "oa_send_"
KINDS = {
    "user_send_text": Kind.TEXT,
    "user_send_image": Kind.PHOTO,
    "user_send_gif": Kind.STICKER,
    "user_send_sticker": Kind.STICKER,
    "user_send_audio": Kind.VOICE,
    "user_send_file": Kind.FILE,
}


def expected_signature(raw: bytes, app_id: str, timestamp: str, oa_secret_key: str) -> str:
    """Return Zalo's MAC: plain SHA-256 (not HMAC) of app id, body, timestamp and secret."""
    return hashlib.sha256(
        app_id.encode() + raw + timestamp.encode() + oa_secret_key.encode()
    ).hexdigest()


def verified_event(
    raw: bytes, header: str | None, *, app_id: str, oa_secret_key: str
) -> dict[str, Any] | None:
    """Return the event when the signature and app id are right, else None."""
    if not header or not app_id or not oa_secret_key:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:].strip()
    expected = expected_signature(raw, app_id, str(body.get("timestamp", "")), oa_secret_key)
    if not hmac.compare_digest(given.lower().encode(), expected.encode()):
        return None
    if not hmac.compare_digest(str(body.get("app_id", "")).encode(), app_id.encode()):
        return None
    return body


def is_handled(event_name: str) -> bool:
    """Return whether the bot acts on this event (citizen messages, follow, unfollow)."""
    if event_name in ECHO_EVENTS or event_name.startswith(ECHO_PREFIX):
        return False
    return event_name.startswith(USER_MESSAGE_PREFIX) or event_name in (FOLLOW, UNFOLLOW)


def event_time(body: dict[str, Any]) -> datetime | None:
    """Return when the event happened (the body's epoch-milliseconds string), if readable."""
    try:
        return datetime.fromtimestamp(int(str(body.get("timestamp"))) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _id(part: object) -> str:
    return str(part.get("id") or "") if isinstance(part, dict) else ""


def citizen_id(body: dict[str, Any]) -> str:
    """Return the OA-scoped id of the citizen the event is about."""
    if body.get("event_name") in (FOLLOW, UNFOLLOW):
        return _id(body.get("follower"))
    return _id(body.get("sender")) or str(body.get("user_id") or "")


def event_key(body: dict[str, Any]) -> str:
    """Return the key that identifies a delivery of this event (msg_id when there is one)."""
    name = str(body.get("event_name", ""))
    message = body.get("message")
    msg_id = message.get("msg_id") if isinstance(message, dict) else None
    if msg_id:
        return f"oa:{name}:{msg_id}"[:160]
    return f"oa:{name}:{citizen_id(body)}:{body.get('timestamp', '')}"[:160]


def to_incoming(body: dict[str, Any]) -> Incoming | None:
    """Convert a citizen's message event to an Incoming (a `#btn:` text is a button press)."""
    name = str(body.get("event_name", ""))
    user = citizen_id(body)
    if not user or not name.startswith(USER_MESSAGE_PREFIX):
        return None
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    text = str(message.get("text") or "")
    kind = KINDS.get(name, Kind.OTHER)
    if kind is Kind.TEXT and text.startswith(BUTTON_PREFIX):
        payload = text[len(BUTTON_PREFIX) :]
        return Incoming(CHANNEL, user, user, text="", payload=payload, kind=Kind.BUTTON)
    audio = _audio(message) if kind is Kind.VOICE else None
    return Incoming(CHANNEL, user, user, text=text, kind=kind, audio=audio)


def _audio(message: dict[str, Any]) -> AudioRef | None:
    """Return the voice note of a `user_send_audio` message (`attachments[].payload.url`)."""
    attachments = message.get("attachments")
    for item in attachments if isinstance(attachments, list) else []:
        payload = item.get("payload") if isinstance(item, dict) else None
        url = payload.get("url") if isinstance(payload, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return AudioRef(url)
    return None
