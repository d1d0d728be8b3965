"""Published content versions in the database: the seed, new versions, the one in force."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from bot.console.models import ContentVersion
from bot.console.snapshot import Files, digest, read_tree

log = logging.getLogger(__name__)
SEED_AUTHOR = "content/"
LISTED = (  # the columns a history list reads (not every version's files)
    ContentVersion.number,
    ContentVersion.source,
    ContentVersion.author,
    ContentVersion.changes,
    ContentVersion.created_at,
)


def latest_number(session: Session) -> int:
    """Return the number of the version in force (0 when none was published)."""
    return session.scalar(select(func.max(ContentVersion.number))) or 0


def latest(session: Session) -> ContentVersion | None:
    """Return the version in force."""
    query = select(ContentVersion).order_by(ContentVersion.number.desc()).limit(1)
    return session.scalars(query).first()


def get(session: Session, number: int) -> ContentVersion | None:
    """Return one version by its number."""
    query = select(ContentVersion).where(ContentVersion.number == number)
    return session.scalars(query).first()


def history(session: Session, *, limit: int = 50) -> list[ContentVersion]:
    """Return the newest versions first."""
    query = (
        select(ContentVersion)
        .options(load_only(*LISTED, raiseload=True))
        .order_by(ContentVersion.number.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def add(
    session: Session,
    *,
    files: Files,
    source: str,
    author: str,
    now: datetime,
    changes: list[Any] | None = None,
    figures: dict[str, Any] | None = None,
) -> ContentVersion:
    """Publish a snapshot as the next version."""
    version = ContentVersion(
        number=latest_number(session) + 1,
        files=files,
        digest=digest(files),
        source=source,
        author=author,
        changes=changes or [],
        figures=figures or {},
        created_at=now,
    )
    session.add(version)
    session.flush()
    return version


def ensure_seeded(session: Session, folder: Path, now: datetime) -> ContentVersion:
    """Return the version in force, seeding it from content/ on a fresh database.

    When no one published from the console since the last seed and content/ changed (a
    deploy brought new content), the folder becomes a new seed version; once curators have
    published, the database wins and a changed content/ is only logged.
    """
    current = latest(session)
    if current is not None and current.source != "seed":
        files = read_tree(folder)
        if digest(files) != current.digest:
            log.warning(
                "content/ differs from published version %s; the database version stays "
                "(load the folder with `khuyenhoc content import` to review it)",
                current.number,
            )
        return current
    files = read_tree(folder)
    if current is not None and current.digest == digest(files):
        return current
    return add(session, files=files, source="seed", author=SEED_AUTHOR, now=now)
