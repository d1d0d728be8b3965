"""Leases: exactly one process at a time runs a token's sender, its poller and the scheduler.

On PostgreSQL a lease is a session advisory lock held on a connection of its own: when the
holder dies (even by `kill -9`) the server closes its connection and frees the lock, and
another process takes it on its next try, within LEASE_RETRY_SECONDS. SQLite is one process
only: a file lock beside the database refuses a second bot process on the same file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class SingleProcessError(RuntimeError):
    """Another bot process already runs on this SQLite database."""


class Lease:
    """A named lease; `hold()` takes it if free and tells whether this process holds it."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._shared = engine.dialect.name == "postgresql"
        self._connection: Connection | None = None
        self.held = not self._shared
        self._key = 0

    def hold(self) -> bool:
        """Take the lease if it is free, check it is still ours; return whether we hold it."""
        if not self._shared:
            return True
        try:
            if self._connection is None:
                self._connection = self.engine.connect()
                schema = self._connection.scalar(text("select current_schema()"))
                self._key = zlib.crc32(f"khuyenhoc:{schema}:{self.name}".encode())
                self._connection.commit()
            if self.held:
                self._connection.execute(text("select 1"))  # our connection still stands
            else:
                self.held = bool(
                    self._connection.scalar(
                        text("select pg_try_advisory_lock(:key)"), {"key": self._key}
                    )
                )
                if self.held:
                    log.info("took the lease %s", self.name)
            self._connection.commit()
        except Exception as error:  # noqa: BLE001 - a lost connection is a lost lease
            log.warning("lease %s lost: %s", self.name, error)
            self._drop()
        return self.held

    def release(self) -> None:
        """Give the lease up (closing its connection frees the advisory lock)."""
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()  # really close it: the lock goes with it
                self._connection.close()
            except Exception:  # noqa: BLE001 - already gone
                pass
        self._connection = None
        self.held = not self._shared


class SingleProcessGuard:
    """Hold an exclusive lock on `<database>.lock` so a second process on SQLite refuses."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        self.path: Path | None = None
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self.path = Path(f"{url.database}.lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise SingleProcessError when another process holds it."""
        if self.path is None or self._file is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "w")  # noqa: SIM115 - kept open while the bot runs
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.close()
            raise SingleProcessError(
                f"another bot process uses {self.path.with_suffix('')}; SQLite runs one "
                "process only (use PostgreSQL for several)"
            ) from error
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Free the lock."""
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
