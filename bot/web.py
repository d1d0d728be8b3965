"""One ASGI web app for webhooks, the health and readiness checks and the metrics."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.db.repo_inbox import Received

if TYPE_CHECKING:
    from bot.messaging.core import MessagingCore

log = logging.getLogger(__name__)

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1_000_000
Parse = Callable[[dict[str, Any]], Received | None]
Endpoint = Callable[[Request], Awaitable[Response]]


def secrets_match(given: str | None, expected: str | None) -> bool:
    """Compare a secret header in constant time; a missing one never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """Read the raw body; None when it exceeds the limit (judged first by Content-Length)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    parts: list[bytes] = []
    size = 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            return None
        parts.append(part)
    return b"".join(parts)


def too_large() -> Response:
    """Answer a body over the limit."""
    return PlainTextResponse("too large", status_code=413)


async def store_update(name: str, core: MessagingCore, item: Received | None) -> Response:
    """Store an update before answering 200; a body that is not an update is only logged."""
    if item is None:
        log.warning("%s webhook: acknowledged a body that is not an update", name)
        return PlainTextResponse("ok")
    try:
        await core.intake([item])
    except Exception:
        log.exception("%s webhook: could not store the update; the messenger will retry", name)
        return PlainTextResponse("unavailable", status_code=503)
    return PlainTextResponse("ok")


def secret_webhook(
    name: str, header: str, secret: str | None, parse: Parse, core: MessagingCore
) -> Endpoint:
    """Return an endpoint storing the updates that carry the right secret header."""

    async def endpoint(request: Request) -> Response:
        if not secrets_match(request.headers.get(header), secret):
            log.warning("%s webhook: refused a request without the right secret", name)
            return PlainTextResponse("forbidden", status_code=403)
        raw = await read_limited(request)
        if raw is None:
            return too_large()
        try:
            data = json.loads(raw)
        except ValueError:
            return PlainTextResponse("bad request", status_code=400)
        try:
            item = parse(data) if isinstance(data, dict) else None
        except Exception:  # noqa: BLE001 - never a 500 the messenger would retry forever
            log.exception("%s webhook: could not read the body", name)
            item = None
        return await store_update(name, core, item)

    return endpoint


async def health(_request: Request) -> Response:
    """Answer the liveness check."""
    return JSONResponse({"status": "ok"})


def readiness(core: MessagingCore) -> Endpoint:
    """Return the readiness check: the database answers; the inbox and outbox lag."""

    async def ready(_request: Request) -> Response:
        try:
            lag = await asyncio.to_thread(core.lag)
        except Exception as error:  # noqa: BLE001 - any database failure means not ready
            log.warning("not ready: %s", error)
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", **lag})

    return ready


def metrics(core: MessagingCore) -> Endpoint:
    """Return the Prometheus metrics endpoint."""

    async def endpoint(_request: Request) -> Response:
        body = await asyncio.to_thread(core.metrics.render)
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    return endpoint


def build_web_app(routes: list[BaseRoute], core: MessagingCore | None = None) -> Starlette:
    """Build the web app from channel routes plus /health (and /ready, /metrics)."""
    served = [Route("/health", health, methods=["GET"])]
    if core is not None:
        served.append(Route("/ready", readiness(core), methods=["GET"]))
        served.append(Route("/metrics", metrics(core), methods=["GET"]))
    return Starlette(routes=[*served, *routes])
