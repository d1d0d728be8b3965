"""Edit the other curated files (programmes, events, out-of-scope themes, abbreviations)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.console import drafts, edits
from bot.console.web_common import audit_in, back, checked_form, deps_of, render, signed_in, who
from bot.content import ContentError

EDITABLE = {  # file name -> what the page calls it
    "programmes.yaml": "Chương trình, quỹ hỗ trợ học tập",
    "events.yaml": "Sự kiện có ngày",
    "out_of_scope.yaml": "Chủ đề ngoài phạm vi",
    "abbreviations.yaml": "Từ viết tắt",
}


async def file_list(request: Request) -> Response:
    """List the files editable here."""
    signed_in(request, "content")
    return render(request, "files.html", editable=EDITABLE)


def _name(request: Request) -> str | None:
    """Return the file named in the path when it is editable here."""
    name = request.path_params["name"]
    return name if name in EDITABLE else None


async def file_page(request: Request) -> Response:
    """Show one file's YAML in the editor."""
    signed_in(request, "content")
    name = _name(request)
    if name is None:
        return render(request, "error.html", status=404, problem="not_found")
    with deps_of(request).sessions() as session:
        text = drafts.working_files(session).get(name, "")
    return render(request, "file_edit.html", name=name, title=EDITABLE[name], text=text)


async def file_save(request: Request) -> Response:
    """Save the file into the draft when the whole content still passes the check."""
    user = signed_in(request, "content")
    form = await checked_form(request)
    name = _name(request)
    if name is None:
        return render(request, "error.html", status=404, problem="not_found")
    text = str(form.get("text") or "")
    deps = deps_of(request)
    try:
        with deps.sessions.begin() as session:
            drafts.apply(
                session,
                who=who(user),
                what=f"sửa {name}",
                change=lambda files: edits.put_file(files, name, text),
                now=deps.clock(),
            )
            audit_in(session, request, "console.file_save", name)
    except ContentError as error:
        return render(
            request,
            "file_edit.html",
            status=422,
            name=name,
            title=EDITABLE[name],
            text=text,
            problem=str(error),
        )
    return back(request, f"/files/{name}", "saved_to_draft")
