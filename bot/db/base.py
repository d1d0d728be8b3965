"""Declarative base, portable column types and a conflict-safe insert."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as naive UTC and give them back as aware UTC on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        """Convert to naive UTC before writing."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        """Attach UTC after reading."""
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


M = TypeVar("M", bound=Base)


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def add_once(session: Session, row: Base) -> bool:
    """Insert a row unless its key is taken (also by a concurrent process); return if it was."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def attached(
    session: Session, model: type[M], row: Mapping[str, Any], refresh: Iterable[str] = ()
) -> M:
    """Return the object of a row a Core statement returned, in the session without a query.

    An object the session already holds gets the `refresh` columns' new values (as loaded,
    not as changes to write back).
    """
    key = identity_key(model, row[model.__mapper__.primary_key[0].key])  # type: ignore[attr-defined]
    held = session.identity_map.get(key)
    if held is not None:
        for name in refresh:
            set_committed_value(held, name, row[name])
        return held  # type: ignore[return-value]
    instance = model(**row)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


DEFERRED_WRITES = "deferred_writes"  # session.info: writes a caller holds back to batch them


def defer_writes(session: Session, write: Callable[[], None]) -> None:
    """Register writes held back in this transaction (e.g. a batch's replies and outcomes)."""
    session.info.setdefault(DEFERRED_WRITES, []).append(write)


def write_deferred(session: Session) -> None:
    """Carry out the writes held back so far, before work that must see them (an erasure)."""
    for write in session.info.get(DEFERRED_WRITES, ()):
        write()
