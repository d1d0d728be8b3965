"""CDHT speed targets: place resolving, chart drawing, Pillow kept out of start-up, big exports."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from tests.bench.support import database, kinds, peak_rss_mb, postgres_missing, reset_peak_rss

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ["tp sa dec", "h. Lấp Vò", "cao lanh", "Mỹ Tho", "dốc binh kiều", "Hà Nội", "thap muoi"]
PEOPLE = 20_000
EXPORT_MEMORY_MB = 150  # the CSV export runs in the bot's own process


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run() -> Iterator[tuple[str, str, bool]]:
    """Yield (target, measured, passed) for each CDHT target."""
    from bot.cdht.places import load_places

    places = load_places(ROOT / "content/places.yaml")
    start = time.perf_counter()
    rounds = 200
    for _ in range(rounds):
        for query in QUERIES:
            places.resolve(query)
    per_query = (time.perf_counter() - start) / (rounds * len(QUERIES))
    yield "resolve a typed place name < 2 ms", _ms(per_query), per_query < 0.002

    code = "import sys, bot.app, handlers; print('PIL' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.strip()
    yield "Pillow not imported at start-up", f"PIL loaded: {loaded}", loaded == "False"
    code = "import time; t=time.perf_counter(); import PIL.ImageDraw; print(time.perf_counter()-t)"
    cost = float(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )
    yield "import Pillow on first /thongke < 150 ms", _ms(cost), cost < 0.15

    yield from postgres_missing()
    for kind in kinds():
        yield from _big_database(kind)


def _big_database(kind: str) -> Iterator[tuple[str, str, bool]]:
    """Fill a database with many registrations and results; time stats, CSV and the chart."""
    from bot.app import build_app
    from bot.cdht import chart
    from bot.cdht import report as cdht_report
    from bot.cdht.filters import Filters
    from bot.cdht.models import Assessment, Registration
    from bot.db.models import User

    with database(kind) as url:
        app = build_app(Settings(_env_file=None, database_url=url, content_dir=ROOT / "content"))
        now = datetime(2026, 3, 2, tzinfo=UTC)
        units = app.content.section("places").units
        groups = [g.code for g in app.content.section("assessment").groups]
        with app.sessions.begin() as session:
            session.add_all(
                User(id=i, channel="bench", external_id=str(i), chat_id=str(i))
                for i in range(1, PEOPLE + 1)
            )
            session.flush()
            session.add_all(
                Registration(
                    user_id=i,
                    full_name=f"Người Số {i}",
                    birth_year=1970 + i % 40,
                    place_name=units[i % len(units)].label,
                    group=groups[i % 4],
                    union_member=i % 3 == 0,
                    phone=None,
                    consent_version="cdht-2026-1",
                    created_at=now,
                    updated_at=now,
                )
                for i in range(1, PEOPLE + 1)
            )
            session.add_all(
                Assessment(
                    user_id=i,
                    year=2026,
                    answers={str(n): 8 + i % 3 for n in range(1, 11)},
                    total=80 + 10 * (i % 3),
                    passed=True,
                    started_at=now,
                    completed_at=now,
                )
                for i in range(1, PEOPLE + 1, 2)
            )
        content = app.content.section("assessment")
        with app.sessions() as session:
            start = time.perf_counter()
            data = cdht_report.stats(session, year=2026)
            took = time.perf_counter() - start
            yield f"{kind}: /thongke counts for {PEOPLE} people < 200 ms", _ms(took), took < 0.2
            held = reset_peak_rss()
            start = time.perf_counter()
            rows = cdht_report.select_rows(session, Filters())
            csv_bytes = cdht_report.to_csv(rows, content, app.settings.tz)
            took = time.perf_counter() - start
            grown = max(0.0, peak_rss_mb() - held)
            yield (
                f"{kind}: CSV of {PEOPLE} people < 3 s, memory it adds to the process "
                f"< {EXPORT_MEMORY_MB} MB",
                f"{_ms(took)}, {len(csv_bytes) // 1024} KiB, +{grown:.0f} MB peak RSS "
                f"(of {peak_rss_mb():.0f} MB)",
                took < 3 and grown < EXPORT_MEMORY_MB,
            )
        panels = [
            chart.Panel("Nhóm", ("Đăng ký",), [(g, (data.by_group[g],)) for g in groups]),
            chart.Panel("Xã", ("Đã tự đánh giá", "Đạt"), list(data.year_by_place.items())[:10]),
        ]
        start = time.perf_counter()
        png = chart.render(panels, font_path=chart.find_font(None))
        took = time.perf_counter() - start
        yield (
            f"{kind}: draw the /thongke chart < 300 ms",
            f"{_ms(took)}, {len(png) // 1024} KiB",
            took < 0.3,
        )
        app.engine.dispose()
