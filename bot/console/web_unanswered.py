"""The unanswered-questions page and its one-click actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from bot.console import drafts, edits, proposals, unanswered
from bot.console.web_common import audit_in, back, checked_form, deps_of, render, signed_in, who
from bot.content import ContentError

PERIODS = (7, 30, 0)  # days offered as filters; 0 means all time


async def page(request: Request) -> Response:
    """List the groups of unanswered and 👎 questions with the best entries beside each."""
    signed_in(request, "content")
    deps = deps_of(request)
    days = int(request.query_params.get("days", "30") or 0)
    days = days if days in PERIODS else 30
    content, index = deps.live()
    since = deps.clock() - timedelta(days=days) if days else None
    with deps.sessions() as session:
        found = unanswered.rows(session, content, index, since=since)
        draft = drafts.current(session)
        files = drafts.working_files(session)
        staff_proposals = proposals.pending(session, content)
    return render(
        request,
        "unanswered.html",
        in_draft=edits.phrasings_of(files) if draft is not None else frozenset(),
        rows=[r for r in found if r.group.disliked_id is None],
        disliked=[r for r in found if r.group.disliked_id is not None],
        entries=sorted((e.id, e.question) for e in content.faq.values()),
        themes=edits.theme_ids(files),
        days=days,
        periods=PERIODS,
        draft=draft,
        proposals=staff_proposals,
    )


async def add_phrasing(request: Request) -> Response:
    """Add the question to the draft as a phrasing of an entry."""
    signed_in(request, "content")
    form = await checked_form(request)
    faq_id, text = str(form.get("faq_id") or ""), str(form.get("text") or "").strip()
    return change_draft(
        request,
        text=text,
        what=f"thêm cách hỏi «{text}» vào mục {faq_id}",
        change=lambda files: edits.add_phrasing(files, faq_id, text),
        action="console.add_phrasing",
        detail=f"{faq_id}: {text}",
    )


async def add_out_of_scope(request: Request) -> Response:
    """Add the question to the draft as a phrasing of an out-of-scope theme."""
    signed_in(request, "content")
    form = await checked_form(request)
    theme, text = str(form.get("theme_id") or ""), str(form.get("text") or "").strip()
    return change_draft(
        request,
        text=text,
        what=f"thêm «{text}» vào chủ đề ngoài phạm vi {theme}",
        change=lambda files: edits.add_theme_phrasing(files, theme, text),
        action="console.add_out_of_scope",
        detail=f"{theme}: {text}",
    )


def change_draft(
    request: Request, *, text: str, what: str, change: drafts.Change, action: str, detail: str,
    then: Callable[[Session], object] | None = None,
) -> Response:  # fmt: skip
    """Apply a draft change with its audit row (and `then`, in the same transaction)."""
    if not text:
        return back(request, "/unanswered", "empty_text")
    deps = deps_of(request)
    author = who(request.scope["console_user"])
    try:
        with deps.sessions.begin() as session:
            drafts.apply(session, who=author, what=what, change=change, now=deps.clock())
            audit_in(session, request, action, detail)
            if then is not None:
                then(session)
    except ContentError as error:
        request.session["problem"] = str(error)
        return back(request, "/unanswered", "invalid")
    return back(request, "/unanswered", "added_to_draft")


async def dismiss(request: Request) -> Response:
    """Hide a group of questions ("bỏ qua")."""
    user = signed_in(request, "content")
    form = await checked_form(request)
    key, text = str(form.get("key") or ""), str(form.get("text") or "")
    deps = deps_of(request)
    with deps.sessions.begin() as session:
        unanswered.dismiss(session, key=key, who=who(user), now=deps.clock())
        audit_in(session, request, "console.dismiss", text)
    return back(request, "/unanswered", "dismissed")
