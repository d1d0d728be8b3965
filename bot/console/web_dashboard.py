"""The dashboard page at /console: this day's, week's or month's figures, charts, downloads."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.console import accounts, ops_charts, web_auth
from bot.console.web_common import deps_of, record, render, signed_in
from bot.dashboard.build import Dashboard
from bot.dashboard.export import to_csv, to_xlsx
from bot.dashboard.period import KINDS
from bot.dashboard.service import dashboard_of, tables_of
from bot.dashboard.tables import Table

PERMISSION = "dashboard"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD_LABELS = {"day": "Hôm nay", "week": "Tuần này", "month": "Tháng này"}
CHANNEL_LABELS = {
    "": "Mọi kênh",
    "telegram": "Telegram",
    "zalo": "Zalo OA",
    "zalobot": "Zalo Bot",
    "console": "Trò chuyện thử",
}


def _choice(request: Request) -> tuple[str, str]:
    """Return the period and channel asked for, defaulting to this week on every channel."""
    kind = request.query_params.get("period", "week")
    channel = request.query_params.get("channel", "")
    return (kind if kind in KINDS else "week"), (channel if channel in CHANNEL_LABELS else "")


def _board(request: Request) -> tuple[Dashboard, list[Table], str, str]:
    """Query the dashboard the request asks for."""
    deps = deps_of(request)
    kind, channel = _choice(request)
    content, _ = deps.live()
    board = dashboard_of(
        deps.sessions, content, now=deps.clock(), tz=deps.settings.tz, kind=kind, channel=channel
    )
    return board, tables_of(content, board), kind, channel


async def home(request: Request) -> Response:
    """Show the dashboard to those who may see it, else the console's start page."""
    user = signed_in(request)
    if not accounts.may(user.role, PERMISSION):
        return await web_auth.home(request)
    board, found, kind, channel = _board(request)
    return render(
        request,
        "dashboard.html",
        board=board,
        tables=[(table, ops_charts.bars(table)) for table in found],
        kind=kind,
        channel=channel,
        periods=PERIOD_LABELS,
        channels=CHANNEL_LABELS,
        label=board.period.label(deps_of(request).settings.tz),
        shown=ops_charts.shown,
        bar_height=ops_charts.height,
        row_height=ops_charts.ROW_HEIGHT,
    )


async def download(request: Request) -> Response:
    """Send one table as CSV, or every table as an .xlsx workbook."""
    signed_in(request, PERMISSION)
    board, found, kind, channel = _board(request)
    name, _, extension = request.path_params["file"].rpartition(".")
    suffix = f"{kind}-{board.period.start.astimezone(deps_of(request).settings.tz):%Y%m%d}"
    if extension == "xlsx" and name == "bang-dieu-khien":
        data, media = (
            to_xlsx(found),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        table = next((t for t in found if t.name == name), None)
        if table is None or extension != "csv":
            raise HTTPException(404, "not_found")
        data, media = to_csv(table), "text/csv; charset=utf-8"
    record(request, "console.dashboard_download", f"{name}.{extension} {kind} {channel or 'all'}")
    filename = f"{name}-{suffix}.{extension}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(data, media_type=media, headers=headers)
