"""What every console page shares: its parts, templates, the signed-in user, CSRF, audit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.config import Settings
from bot.console import accounts
from bot.console.models import ConsoleUser
from bot.content import Content
from bot.db.repo_audit import audit as write_audit
from bot.matching.index import FaqIndex

if TYPE_CHECKING:
    from bot.parts import Parts

TEMPLATES = Path(__file__).parent / "templates"
AnswerPreview = Callable[[Content, str], tuple[str, list[list[str]]]]


@dataclass
class ConsoleDeps:
    """What the console needs from the running bot, handed down by the web layer."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    live: Callable[[], tuple[Content, FaqIndex]]  # the content and matcher answering now
    preview: AnswerPreview  # an entry's answer text and button rows as a citizen sees them
    reload: Callable[[], Awaitable[object]] | None = None  # swap in a new version at once
    eval_paths: list[Path] = field(default_factory=list)
    parts: Parts | None = None  # the running bot, for features the console acts through


class LoginRequired(Exception):
    """The page needs a signed-in user."""


def environment() -> Environment:
    """Return the Jinja environment of the console templates (HTML autoescaped)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    env.globals["may"] = accounts.may
    return env


def deps_of(request: Request) -> ConsoleDeps:
    """Return the console's parts."""
    return request.app.state.deps


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Render a template with the user, the CSRF token and the one-time notice."""
    env: Environment = request.app.state.env
    values.setdefault("user", request.scope.get("console_user"))
    html = env.get_template(template).render(
        request=request,
        csrf=csrf_token(request),
        root=request.scope.get("root_path", ""),
        notice=request.session.pop("notice", None),
        **values,
    )
    return HTMLResponse(html, status_code=status)


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, making one when the session has none."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """Return the posted form when it carries the session's CSRF token, else refuse (403)."""
    form = await request.form()
    given = str(form.get("csrf") or "")
    expected = request.session.get("csrf") or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        user = request.scope.get("console_user")
        if user is not None:
            record(request, "console.csrf_refused", request.url.path, result="refused")
        raise HTTPException(403, "csrf")
    return form


def signed_in(request: Request, permission: str | None = None) -> ConsoleUser:
    """Return the signed-in user holding the permission; else go to login or refuse."""
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        raise LoginRequired
    with deps_of(request).sessions() as session:
        user = session.get(ConsoleUser, user_id)
    if user is None or request.session.get("key") != session_key(user):
        request.session.clear()
        raise LoginRequired
    request.scope["console_user"] = user
    if permission is not None and not accounts.may(user.role, permission):
        record(request, "console.refused", request.url.path, result="refused")
        raise HTTPException(403, "role")
    return user


def session_key(user: ConsoleUser) -> str:
    """Return what ties a session to the account's password: a new password signs it out."""
    return hashlib.sha256(f"{user.name}:{user.password_hash}".encode()).hexdigest()[:32]


def who(user: ConsoleUser) -> str:
    """Return how the audit log names a console user."""
    return f"console:{user.name}"


def record(request: Request, action: str, detail: str = "", result: str = "ok") -> None:
    """Write one audit row for the signed-in user, in its own transaction."""
    user = request.scope.get("console_user")
    name = who(user) if user is not None else "console:?"
    deps = deps_of(request)
    with deps.sessions.begin() as session:
        write_audit(
            session, who=name, action=action, detail=detail, result=result, now=deps.clock()
        )


def audit_in(session: Session, request: Request, action: str, detail: str) -> None:
    """Write an audit row in the caller's transaction (with the change it records)."""
    user = request.scope["console_user"]
    now = deps_of(request).clock()
    write_audit(session, who=who(user), action=action, detail=detail, result="ok", now=now)


def back(request: Request, path: str, notice: str | None = None) -> Response:
    """Redirect after a POST, with a notice code the next page shows once."""
    if notice:
        request.session["notice"] = notice
    return RedirectResponse(request.scope.get("root_path", "") + path, 303)
