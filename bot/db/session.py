"""Engines, sessions and schema upgrades for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create an engine; for SQLite make the folder, allow threads and enforce foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
        # We begin transactions ourselves (below), so the driver must not.
        dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # deleted personal data is overwritten
        if parsed.database and parsed.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: object) -> None:
        # Take the write lock when a transaction starts: a read that later writes could
        # otherwise fail at once with "database is locked" after another thread's commit
        # (WAL cannot upgrade a stale snapshot); waiting for the lock (timeout) is safe.
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # type: ignore[attr-defined]

    return engine


def scrub_deleted(connection: Connection) -> None:
    """Make deleted rows unreadable on disk: on SQLite, fold the WAL into the file and empty it.

    With `secure_delete` on, SQLite overwrites deleted content in the database file; the WAL
    still holds older page images until a checkpoint. Run it after the deletion committed, on
    the connection that made it (another one would wait for this one to let go). PostgreSQL
    keeps dead rows until VACUUM (see README, Privacy).
    """
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a factory of sessions bound to the engine."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config that runs our migrations on the given engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to the given revision."""
    command.upgrade(alembic_config(engine), revision)
