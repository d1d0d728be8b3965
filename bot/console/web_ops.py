"""The operations pages' routes: dashboard, notices, tickets, QR posters and the audit log."""

from __future__ import annotations

from starlette.routing import Route

from bot.console import web_audit, web_codes, web_dashboard

OPS_ROUTES = [
    Route("/", web_dashboard.home, name="console_dashboard"),
    Route("/dashboard/{file}", web_dashboard.download),
    Route("/codes", web_codes.page, methods=["GET"]),
    Route("/codes", web_codes.create, methods=["POST"]),
    Route("/codes/{code}/poster.png", web_codes.poster),
    Route("/codes/{code}/qr.png", web_codes.qr),
    Route("/audit", web_audit.page),
]
