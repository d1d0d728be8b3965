"""Flood limits: the database basis (questions stored, any process) costs little per message."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.flood import FloodGuard

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MESSAGES = 200
USERS = 30
TARGET = 0.25  # at most a quarter more than handling the message without it


def run() -> Iterator[tuple[str, str, bool]]:
    """Yield (target, measured, passed): handle() with and without the query, interleaved."""
    with tempfile.TemporaryDirectory() as folder:
        yield _measure("SQLite", f"sqlite:///{folder}/bench.db")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception:  # noqa: BLE001 - no PostgreSQL here: SQLite only
        admin.dispose()
        return
    try:
        yield _measure("PostgreSQL", f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _measure(name: str, url: str) -> tuple[str, str, bool]:
    from bot.app import build_app
    from bot.config import Settings
    from bot.messages import Incoming

    app = build_app(
        Settings(
            database_url=url,
            content_dir=ROOT / "content",
            telegram_bot_token=None,
            semantic_matching="off",
        )
    )
    checked = FloodGuard.check

    def memory_only(
        self: FloodGuard, *args: object, stored: object = None, token: object = None
    ) -> object:
        return checked(self, *args[:3], token=token)  # type: ignore[arg-type]

    spent = {"with": 0.0, "without": 0.0}
    try:
        for number in range(MESSAGES):
            for label, check in (("with", checked), ("without", memory_only)):
                FloodGuard.check = check  # type: ignore[method-assign]
                user = f"{label}-{number % USERS}"
                incoming = Incoming("console", user, user, text="học bổng khuyến học")
                start = time.perf_counter()
                app.dispatcher.handle(incoming)
                spent[label] += time.perf_counter() - start
    finally:
        FloodGuard.check = checked  # type: ignore[method-assign]
        app.engine.dispose()
    with_db, without = (spent[k] / MESSAGES * 1000 for k in ("with", "without"))
    extra = (with_db - without) / without
    measured = f"{with_db:.2f} ms vs {without:.2f} ms per message ({extra:+.0%})"
    return f"{name}: the database basis adds < {TARGET:.0%} per message", measured, extra < TARGET
