"""Shared set-up of the messaging benches: databases, seeding, the stand-in, bot processes."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from bot.db.models import User
from bot.db.session import make_engine, upgrade

PG_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def database(kind: str) -> Iterator[str]:
    """Yield the URL of a fresh, migrated database: SQLite file or PostgreSQL schema."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            _migrate(url)
            yield url
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"create schema {schema}"))
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    try:
        _migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"drop schema {schema} cascade"))
        admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def postgres_available() -> bool:
    """Return whether the benchmark PostgreSQL answers."""
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - unreachable, whatever the reason
        return False


def kinds() -> list[str]:
    """Return the databases every bench runs on: SQLite and PostgreSQL (when it answers)."""
    return ["sqlite", "postgresql"] if postgres_available() else ["sqlite"]


def postgres_missing() -> Iterator[tuple[str, str, bool]]:
    """Yield a missed target when the benchmark PostgreSQL does not answer (it is a default)."""
    if not postgres_available():
        yield (
            "PostgreSQL answers (every bench runs on it too)",
            f"no answer at {PG_ADMIN_URL}",
            False,
        )


def peak_rss_mb(pid: int | str = "self") -> float:
    """Return a process's peak resident memory (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak_rss() -> float:
    """Reset this process's peak resident memory to what it holds now; return that in MB.

    Linux only (clear_refs 5): what the next step peaks at is then the step's own memory.
    """
    Path("/proc/self/clear_refs").write_text("5")
    return peak_rss_mb()


def seed_users(url: str, chats: list[str]) -> dict[str, int]:
    """Create Telegram users for the chats; return their ids by chat."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            insert(User),
            [{"channel": "telegram", "external_id": c, "chat_id": c} for c in chats],
        )
        ids = dict(connection.execute(text("select chat_id, id from users")).all())
    engine.dispose()
    return ids
