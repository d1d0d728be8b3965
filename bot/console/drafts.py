"""The one open draft: valid changes collect here until someone publishes them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console import versions
from bot.console.models import ContentDraft
from bot.console.snapshot import Files, check_files
from bot.content import ContentError

Change = Callable[[Files], Files]


def current(session: Session, *, lock: bool = False) -> ContentDraft | None:
    """Return the open draft (locked for update on PostgreSQL when asked)."""
    query = select(ContentDraft).order_by(ContentDraft.id).limit(1)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def working_files(session: Session) -> Files:
    """Return the draft's files, or the published ones when no draft is open."""
    draft = current(session)
    if draft is not None:
        return dict(draft.files)
    version = versions.latest(session)
    if version is None:
        raise ContentError("no content version is published yet")
    return dict(version.files)


def apply(session: Session, *, who: str, what: str, change: Change, now: datetime) -> ContentDraft:
    """Apply a change to the draft (opening one on the published version) if content stays valid.

    Raises ContentError, naming the problem as `khuyenhoc content check` would, and leaves the
    draft as it was when the changed content does not load.
    """
    draft = current(session, lock=True)
    if draft is None:
        version = versions.latest(session)
        if version is None:
            raise ContentError("no content version is published yet")
        draft = ContentDraft(base_number=version.number, files=dict(version.files), changes=[])
        session.add(draft)
    changed = change(dict(draft.files))
    problem = check_files(changed)
    if problem is not None:
        raise ContentError(problem)
    draft.files = changed
    draft.changes = [*draft.changes, change_note(who, what, now)]
    draft.updated_at = now
    session.flush()
    return draft


def change_note(who: str, what: str, now: datetime) -> dict[str, Any]:
    """Return one line of a draft's change list."""
    return {"who": who, "what": what, "at": now.isoformat(timespec="seconds")}


def discard(session: Session) -> bool:
    """Drop the open draft; return whether there was one."""
    draft = current(session, lock=True)
    if draft is None:
        return False
    session.delete(draft)
    return True
