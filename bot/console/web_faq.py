"""The FAQ editor: list and search entries, edit one with checks beside each field, preview."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.console import drafts, edits, faqform
from bot.console.snapshot import Files, load_files
from bot.console.web_common import audit_in, back, checked_form, deps_of, render, signed_in, who
from bot.content import ContentError
from bot.content.faq import ANSWER_MAX_CHARS
from bot.matching.normalize import fold


async def entry_list(request: Request) -> Response:
    """List the draft's (else the published) entries, filtered by a search."""
    signed_in(request, "content")
    query = request.query_params.get("q", "").strip()
    with deps_of(request).sessions() as session:
        entries = edits.all_entries(drafts.working_files(session))
    if query:
        wanted = fold(query)
        entries = [(n, e) for n, e in entries if wanted in fold(_searchable(e))]
    return render(request, "faq_list.html", entries=entries, query=query)


def _searchable(entry: dict) -> str:
    """Return the text an entry is found by."""
    parts = [entry.get("id"), entry.get("question"), entry.get("answer")]
    parts += list(entry.get("phrasings") or [])
    return " ".join(str(p) for p in parts if p)


async def edit_page(request: Request) -> Response:
    """Show an entry in the editor, or a new one (prefilled with ?question=)."""
    signed_in(request, "content")
    faq_id = request.path_params.get("faq_id")
    with deps_of(request).sessions() as session:
        files = drafts.working_files(session)
    if faq_id is None:
        question = request.query_params.get("question", "").strip()
        form = faqform.from_entry({"question": question[:80], "phrasings": [question]})
        return _editor(request, form, files, new=True)
    found = edits.find_entry(files, faq_id)
    if found is None:
        return render(request, "error.html", status=404, problem="not_found")
    return _editor(request, faqform.from_entry(found[1]), files, new=False, entry=found[1])


async def save(request: Request) -> Response:
    """Preview or save an entry into the draft; on a problem show it beside its field."""
    user = signed_in(request, "content")
    posted = await checked_form(request)
    old_id = request.path_params.get("faq_id")
    form = faqform.from_form(posted)
    if old_id is not None:
        form.values["id"] = old_id  # an id is fixed once published: buttons and sets use it
    entry = faqform.to_entry(form)
    deps = deps_of(request)
    with deps.sessions() as session:
        files = drafts.working_files(session)
    if entry is None or posted.get("action") != "save":
        return _editor(request, form, files, new=old_id is None, entry=entry)
    if old_id is None and edits.find_entry(files, entry["id"]) is not None:
        form.problems.append(faqform.Problem("id", "duplicate", "duplicate id"))
        return _editor(request, form, files, new=True)
    try:
        with deps.sessions.begin() as session:
            drafts.apply(
                session,
                who=who(user),
                what=f"{'sửa' if old_id else 'thêm'} mục {entry['id']}",
                change=lambda current: edits.put_entry(current, entry, old_id=old_id),
                now=deps.clock(),
            )
            audit_in(session, request, "console.faq_save", entry["id"])
    except ContentError as error:
        form.problems.append(faqform.content_problem(str(error)))
        return _editor(request, form, files, new=old_id is None)
    return back(request, f"/faq/{entry['id']}", "saved_to_draft")


def _editor(
    request: Request,
    form: faqform.EntryForm,
    files: Files,
    *,
    new: bool,
    entry: dict | None = None,
) -> Response:
    """Render the editor with its problems and the phone preview of the answer."""
    preview = None
    if entry is not None:
        try:
            candidate = load_files(
                edits.put_entry(files, entry, old_id=None if new else entry["id"])
            )
            preview = deps_of(request).preview(candidate, entry["id"])
        except ContentError as error:
            form.problems.append(faqform.content_problem(str(error)))
    status = 422 if form.problems else 200
    return render(
        request,
        "faq_edit.html",
        status=status,
        form=form,
        new=new,
        preview=preview,
        answer_limit=ANSWER_MAX_CHARS,
    )
