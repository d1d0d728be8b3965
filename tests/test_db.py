"""Database: migrations match the models; state survives a restart; both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from bot.db.base import Base
from bot.db.models import FlowState, User
from bot.db.registry import import_all_models
from bot.db.session import make_engine, upgrade
from tests.conftest import AppFactory
from tests.helpers import say


def test_migrations_match_models(db_url: str) -> None:
    import_all_models()
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_twice_is_harmless(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)
    engine.dispose()


def test_user_and_flow_state_survive_a_restart(make_app: AppFactory, db_url: str) -> None:
    first = make_app(db_url)
    say(first, "/start", user="an")
    with first.sessions.begin() as session:
        user = session.scalars(select(User)).one()
        session.add(FlowState(user_id=user.id, flow="demo", step="two", data={"a": "Đồng Tháp"}))
    first.engine.dispose()

    second = make_app(db_url)  # a new process on the same database
    with second.sessions() as session:
        state = session.scalars(select(FlowState)).one()
        assert (state.flow, state.step, state.data) == ("demo", "two", {"a": "Đồng Tháp"})
        user = session.scalars(select(User)).one()
        assert user.channel == "console" and user.external_id == "an" and user.active


def test_times_are_stored_and_read_as_utc(make_app: AppFactory, db_url: str, clock) -> None:  # noqa: ANN001
    app = make_app(db_url)
    say(app, "/start")
    with app.sessions() as session:
        user = session.scalars(select(User)).one()
        assert user.first_seen == clock() and user.first_seen.tzinfo is not None
