"""Alembic environment: run migrations on the engine handed over by the app."""

from alembic import context

from bot.db.base import Base
from bot.db.registry import import_all_models

import_all_models()
config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
