"""Publish the draft after measuring it, restore an old version, and show what changed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.console import drafts, versions
from bot.console.figures import Figure, as_record, compare
from bot.console.models import ContentVersion
from bot.console.snapshot import Files, digest

DIFF_CONTEXT = 2


@dataclass(frozen=True)
class Measured:
    """The draft and the published version it would replace, with the figures of both."""

    base_number: int
    draft_digest: str
    figures: tuple[Figure, ...]

    @property
    def worse(self) -> list[Figure]:
        """Return the figures the draft makes worse."""
        return [f for f in self.figures if f.worse]


_cache: dict[tuple[str, str, tuple[Path, ...]], tuple[Figure, ...]] = {}


def measure(before: Files, after: Files, paths: list[Path]) -> tuple[Figure, ...]:
    """Compare two snapshots on the held-out sets (remembered: the same pair is not re-run)."""
    key = (digest(before), digest(after), tuple(paths))
    if key not in _cache:
        if len(_cache) > 8:
            _cache.clear()
        _cache[key] = tuple(compare(before, after, paths))
    return _cache[key]


def measure_draft(session: Session, paths: list[Path]) -> Measured | None:
    """Measure the open draft against the version in force."""
    draft = drafts.current(session)
    version = versions.latest(session)
    if draft is None or version is None:
        return None
    figures = measure(version.files, draft.files, paths)
    return Measured(version.number, digest(draft.files), figures)


class PublishRefused(Exception):
    """The draft cannot be published as asked; the code says why."""


def publish(
    session: Session, *, author: str, paths: list[Path], confirmed: bool, seen: str, now: datetime
) -> ContentVersion:
    """Publish the draft as the next version; a worse figure needs `confirmed`.

    `seen` is the digest of the draft the publisher looked at: a draft changed since then
    (by someone else) is not published blind.
    """
    draft = drafts.current(session, lock=True)
    if draft is None:
        raise PublishRefused("no_draft")
    if digest(draft.files) != seen:
        raise PublishRefused("changed")
    measured = measure_draft(session, paths)
    assert measured is not None
    if measured.worse and not confirmed:
        raise PublishRefused("needs_confirmation")
    version = versions.add(
        session,
        files=dict(draft.files),
        source="console",
        author=author,
        now=now,
        changes=list(draft.changes),
        figures=as_record(list(measured.figures)),
    )
    session.delete(draft)
    return version


def restore(session: Session, *, number: int, author: str, now: datetime) -> ContentVersion:
    """Publish an old version's content again as the newest version."""
    old = versions.get(session, number)
    if old is None:
        raise PublishRefused("not_found")
    note = drafts.change_note(author, f"khôi phục bản {number}", now)
    return versions.add(
        session, files=dict(old.files), source="restore", author=author, now=now, changes=[note]
    )


@dataclass(frozen=True)
class FileDiff:
    """The changed lines of one file."""

    name: str
    lines: tuple[str, ...]


def diff(before: Files, after: Files) -> list[FileDiff]:
    """Return a unified diff of every file that differs."""
    result = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, ""), after.get(name, "")
        if old != new:
            lines = difflib.unified_diff(
                old.splitlines(), new.splitlines(), name, name, n=DIFF_CONTEXT, lineterm=""
            )
            result.append(FileDiff(name, tuple(lines)[2:]))
    return result
