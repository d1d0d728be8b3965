"""Sign in, sign out and the start page."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.console import accounts
from bot.console.web_common import (
    back,
    checked_form,
    deps_of,
    record,
    render,
    session_key,
    signed_in,
)


async def login_page(request: Request) -> Response:
    """Show the sign-in form."""
    return render(request, "login.html")


async def login(request: Request) -> Response:
    """Check the name and password; limit attempts per address and lock repeated failures."""
    form = await checked_form(request)
    name = str(form.get("name") or "").strip()[:64]
    deps = deps_of(request)
    address = request.client.host if request.client else "?"
    if not request.app.state.login_limiter.allow(address):
        record(request, "console.login", f"{name} from {address}: too many tries", "refused")
        return render(request, "login.html", status=429, error="too_many", name=name)
    settings = deps.settings
    with deps.sessions.begin() as session:
        result = accounts.authenticate(
            session,
            name=name,
            password=str(form.get("password") or ""),
            now=deps.clock(),
            max_failed=settings.console_max_failed_logins,
            lockout=timedelta(minutes=settings.console_lockout_minutes),
        )
        user = result.user
        if user is not None:
            request.session.clear()  # a fresh session (and CSRF token) after sign-in
            request.session.update({"uid": user.id, "name": user.name, "key": session_key(user)})
            request.scope["console_user"] = user
    if user is None:
        record(request, "console.login", f"{name} from {address}: {result.outcome}", "refused")
        status = 423 if result.outcome == "locked" else 401
        return render(request, "login.html", status=status, error=result.outcome, name=name)
    record(request, "console.login", f"from {address}")
    return back(request, "/")


async def logout(request: Request) -> Response:
    """Sign out."""
    await checked_form(request)
    signed_in(request)
    record(request, "console.logout")
    request.session.clear()
    return RedirectResponse(request.scope.get("root_path", "") + "/login", 303)


async def home(request: Request) -> Response:
    """Show what the signed-in user can do."""
    signed_in(request)
    return render(request, "home.html")
