"""One ASGI web app for webhooks and the health check."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

log = logging.getLogger(__name__)

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UpdateSink = Callable[[dict], Awaitable[None]]


def secrets_match(given: str | None, expected: str | None) -> bool:
    """Compare a secret header in constant time; a missing one never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def telegram_webhook(secret: str, sink: UpdateSink) -> Callable[[Request], Awaitable[Response]]:
    """Return an endpoint that accepts Telegram updates carrying the right secret."""
    return secret_webhook("telegram", TELEGRAM_SECRET_HEADER, secret, sink)


def secret_webhook(
    name: str, header: str, secret: str | None, sink: UpdateSink
) -> Callable[[Request], Awaitable[Response]]:
    """Return an endpoint that hands JSON objects carrying the right secret header to a sink."""

    async def endpoint(request: Request) -> Response:
        if not secrets_match(request.headers.get(header), secret):
            log.warning("%s webhook: refused a request without the right secret", name)
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = await request.json()
        except ValueError:
            return PlainTextResponse("bad request", status_code=400)
        if not isinstance(data, dict):
            return PlainTextResponse("bad request", status_code=400)
        await sink(data)
        return PlainTextResponse("ok")

    return endpoint


async def health(_request: Request) -> Response:
    """Answer the health check."""
    return JSONResponse({"status": "ok"})


def build_web_app(routes: list[BaseRoute]) -> Starlette:
    """Build the web app from channel routes plus the health endpoint."""
    return Starlette(routes=[Route("/health", health, methods=["GET"]), *routes])
