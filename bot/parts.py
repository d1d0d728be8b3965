"""The app's shared parts as the layers below the app see them; `bot.app.App` provides them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bot.channels.base import ChannelRegistry
    from bot.config import Settings
    from bot.content import Content

Clock = Callable[[], datetime]


class Parts(Protocol):
    """Settings, database sessions, content, the running channels and the clock.

    Features, the messaging core and channel adapters take these instead of importing
    `bot.app`, so nothing below the app depends on it.
    """

    settings: Settings
    sessions: sessionmaker[Session]
    content: Content
    channels: ChannelRegistry

    def now(self) -> datetime:
        """Return the current time (aware, UTC)."""
        ...
