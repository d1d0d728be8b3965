"""The operations pages' routes: dashboard, notices, tickets, QR posters and the audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.console import web_audit, web_codes, web_dashboard, web_notices, web_tickets
from bot.console.web_common import TEMPLATES


async def script(_request: Request) -> Response:
    """Serve the operations pages' one script (the live recipient count)."""
    code = (TEMPLATES / "ops.js").read_text(encoding="utf-8")
    return Response(code, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})


OPS_ROUTES = [
    Route("/", web_dashboard.home, name="console_dashboard"),
    Route("/dashboard/{file}", web_dashboard.download),
    Route("/codes", web_codes.page, methods=["GET"]),
    Route("/codes", web_codes.create, methods=["POST"]),
    Route("/codes/{code}/poster.png", web_codes.poster),
    Route("/codes/{code}/qr.png", web_codes.qr),
    Route("/audit", web_audit.page),
    Route("/ops.js", script),
    Route("/notices", web_notices.notice_list),
    Route("/notices/new", web_notices.compose_page),
    Route("/notices/count", web_notices.count),
    Route("/notices/preview", web_notices.preview, methods=["POST"]),
    Route("/notices/send", web_notices.send, methods=["POST"]),
    Route("/notices/{number:int}", web_notices.notice_page),
    Route("/notices/{number:int}/stop", web_notices.stop, methods=["POST"]),
    Route("/tickets", web_tickets.ticket_list),
    Route("/tickets/{number:int}", web_tickets.ticket_page, methods=["GET"]),
    Route("/tickets/{number:int}/answer", web_tickets.answer, methods=["POST"]),
    Route("/tickets/{number:int}/close", web_tickets.close, methods=["POST"]),
]
