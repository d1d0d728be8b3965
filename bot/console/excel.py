"""The FAQ as an Excel workbook: download it, and read an edited one back row by row."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from bot.console import edits, faqform
from bot.console.snapshot import Files

SHEET = "FAQ"
COLUMNS = faqform.FORM_FIELDS
WIDTHS = {"id": 28, "question": 40, "phrasings": 50, "answer": 70, "details": 70, "sources": 50}
MAX_ROWS = 2000


def _cell_text(key: str, value: Any) -> str:
    """Return an entry value as the text of its cell (lists one item per line)."""
    if isinstance(value, list):
        return (", " if key == "related" else "\n").join(str(v) for v in value)
    return "" if value is None else str(value)


def to_xlsx(files: Files) -> bytes:
    """Return the snapshot's FAQ entries as an .xlsx workbook, one row per entry."""
    entries = [entry for _, entry in edits.all_entries(files)]
    extra = sorted({k for e in entries for k in e if k not in COLUMNS})
    header = [*COLUMNS, *extra]
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in entries:
        sheet.append([_cell_text(k, entry.get(k)) for k in header])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # text stays text: "=..." is never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for number, key in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(1, number).column_letter].width = WIDTHS.get(key, 30)
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class RowProblem:
    """A problem in one row of an uploaded workbook."""

    row: int
    field: str
    kind: str
    message: str
    limit: object = None


class WorkbookError(ValueError):
    """The upload is not a workbook this page can read; the code says why."""


def read_xlsx(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Return (row number, cells by header) for every non-empty row of the FAQ sheet."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise WorkbookError("not_xlsx") from error
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, ())]
    if "id" not in header:
        raise WorkbookError("no_header")
    result = []
    for number, values in enumerate(rows, start=2):
        cells = {h: "" if v is None else str(v) for h, v in zip(header, values, strict=False) if h}
        if any(v.strip() for v in cells.values()):
            result.append((number, cells))
        if len(result) > MAX_ROWS:
            raise WorkbookError("too_many_rows")
    book.close()
    return result


def entries_from_rows(
    rows: list[tuple[int, dict[str, str]]], known_ids: set[str]
) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Turn rows into entries checked like content check; report problems by row number."""
    entries: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    sheet_ids = {cells.get("id", "").strip() for _, cells in rows}
    for number, cells in rows:
        form = faqform.from_form({k: cells.get(k, "") for k in COLUMNS})
        entry = faqform.to_entry(form)
        extra = {k: v for k, v in cells.items() if k not in COLUMNS and v.strip()}
        found = [RowProblem(number, p.field, p.kind, p.message, p.limit) for p in form.problems]
        if entry is not None:
            entry.update(extra)
            found += [
                RowProblem(number, p.field, p.kind, p.message, p.limit)
                for p in faqform.entry_problems(entry)
            ]
            if entry["id"] in seen:
                found.append(RowProblem(number, "id", "duplicate_row", str(seen[entry["id"]])))
            seen.setdefault(entry["id"], number)
            for related in entry["related"]:
                if related not in known_ids | sheet_ids:
                    found.append(RowProblem(number, "related", "unknown_related", related))
        problems += found
        if entry is not None and not found:
            entries.append(entry)
    return entries, problems
