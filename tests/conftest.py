"""Shared fixtures: databases (SQLite and PostgreSQL), a controllable clock, the app."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from bot.app import App, build_app
from bot.config import Settings
from bot.console import accounts
from bot.content import Content, load_content
from bot.matching.index import FaqIndex
from bot.voice.hearing import VoiceService, build_voice
from tests.standins.bot_api import BotApiStandIn
from tests.standins.zalo_api import ZaloStandIn

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ADMIN = "console:admin"


def pytest_configure(config: pytest.Config) -> None:
    """Opt in to PTB's timedelta durations, as the `khuyenhoc` entry point does."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.current += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        """Jump to a moment."""
        self.current = moment


def _postgres_available() -> str | None:
    """Return None when PostgreSQL answers, else the reason."""
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not available"
        return f"PostgreSQL at {PG_ADMIN_URL} unreachable: {type(error).__name__}"


def skip_unless_ci(reason: str | None, what: str) -> None:
    """Skip when something is missing (reason given), except under CI=true where it fails."""
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: {what} tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_ready() -> None:
    """Skip PostgreSQL tests without a server, except under CI=true where they fail."""
    skip_unless_ci(_postgres_available(), "PostgreSQL")


@pytest.fixture
def pg_url(postgres_ready: None) -> Iterator[str]:
    """Return a URL to a fresh, empty PostgreSQL schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"create schema {schema}"))
    yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f"drop schema {schema} cascade"))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Return a URL to a fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run the test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def clock() -> FakeClock:
    """A controllable clock starting on Monday 2026-03-02 09:00 in Vietnam."""
    return FakeClock()


AppFactory = Callable[..., App]


def _fingerprint(content: Content) -> tuple[object, ...]:
    """Return what a test could change by mistake in shared content."""
    return content.faq, content.messages.templates(), content.abbreviations, content.sections


@pytest.fixture(scope="session")
def real_content() -> Iterator[tuple[Content, FaqIndex]]:
    """Load content/ and its FAQ index once; fail if a test changed them in place."""
    content = load_content(CONTENT_DIR)
    yield content, FaqIndex.from_content(content)
    assert _fingerprint(content) == _fingerprint(load_content(CONTENT_DIR)), (
        "a test changed the shared content in place (use monkeypatch)"
    )


@pytest.fixture
def make_app(clock: FakeClock, real_content: tuple[Content, FaqIndex]) -> Iterator[AppFactory]:
    """Build apps on a given database URL; dispose their engines afterwards."""
    apps: list[App] = []

    def factory(database_url: str, **settings: object) -> App:
        values: dict[str, object] = {
            "database_url": database_url,
            "content_dir": CONTENT_DIR,
            "admin_ids": (ADMIN,),
            "telegram_bot_token": None,
            "webhook_url": None,
            # Tests talk fast to one chat on a stopped clock; the flood-control tests set
            # Telegram's 1 s and tests of the per-user flood limit set their own.
            "send_chat_seconds": 0.0,
            "lease_retry_seconds": 0.2,
            "flood_burst": 100_000,
            "user_daily_messages": 100_000,
            **settings,
        }
        shared = real_content if values["content_dir"] == CONTENT_DIR else None
        app = build_app(Settings(_env_file=None, **values), clock=clock, loaded=shared)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.engine.dispose()


@pytest.fixture
def app(make_app: AppFactory, db_url: str) -> App:
    """The app on each database."""
    return make_app(db_url)


@pytest.fixture
def sqlite_app(make_app: AppFactory, sqlite_url: str) -> App:
    """The app on SQLite only (for tests where the database does not matter)."""
    return make_app(sqlite_url)


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash console passwords with a small argon2id cost in tests (the real cost is ~0.5 s)."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("dummy"))


@pytest.fixture
async def bot_api() -> AsyncIterator[BotApiStandIn]:
    """The Telegram Bot API stand-in on 127.0.0.1."""
    stand_in = BotApiStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
async def zalo() -> AsyncIterator[ZaloStandIn]:
    """The Zalo OA API, OAuth endpoint and Bot API stand-in on 127.0.0.1."""
    stand_in = ZaloStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture(scope="session")
def voice_service() -> Iterator[VoiceService]:
    """One voice service on the packaged model for the session (the model loads once)."""
    from tests.voice_clips import missing_voice

    skip_unless_ci(missing_voice(), "voice")
    service = build_voice(Settings(_env_file=None, voice_enabled=True))
    assert service is not None
    yield service
    service.close()
