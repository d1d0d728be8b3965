"""Zalo OA attachments: upload an image (≤ 1 MB) or a file, then the message that carries it."""

from __future__ import annotations

import mimetypes
from typing import Any

from bot.messages import Attachment

IMAGE_LIMIT = 1_000_000  # zalo-facts: upload/image takes images up to 1 MB
IMAGE_TYPES = {"image/png", "image/jpeg"}
UPLOAD_IMAGE = "/v2.0/oa/upload/image"
UPLOAD_FILE = "/v2.0/oa/upload/file"


def is_uploadable_image(attachment: Attachment) -> bool:
    """Return whether the attachment goes up as an image (PNG/JPEG within 1 MB)."""
    kind = mimetypes.guess_type(attachment.filename)[0]
    return attachment.is_image and kind in IMAGE_TYPES and len(attachment.data) <= IMAGE_LIMIT


def upload_path(attachment: Attachment) -> str:
    """Return the upload endpoint for the attachment (an image too large goes as a file)."""
    return UPLOAD_IMAGE if is_uploadable_image(attachment) else UPLOAD_FILE


def upload_form(attachment: Attachment) -> dict[str, tuple[str, bytes, str]]:
    """Return the multipart `file` field for an upload."""
    kind = mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream"
    return {"file": (attachment.filename, attachment.data, kind)}


def uploaded_id(path: str, data: dict[str, Any]) -> str:
    """Return what an upload gave back: an image's attachment_id, a file's token."""
    key = "attachment_id" if path == UPLOAD_IMAGE else "token"
    return str(data.get(key) or "")


def attachment_message(path: str, uploaded: str, caption: str) -> dict[str, Any]:
    """Build the message that shows an uploaded image (with its caption) or file."""
    if path == UPLOAD_IMAGE:
        element = {"media_type": "image", "attachment_id": uploaded}
        payload = {"template_type": "media", "elements": [element]}
        message: dict[str, Any] = {"attachment": {"type": "template", "payload": payload}}
        if caption:
            message["text"] = caption
        return message
    return {"attachment": {"type": "file", "payload": {"token": uploaded}}}
