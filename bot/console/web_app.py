"""The console's web app: its routes, signed session cookies and error pages."""

from __future__ import annotations

from datetime import datetime, tzinfo

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.console import (
    web_auth,
    web_excel,
    web_faq,
    web_files,
    web_proposals,
    web_publish,
    web_unanswered,
)
from bot.console.ratelimit import RateLimiter
from bot.console.web_common import TEMPLATES, ConsoleDeps, LoginRequired, environment, render
from bot.console.web_ops import OPS_ROUTES

SESSION_COOKIE = "khuyenhoc_console"
MAX_BODY_BYTES = 6 * 1024 * 1024  # an Excel upload of up to 5 MB and the form around it
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


async def stylesheet(_request: Request) -> Response:
    """Serve the console's one stylesheet."""
    css = (TEMPLATES / "console.css").read_text(encoding="utf-8")
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


async def _to_login(request: Request, _error: Exception) -> Response:
    """Send a visitor who is not signed in to the sign-in page."""
    return RedirectResponse(request.scope.get("root_path", "") + "/login", 303)


async def _refused(request: Request, error: Exception) -> Response:
    """Explain a refusal (wrong role, stale form) or a missing page in Vietnamese."""
    assert isinstance(error, HTTPException)
    return render(request, "error.html", status=error.status_code, problem=error.detail)


def local_time(moment: datetime | str, tz: tzinfo) -> str:
    """Return a stored UTC moment (or its ISO text) as local day and time."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M")


class SecurityHeaders:
    """Add the console's security headers to every response."""

    def __init__(self, app: object) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        """Pass the request on, adding headers to the response start."""

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in names:
                        headers.append((name.lower().encode(), value.encode()))
                message["headers"] = headers
            await send(message)  # type: ignore[operator]

        await self.app(scope, receive, send_with_headers)  # type: ignore[operator]


ROUTES = [
    *OPS_ROUTES,  # the dashboard (at "/"), notices, tickets, QR posters and the audit log
    Route("/console.css", stylesheet),
    Route("/login", web_auth.login_page, methods=["GET"]),
    Route("/login", web_auth.login, methods=["POST"]),
    Route("/logout", web_auth.logout, methods=["POST"]),
    Route("/unanswered", web_unanswered.page),
    Route("/unanswered/phrasing", web_unanswered.add_phrasing, methods=["POST"]),
    Route("/unanswered/out-of-scope", web_unanswered.add_out_of_scope, methods=["POST"]),
    Route("/unanswered/dismiss", web_unanswered.dismiss, methods=["POST"]),
    Route("/proposals/{number:int}/accept", web_proposals.accept, methods=["POST"]),
    Route("/proposals/{number:int}/dismiss", web_proposals.dismiss, methods=["POST"]),
    Route("/faq", web_faq.entry_list),
    Route("/faq/new", web_faq.edit_page, methods=["GET"]),
    Route("/faq/new", web_faq.save, methods=["POST"]),
    Route("/faq/{faq_id}", web_faq.edit_page, methods=["GET"]),
    Route("/faq/{faq_id}", web_faq.save, methods=["POST"]),
    Route("/files", web_files.file_list),
    Route("/files/{name}", web_files.file_page, methods=["GET"]),
    Route("/files/{name}", web_files.file_save, methods=["POST"]),
    Route("/excel", web_excel.page),
    Route("/excel/faq.xlsx", web_excel.download),
    Route("/excel/upload", web_excel.upload, methods=["POST"]),
    Route("/draft", web_publish.draft_page),
    Route("/draft/publish", web_publish.publish, methods=["POST"]),
    Route("/draft/discard", web_publish.discard, methods=["POST"]),
    Route("/versions", web_publish.history),
    Route("/versions/{number:int}", web_publish.version_page),
    Route("/versions/{number:int}/restore", web_publish.restore, methods=["POST"]),
    Route("/start", web_auth.home, name="console_home"),
]


def build_console_app(deps: ConsoleDeps, *, mount_path: str = "/console") -> Starlette:
    """Return the console app, to be mounted at `mount_path` of the bot's web server."""
    settings = deps.settings
    if not settings.console_secret_key or len(settings.console_secret_key) < 32:
        raise ValueError("CONSOLE_SECRET_KEY must have at least 32 characters")
    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=settings.console_secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=int(settings.console_session_hours * 3600),
                path=mount_path,
                same_site="strict",
                https_only=settings.console_cookie_secure,
            ),
        ],
        exception_handlers={LoginRequired: _to_login, HTTPException: _refused},
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.deps = deps
    app.state.env = environment()
    app.state.env.filters["local"] = lambda moment: local_time(moment, settings.tz)
    app.state.login_limiter = RateLimiter()
    return app
