"""`khuyenhoc dashboard`: the dashboard's tables in the terminal, as CSV or as .xlsx."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.campaigns.commands import offline
from bot.dashboard.export import csv_cell, to_csv, to_xlsx
from bot.dashboard.period import KINDS
from bot.dashboard.service import dashboard_of, tables_of


def add_arguments(sub: Any) -> None:
    """Add the `dashboard` command to the parser."""
    board = sub.add_parser("dashboard", help="how the bot served citizens, as tables")
    board.add_argument("--period", choices=KINDS, default="week", help="default: week")
    board.add_argument("--channel", default=None, help="one channel (telegram, zalo, ...)")
    board.add_argument("--csv", default=None, metavar="TABLE", help="write one table as CSV")
    board.add_argument("--xlsx", default=None, metavar="FILE", help="write every table")


def cmd_dashboard(args: argparse.Namespace, settings: Any) -> int:
    """Print the tables, or write one as CSV (to stdout) or all as a workbook."""
    parts = offline(settings)
    try:
        board = dashboard_of(
            parts.sessions, parts.content, now=parts.now(), tz=settings.tz,
            kind=args.period, channel=args.channel,
        )  # fmt: skip
        found = tables_of(parts.content, board)
    finally:
        parts.engine.dispose()
    if args.xlsx:
        with open(args.xlsx, "wb") as handle:
            handle.write(to_xlsx(found))
        print(f"{len(found)} tables written to {args.xlsx}", file=sys.stderr)  # noqa: T201
        return 0
    if args.csv:
        table = next((t for t in found if t.name == args.csv), None)
        if table is None:
            names = ", ".join(t.name for t in found)
            print(f"error: no table {args.csv!r}; one of {names}", file=sys.stderr)  # noqa: T201
            return 2
        sys.stdout.buffer.write(to_csv(table))
        return 0
    print(f"{board.period.label(settings.tz)}  ({args.channel or 'mọi kênh'})")  # noqa: T201
    for table in found:
        print(f"\n[{table.name}] {table.title}")  # noqa: T201
        print(" | ".join(table.headers))  # noqa: T201
        for row in table.rows:
            print(" | ".join(str(csv_cell(cell)) for cell in row))  # noqa: T201
    return 0
