"""Short-lived, unguessable download links served by the bot's web server.

For files a messenger cannot carry itself (the Zalo Bot API takes a photo only by URL and
has no documents; Zalo OA may refuse a file type). The link holds 256 random bits; only
their SHA-256 is stored, next to the file, until DOWNLOAD_LINK_MINUTES have passed. Expired
links are deleted when a new one is made, when one is opened and by `prune`.
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.db import repo_zalo
from bot.messages import Attachment

if TYPE_CHECKING:
    from bot.parts import Parts as App

PATH = "/tai/{token}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_link(app: App) -> bool:
    """Return whether links can be made (the public address of the web server is set)."""
    return bool(app.settings.public_base_url)


def make_link(app: App, attachment: Attachment) -> str:
    """Store the file and return its public URL, valid for DOWNLOAD_LINK_MINUTES."""
    base = (app.settings.public_base_url or "").rstrip("/")
    if not base:
        raise ValueError("PUBLIC_BASE_URL is not set")
    token = secrets.token_urlsafe(32)
    now = app.now()
    until = now + timedelta(minutes=app.settings.download_link_minutes)
    with app.sessions.begin() as session:
        repo_zalo.add_link(
            session,
            token_hash=_hash(token),
            filename=attachment.filename,
            data=attachment.data,
            now=now,
            until=until,
        )
    return f"{base}{PATH.format(token=token)}"


def route(app: App) -> Route:
    """Return the web route that serves the files behind valid links."""

    def load(token: str) -> tuple[str, bytes] | None:
        with app.sessions.begin() as session:
            link = repo_zalo.open_link(session, token_hash=_hash(token), now=app.now())
            return None if link is None else (link.filename, link.data)

    async def serve(request: Request) -> Response:
        found = await asyncio.to_thread(load, request.path_params["token"])
        if found is None:
            return PlainTextResponse("not found or expired", status_code=404)
        filename, data = found
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        disposition = "inline" if kind.startswith("image/") else "attachment"
        headers = {
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        }
        return Response(data, media_type=kind, headers=headers)

    return Route(PATH, serve, methods=["GET"])


def prune(app: App) -> int:
    """Delete every expired link; return how many."""
    with app.sessions.begin() as session:
        return repo_zalo.prune_links(session, now=app.now())
