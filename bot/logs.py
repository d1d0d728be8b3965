"""Logging set-up: secrets masked in every record, users named by a pseudonym, never by id."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

# Telegram and Zalo Bot tokens sit in request URLs: https://…/bot123456:AbC-d_e/sendMessage
_BOT_TOKEN = re.compile(r"(bot|/)(\d{3,}):[A-Za-z0-9_-]{6,}")
_MASK = "***"
MIN_SECRET_CHARS = 6  # shorter values would mask ordinary words
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redactor:
    """Mask bot tokens and the configured secrets in text."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[str | None]) -> None:
        """Mask these values too from now on (e.g. a refreshed Zalo OA access token)."""
        fresh = {v for v in values if v and len(v) >= MIN_SECRET_CHARS} - self._secrets
        if not fresh:
            return
        self._secrets |= fresh
        ordered = sorted(self._secrets, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def __call__(self, text: str) -> str:
        """Return the text with every secret replaced by ***."""
        if self._pattern is not None:
            text = self._pattern.sub(_MASK, text)
        return _BOT_TOKEN.sub(lambda m: f"{m.group(1)}{m.group(2)}:{_MASK}", text)


REDACT = Redactor()
_pseudonym_key = secrets.token_bytes(32)
_installed = False


def pseudonym(channel: str, external_id: str) -> str:
    """Return a stable, keyed, one-way name for a user account, for log lines."""
    digest = hmac.new(_pseudonym_key, f"{channel}:{external_id}".encode(), hashlib.sha256)
    return "u" + digest.hexdigest()[:12]


class RedactingFormatter(logging.Formatter):
    """Format as usual, then mask secrets (tracebacks and stack texts included)."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the masked line."""
        return REDACT(super().format(record))


def _install_record_factory() -> None:
    """Mask secrets in every record as it is made, so every handler sees masked text."""
    global _installed
    if _installed:
        return
    original = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = original(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not hide the record
            message = str(record.msg)
        record.msg, record.args = REDACT(message), None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def protect(secret_values: Iterable[str | None], pseudonym_key: str | None = None) -> None:
    """Mask these secrets in all logging and set the key of user pseudonyms."""
    global _pseudonym_key
    REDACT.add(secret_values)
    if pseudonym_key:
        _pseudonym_key = pseudonym_key.encode()
    _install_record_factory()


def setup_logging(
    level: str,
    secret_values: Iterable[str | None],
    stream: TextIO | None = None,
    path: Path | None = None,
) -> logging.Handler:
    """Log at `level` to a file if given, else to `stream` (standard error), secrets masked."""
    protect(secret_values)
    handler: logging.Handler
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
