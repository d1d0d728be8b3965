"""Files the bot wrote about a citizen (their /taidulieu, admins' exports) and their removal."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.models_zalo import DownloadLink

log = logging.getLogger(__name__)

EXPORT_PREFIX = "du-lieu-cua-toi"
MIN_NEEDLE_BYTES = 6  # shorter values (a short display name) would match unrelated files


def export_name(user_id: int, now: datetime) -> str:
    """Return a unique file name for the user's own export, tagged with their row id."""
    return f"{EXPORT_PREFIX}-u{user_id}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}.json"


def purge_links(session: Session, *, user_id: int, needles: list[str]) -> int:
    """Delete download links to the user's exports or to files holding one of the needles."""
    own = f"{EXPORT_PREFIX}-u{user_id}-"
    wanted = _needles(needles)
    doomed = [
        link.token_hash
        for link in session.scalars(select(DownloadLink))
        if link.filename.startswith(own) or any(n in link.data for n in wanted)
    ]
    if doomed:
        session.execute(delete(DownloadLink).where(DownloadLink.token_hash.in_(doomed)))
    return len(doomed)


def _needles(values: list[str]) -> list[bytes]:
    """Return the values long enough to identify someone, as bytes."""
    return [v.encode() for v in values if v and len(v.encode()) >= MIN_NEEDLE_BYTES]


def purge(folder: Path, *, user_id: int, needles: list[str]) -> int:
    """Delete the user's exports and every file under `folder` holding one of the needles.

    Needles are the person's name, phone and account id; files are admins' CSV exports and
    the citizen's own JSON exports. Returns how many files were removed.
    """
    if not folder.is_dir():
        return 0
    own = f"{EXPORT_PREFIX}-u{user_id}-"
    wanted = _needles(needles)
    removed = 0
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        try:
            if path.name.startswith(own) or any(n in path.read_bytes() for n in wanted):
                path.unlink()
                removed += 1
        except OSError as error:
            log.error("could not remove a file with deleted personal data: %s", error)
    return removed
