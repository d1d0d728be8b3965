"""What the messaging core uses of the app; `bot.app.App` provides it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from bot.parts import Parts

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.dispatch import Dispatcher


class MessagingParts(Parts, Protocol):
    """Besides the shared Parts: the engine (for leases) and the dispatcher."""

    engine: Engine
    dispatcher: Dispatcher
