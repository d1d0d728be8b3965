"""The draft with its figures, publishing, the version history and restoring."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from bot.console import drafts, publishing, versions
from bot.console.web_common import audit_in, back, checked_form, deps_of, render, signed_in, who


def _draft_view(request: Request) -> dict:
    """Read the draft, its diff against the version in force, and its figures."""
    deps = deps_of(request)
    with deps.sessions() as session:
        draft = drafts.current(session)
        version = versions.latest(session)
        if draft is None or version is None:
            return {"draft": None}
        measured = publishing.measure_draft(session, deps.eval_paths)
        return {
            "draft": draft,
            "measured": measured,
            "diff": publishing.diff(version.files, draft.files),
            "base": version.number,
        }


async def draft_page(request: Request) -> Response:
    """Show the draft's changes, its diff and the before/after figures."""
    signed_in(request, "content")
    view = await asyncio.to_thread(_draft_view, request)
    return render(request, "draft.html", sets=deps_of(request).eval_paths, **view)


async def publish(request: Request) -> Response:
    """Publish the draft; a worse figure needs the confirmation box ticked."""
    user = signed_in(request, "content")
    form = await checked_form(request)
    deps = deps_of(request)

    def work() -> int:
        with deps.sessions.begin() as session:
            version = publishing.publish(
                session,
                author=who(user),
                paths=deps.eval_paths,
                confirmed=form.get("confirm") == "yes",
                seen=str(form.get("seen") or ""),
                now=deps.clock(),
            )
            audit_in(session, request, "console.publish", _summary(version))
            return version.number

    try:
        number = await asyncio.to_thread(work)
    except publishing.PublishRefused as refusal:
        return back(request, "/draft", f"publish_{refusal}")
    if deps.reload is not None:
        await deps.reload()
    request.session["published"] = number
    return back(request, f"/versions/{number}", "published")


def _summary(version: object) -> str:
    """Return the audit detail of a published version."""
    changes = getattr(version, "changes", [])
    lines = "; ".join(str(c.get("what")) for c in changes)
    return f"version {getattr(version, 'number', '?')}: {lines}"


async def discard(request: Request) -> Response:
    """Drop the draft."""
    signed_in(request, "content")
    await checked_form(request)
    deps = deps_of(request)
    with deps.sessions.begin() as session:
        if drafts.discard(session):
            audit_in(session, request, "console.draft_discard", "")
    return back(request, "/draft", "discarded")


async def history(request: Request) -> Response:
    """List the published versions, newest first."""
    signed_in(request, "content")
    with deps_of(request).sessions() as session:
        found = versions.history(session)
    return render(request, "versions.html", versions=found)


async def version_page(request: Request) -> Response:
    """Show one version: who published it, its changes, figures and diff."""
    signed_in(request, "content")
    number = request.path_params["number"]
    with deps_of(request).sessions() as session:
        version = versions.get(session, number)
        previous = versions.get(session, number - 1)
        in_force = versions.latest_number(session)
        if previous is not None:
            previous.files  # noqa: B018 - read while the session is open
    if version is None:
        return render(request, "error.html", status=404, problem="not_found")
    changes = publishing.diff(previous.files, version.files) if previous else []
    return render(request, "version.html", version=version, diff=changes, in_force=in_force)


async def restore(request: Request) -> Response:
    """Publish an old version's content again."""
    user = signed_in(request, "content")
    await checked_form(request)
    deps = deps_of(request)
    number = request.path_params["number"]
    try:
        with deps.sessions.begin() as session:
            version = publishing.restore(
                session, number=number, author=who(user), now=deps.clock()
            )
            audit_in(session, request, "console.restore", f"version {number} -> {version.number}")
            new_number = version.number
    except publishing.PublishRefused:
        return render(request, "error.html", status=404, problem="not_found")
    if deps.reload is not None:
        await deps.reload()
    return back(request, f"/versions/{new_number}", "restored")
