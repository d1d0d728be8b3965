"""Route definitions: commands, button payloads, flows, text patterns and the fallback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import Context
    from bot.messages import Reply

Handler = Callable[["Context"], "list[Reply]"]
Predicate = Callable[["Context"], bool]


class RouteKind(StrEnum):
    """How a route is chosen."""

    COMMAND = "command"
    BUTTON = "button"
    FLOW = "flow"
    TEXT = "text"
    VOICE = "voice"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Route:
    """One entry of the routing table."""

    kind: RouteKind
    key: str
    handler: Handler
    admin: bool = False
    predicate: Predicate | None = None
    in_menu: bool = False


def command(name: str, handler: Handler, *, admin: bool = False, menu: bool = False) -> Route:
    """Route `/name` (with or without arguments) to the handler."""
    return Route(RouteKind.COMMAND, name, handler, admin=admin, in_menu=menu and not admin)


def button(prefix: str, handler: Handler, *, admin: bool = False) -> Route:
    """Route button payloads `prefix:...` to the handler."""
    return Route(RouteKind.BUTTON, prefix, handler, admin=admin)


def flow(name: str, handler: Handler) -> Route:
    """Route free text to the handler while the user is in the named flow."""
    return Route(RouteKind.FLOW, name, handler)


def text(name: str, predicate: Predicate, handler: Handler) -> Route:
    """Route free text for which the predicate holds."""
    return Route(RouteKind.TEXT, name, handler, predicate=predicate)


def voice(handler: Handler) -> Route:
    """Route a voice note (heard or not) to the handler."""
    return Route(RouteKind.VOICE, "voice", handler)


def fallback(handler: Handler) -> Route:
    """Route any text nothing else took."""
    return Route(RouteKind.FALLBACK, "fallback", handler)
