"""The content in force: load the published version, and swap in a newer one while running."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.console import versions
from bot.console.snapshot import digest, load_files, read_tree
from bot.content import Content, ContentError, load_content
from bot.matching.index import FaqIndex
from bot.matching.semantic import load_semantic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    """A published version loaded and indexed, ready to answer with."""

    number: int
    content: Content
    index: FaqIndex


def load_published(
    sessions: sessionmaker[Session],
    folder: Path,
    now: datetime,
    number: int | None = None,
    settings: Settings | None = None,
) -> Published:
    """Load the version in force (or the given one), seeding the database from content/.

    With settings that allow it, the index gets the optional semantic stage.
    """
    for attempt in range(2):
        try:
            with sessions.begin() as session:
                version = (
                    versions.ensure_seeded(session, folder, now)
                    if number is None
                    else versions.get(session, number)
                )
                if version is None:
                    raise ContentError(f"content version {number} not found")
                found, files, fingerprint = version.number, version.files, version.digest
            break
        except IntegrityError:  # another process seeded at the same moment: read theirs
            if attempt:
                raise
    try:
        on_disk = fingerprint == digest(read_tree(folder))
        content = load_content(folder) if on_disk else load_files(files)
    except ContentError as error:
        # A version published under an older schema may no longer load after an upgrade:
        # answer from content/ rather than not at all, and say so loudly.
        log.error(
            "published content version %s does not load (%s); using %s", found, error, folder
        )
        content = load_content(folder)
    semantic = load_semantic(settings, content)
    return Published(found, content, FaqIndex.from_content(content, semantic=semantic))


class Target(Protocol):
    """What the reloader updates: the app's content, index and version number."""

    content_version: int
    sessions: sessionmaker[Session]

    @property
    def settings(self) -> Settings:
        """Return the settings."""
        ...

    def now(self) -> datetime:
        """Return the current time."""
        ...

    def use_content(self, content: Content, index: FaqIndex, number: int) -> None:
        """Swap in a newly published version."""
        ...


class ContentReloader:
    """Poll the published version number and swap in a newer version, off the hot path."""

    every_process = True  # each process holds its own content (not only the scheduler's)

    def __init__(
        self,
        target: Target,
        sessions: sessionmaker[Session],
        folder: Path,
        clock: Callable[[], datetime],
        interval: float,
    ) -> None:
        self.target = target
        self.sessions = sessions
        self.folder = folder
        self.clock = clock
        self.interval = interval
        self.last_reload_seconds: float | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start polling in the background."""
        self._task = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        """Stop polling."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self) -> None:
        """Check every interval; a failed check is logged and retried on the next one."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:  # noqa: BLE001 - keep polling whatever one check hit
                log.exception("content reload failed")

    async def check(self) -> bool:
        """Load and swap in the newest version when it is not the one in use; return if so."""
        number = await asyncio.to_thread(self._latest_number)
        if number == 0 or number == self.target.content_version:
            return False
        started = time.perf_counter()
        published = await asyncio.to_thread(
            load_published, self.sessions, self.folder, self.clock(), number, self.target.settings
        )
        self.target.use_content(published.content, published.index, published.number)
        self.last_reload_seconds = time.perf_counter() - started
        log.warning(
            "content version %s in use (loaded in %.2f s)", number, self.last_reload_seconds
        )
        return True

    def _latest_number(self) -> int:
        """Read the newest published version number."""
        with self.sessions() as session:
            return versions.latest_number(session)


def create_service(app: Target) -> ContentReloader:
    """Return the reloader of a running app (every bot process runs one)."""
    settings = app.settings
    return ContentReloader(
        app, app.sessions, settings.content_dir, app.now, settings.console_reload_seconds
    )
