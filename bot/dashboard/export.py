"""Download a dashboard table as CSV (UTF-8 with BOM, formula-safe) or as an .xlsx workbook."""

from __future__ import annotations

import csv
import io

from bot.cdht.report import safe_cell
from bot.dashboard.tables import Cell, Share, Table

FORMATS = ("csv", "xlsx")
PERCENT_FORMAT = "0.0%"


def csv_cell(value: Cell) -> object:
    """Return a cell as CSV shows it: a percentage with one decimal, text guarded."""
    if value is None:
        return ""
    if isinstance(value, Share):
        return f"{value * 100:.1f}%"
    return safe_cell(value)


def to_csv(table: Table) -> bytes:
    """Return the table as CSV in UTF-8 with a BOM, so Excel shows Vietnamese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(tables: list[Table]) -> bytes:
    """Return the tables as one workbook, a sheet each; text is never taken as a formula."""
    from openpyxl import Workbook  # imported on use: only downloads need it
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.name[:31])  # Excel's limit on sheet names
        sheet.append(list(table.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(["" if value is None else value for value in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=True):
                if isinstance(value, Share):
                    cell.number_format = PERCENT_FORMAT
                elif isinstance(value, str):
                    cell.data_type = "s"  # "=..." typed by a citizen stays text
        for column, header in zip(sheet.columns, table.headers, strict=True):
            width = max([len(str(header)), *(len(str(c.value or "")) for c in column)])
            sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
