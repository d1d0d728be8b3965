"""Download the FAQ as Excel, and upload an edited workbook into the draft."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from bot.console import drafts, edits, excel
from bot.console.snapshot import Files
from bot.console.web_common import audit_in, back, checked_form, deps_of, render, signed_in, who
from bot.content import ContentError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def page(request: Request) -> Response:
    """Show the download link and the upload form."""
    signed_in(request, "content")
    return render(request, "excel.html")


async def download(request: Request) -> Response:
    """Send the draft's (or the published) FAQ as an .xlsx file."""
    signed_in(request, "content")
    with deps_of(request).sessions() as session:
        data = excel.to_xlsx(drafts.working_files(session))
    headers = {"Content-Disposition": 'attachment; filename="faq.xlsx"'}
    return Response(data, media_type=XLSX_TYPE, headers=headers)


async def upload(request: Request) -> Response:
    """Read an edited workbook; with no bad row, put the changed entries into the draft."""
    user = signed_in(request, "content")
    form = await checked_form(request)
    upload_file = form.get("file")
    if not isinstance(upload_file, UploadFile):
        return render(request, "excel.html", status=422, failure="no_file")
    data = await upload_file.read(MAX_UPLOAD_BYTES + 1)
    await form.close()
    if len(data) > MAX_UPLOAD_BYTES:
        return render(request, "excel.html", status=413, failure="too_big")
    deps = deps_of(request)
    with deps.sessions() as session:
        files = drafts.working_files(session)
    try:
        rows = excel.read_xlsx(data)
    except excel.WorkbookError as error:
        return render(request, "excel.html", status=422, failure=str(error))
    known = {str(e.get("id")) for _, e in edits.all_entries(files)}
    entries, problems = excel.entries_from_rows(rows, known)
    if problems:
        return render(request, "excel.html", status=422, problems=problems, rows=len(rows))
    changed = [e for e in entries if _differs(files, e)]
    if not changed:
        return back(request, "/excel", "excel_unchanged")
    added = sum(1 for e in changed if e["id"] not in known)

    def change(current: Files) -> Files:
        for entry in changed:
            current = edits.put_entry(current, entry)
        return current

    what = f"Excel: sửa {len(changed) - added} mục, thêm {added} mục"
    try:
        with deps.sessions.begin() as session:
            drafts.apply(session, who=who(user), what=what, change=change, now=deps.clock())
            audit_in(session, request, "console.excel_upload", ", ".join(e["id"] for e in changed))
    except ContentError as error:
        return render(request, "excel.html", status=422, failure="content", problem=str(error))
    return back(request, "/draft", "excel_loaded")


def _comparable(entry: dict) -> dict:
    """Return an entry's non-empty values as text, for comparing a row with an entry."""
    return {
        key: [str(v) for v in value] if isinstance(value, list) else str(value).strip()
        for key, value in entry.items()
        if value not in (None, "", [])
    }


def _differs(files: Files, entry: dict) -> bool:
    """Return whether an uploaded entry differs from the one in the snapshot."""
    found = edits.find_entry(files, entry["id"])
    return found is None or _comparable(found[1]) != _comparable(entry)
