"""The /taidulieu file: every row about the citizen under Vietnamese labels, in one time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

Label = Callable[[str], str]


def labelled(
    tables: dict[str, list[dict[str, Any]]], table_label: Label, column_label: Label, zone: tzinfo
) -> dict[str, list[dict[str, Any]]]:
    """Rename tables and columns by their labels and give every time in the one zone."""
    return {
        table_label(table): [
            {column_label(column): local(value, zone) for column, value in row.items()}
            for row in rows
        ]
        for table, rows in tables.items()
    }


def local(value: Any, zone: tzinfo) -> Any:
    """Return a moment in the zone (ISO 8601 with its offset); other values unchanged."""
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    return value
