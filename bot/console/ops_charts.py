"""Horizontal bars for the dashboard's tables, drawn as inline SVG by the templates."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dashboard.tables import Share, Table

# Per table: the column drawn as bars and the column shown beside each bar (or None).
CHARTED: dict[str, tuple[int, int | None]] = {
    "cau-hoi": (1, 2),
    "muc-hoi-nhieu": (2, None),
    "nguoi-dan": (1, None),
    "nguon": (2, 3),
    "cdht-nhom": (1, 4),
    "cdht-xa": (1, 4),
    "buoc-dang-ky": (1, 3),
    "buoc-tu-danh-gia": (1, 3),
}
MAX_BARS = 15
TOTAL = "Tổng"  # a table's sum row is listed, not drawn
ROW_HEIGHT = 46


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, width in percent of the widest, and the text beside it."""

    label: str
    value: int
    width: float
    note: str


def shown(value: object) -> str:
    """Return a cell as the page shows it: a percentage, a number or text."""
    if value is None:
        return ""
    if isinstance(value, Share):
        return f"{value * 100:.1f}%".replace(".", ",")
    return str(value)


def bars(table: Table) -> list[Bar]:
    """Return the bars of a table (none for tables without numbers to draw)."""
    if table.name not in CHARTED:
        return []
    column, note = CHARTED[table.name]
    rows = [r for r in table.rows if isinstance(r[column], int) and r[0] != TOTAL][:MAX_BARS]
    top = max((int(row[column]) for row in rows), default=0) or 1  # type: ignore[arg-type]
    label_column = 1 if table.name == "muc-hoi-nhieu" else 0
    return [
        Bar(
            label=str(row[label_column]),
            value=int(row[column]),  # type: ignore[arg-type]
            width=round(100 * int(row[column]) / top, 1),  # type: ignore[arg-type]
            note=shown(row[note]) if note is not None else "",
        )
        for row in rows
    ]


def height(items: list[Bar]) -> int:
    """Return the SVG height for the bars."""
    return max(len(items), 1) * ROW_HEIGHT
