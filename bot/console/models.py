"""Console tables: staff accounts, published content versions, the draft, dismissed questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime, utcnow


class ConsoleUser(Base):
    """A staff account of the web console with its role and failed-login counter."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ContentVersion(Base):
    """One published state of content/: every file's text, who published it and why."""

    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    files: Mapped[dict[str, str]] = mapped_column(JSON)  # relative path -> YAML text
    digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # seed | console | import | restore
    author: Mapped[str] = mapped_column(String(96))
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContentDraft(Base):
    """The one open draft: the content files as edited and the list of changes so far."""

    __tablename__ = "content_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    base_number: Mapped[int] = mapped_column(Integer)
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DismissedQuestion(Base):
    """An unanswered question a curator chose to skip ("bỏ qua"), by its folded form."""

    __tablename__ = "dismissed_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(96))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
