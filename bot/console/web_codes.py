"""The QR page: entry codes for a xã/phường or a campaign, their links, QR codes and posters."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.campaigns import repo, service
from bot.campaigns.poster import poster_png, qr_png, qr_svg
from bot.campaigns.repo import CodeError
from bot.cdht.chart import find_font
from bot.console.web_common import audit_in, back, checked_form, deps_of, render, signed_in

PERMISSION = "codes"


async def page(request: Request, problem: str | None = None, status: int = 200) -> Response:
    """List the codes with their links and QR codes, and the form for a new one."""
    signed_in(request, PERMISSION)
    deps = deps_of(request)
    content, _ = deps.live()
    with deps.sessions() as session:
        codes = repo.list_codes(session)
    rows = []
    for entry in codes:
        links = service.links_of(deps.settings, entry.code)
        rows.append((entry, links, qr_svg(links.telegram) if links.telegram else None))
    places = [place.label for place in content.section("places").units]
    return render(
        request, "codes.html", status=status, rows=rows, problem=problem, places=places,
        username=deps.settings.telegram_bot_username,
    )  # fmt: skip


async def create(request: Request) -> Response:
    """Create a code from the form; say why when it cannot be made."""
    user = signed_in(request, PERMISSION)
    form = await checked_form(request)
    deps = deps_of(request)
    content, _ = deps.live()
    code = str(form.get("code") or "").strip()
    try:
        with deps.sessions.begin() as session:
            entry = service.create_code(
                session, content, code=code, title=str(form.get("title") or ""),
                place=str(form.get("place") or "") or None, created_by=f"console:{user.name}",
                now=deps.clock(),
            )  # fmt: skip
            audit_in(session, request, "console.code_add", f"{entry.code}: {entry.title}")
    except CodeError as error:
        return await page(request, problem=str(error), status=400)
    return back(request, "/codes", "code_added")


def _entry(request: Request) -> object:
    """Return the active code of the path, or 404."""
    with deps_of(request).sessions() as session:
        entry = repo.get_code(session, request.path_params["code"])
    if entry is None:
        raise HTTPException(404, "not_found")
    return entry


async def poster(request: Request) -> Response:
    """Send the code's A4 poster as PNG."""
    signed_in(request, PERMISSION)
    deps = deps_of(request)
    entry = _entry(request)
    links = service.links_of(deps.settings, entry.code)  # type: ignore[attr-defined]
    if links.telegram is None:
        raise HTTPException(409, "no_username")
    content, _ = deps.live()
    data = poster_png(
        links, place=entry.place_name, title=entry.title,  # type: ignore[attr-defined]
        text=content.messages.text, font_path=find_font(deps.settings.chart_font),
    )  # fmt: skip
    name = f'attachment; filename="poster-{entry.code}.png"'  # type: ignore[attr-defined]
    return Response(data, media_type="image/png", headers={"Content-Disposition": name})


async def qr(request: Request) -> Response:
    """Send the QR code of the code's Telegram link as PNG."""
    signed_in(request, PERMISSION)
    entry = _entry(request)
    links = service.links_of(deps_of(request).settings, entry.code)  # type: ignore[attr-defined]
    if links.telegram is None:
        raise HTTPException(409, "no_username")
    return Response(qr_png(links.telegram), media_type="image/png")
